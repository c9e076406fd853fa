"""The program-health page: whom to reach out to, and the organization's totals."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required

from ..followup_forms import HealthFilterForm
from ..health import program_health


@role_required(MANAGE_ROLES)
def health(request: OrgRequest) -> HttpResponse:
    """Participants gone quiet (no post in N weeks, ?weeks=N, 3 by default), without a
    LinkedIn connection, or whose connection is expiring or has stopped."""
    form = HealthFilterForm(request.GET or None)
    report = program_health(request.organization, now=timezone.now(), weeks=form.weeks_or_default())
    return render(request, "program/health.html", {"form": form, "health": report})
