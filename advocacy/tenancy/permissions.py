"""Role checks for tenant views: one decorator, used by every view under /o/<slug>/."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

ViewFunc = Callable[..., HttpResponse]


def role_required(roles: Iterable[str] | None = None) -> Callable[[ViewFunc], ViewFunc]:
    """Let through members of the request's organization whose role is in `roles`.

    `roles=None` admits every active member. A request outside a tenant path is a 404: the
    decorator only makes sense on views mounted under /o/<slug>/. The `org_slug` URL argument
    is consumed here, so views receive the organization as `request.organization`.
    """
    allowed = frozenset(roles) if roles is not None else None

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, org_slug: str, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None or membership.organization.slug != org_slug:
                raise Http404
            if allowed is not None and membership.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorator
