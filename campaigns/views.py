from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required

from .models import Campaign


@role_required(MANAGE_ROLES)
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/list.html", {"campaigns": Campaign.objects.all()})
