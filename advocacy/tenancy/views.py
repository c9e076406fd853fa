from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import ADMIN_ROLES, Membership
from .permissions import role_required


@role_required(ADMIN_ROLES)
def organization_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "tenancy/settings.html", {})


@role_required(ADMIN_ROLES)
def members(request: HttpRequest) -> HttpResponse:
    return render(request, "tenancy/members.html", {"members": Membership.objects.all()})


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    return render(request, "tenancy/invitation.html", {})
