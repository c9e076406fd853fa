from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import REPORT_ROLES
from advocacy.tenancy.permissions import role_required

from .reports import COMPANY_SHARE_GUIDELINE, program_overview


@role_required(REPORT_ROLES)
def overview(request: OrgRequest) -> HttpResponse:
    """Participation and the content mix; reach and growth follow once LinkedIn is connected."""
    return render(
        request,
        "analytics/overview.html",
        {
            "overview": program_overview(request.organization),
            "guideline": COMPANY_SHARE_GUIDELINE,
        },
    )
