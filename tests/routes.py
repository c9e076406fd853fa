"""The URL map as data, for the tests that sweep every route."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

TENANT_PREFIX = "o/<slug:org_slug>/"
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    callback: Callable[..., Any]

    @property
    def params(self) -> list[str]:
        return [p for p in PARAM.findall(self.route) if p != "org_slug"]

    @property
    def is_tenant(self) -> bool:
        return self.route.startswith(TENANT_PREFIX)

    @property
    def allowed_roles(self) -> frozenset[str] | None:
        return getattr(self.callback, "allowed_roles", None)

    def __str__(self) -> str:
        return f"/{self.route} ({self.name})"


def _walk(
    patterns: Sequence[URLPattern | URLResolver], prefix: str, namespace: str | None
) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            joined = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Route(prefix + str(pattern.pattern), name, pattern.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", None))


def tenant_routes() -> list[Route]:
    return [route for route in all_routes() if route.is_tenant]
