from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .http import AuthenticatedRequest


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own profile: name, language, and the organizations they belong to."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    # The organizations are listed from `my_memberships` (tenancy's context processor).
    return render(request, "accounts/profile.html", {"form": form})
