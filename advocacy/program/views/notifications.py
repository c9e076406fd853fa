"""Mail choices: the member's own page, and the unsubscribe link that needs no sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.permissions import role_required

from .. import mail
from ..followup_forms import MailChoicesForm
from ..followups import is_participant


@role_required()
def mail_choices(request: OrgRequest) -> HttpResponse:
    """Which program mail the member gets from this organization."""
    membership = request.membership
    current = mail.choices_of(membership)
    form = MailChoicesForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        changed = mail.update_choices(
            membership=membership,
            **{name: form.cleaned_data[name] for name in mail.CHOICE_FIELDS},
        )
        if changed:
            messages.success(request, _("Your mail choices were saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("program:mail_choices", org_slug=request.organization.slug)
    return render(
        request,
        "program/mail_choices.html",
        {"form": form, "is_participant": is_participant(membership)},
    )


# The token in the link is what authorizes the change, not a session: mail programs send the
# one-click POST of RFC 8058 with no cookie, so there is no CSRF token to check, and a forged
# request cannot carry a valid signature for someone else's choice.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners and prefetchers open links; they must not
    unsubscribe anyone); POST turns the choice off, from the page or a mail program."""
    link = mail.read_unsubscribe_token(token)
    if link is None:
        return render(request, "program/unsubscribe_invalid.html", status=404)
    with translation.override(mail.language_of(link.membership)):
        if request.method == "POST":
            mail.unsubscribe(membership=link.membership, kind=link.kind)
            return render(request, "program/unsubscribe_done.html", {"link": link})
        return render(
            request,
            "program/unsubscribe.html",
            {"link": link, "is_subscribed": link.is_subscribed},
        )
