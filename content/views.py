from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required

from .models import ContentItem


@role_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    items = ContentItem.objects.available(timezone.now())[:20]
    return render(request, "content/dashboard.html", {"items": items})


@role_required(MANAGE_ROLES)
def library(request: HttpRequest) -> HttpResponse:
    items = ContentItem.objects.all()
    return render(request, "content/library.html", {"items": items})
