from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from advocacy.tenancy.models import REPORT_ROLES
from advocacy.tenancy.permissions import role_required


@role_required(REPORT_ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "analytics/overview.html", {})
