"""The tenant context: which organization the current request or task works for.

The default manager of every tenant model reads this context and fails closed: outside a scope
a query raises instead of returning every tenant's rows. Platform staff's admin site runs
`unscoped()`; everything else runs inside `tenant_scope(org)` or says `.for_org(org)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .models import Organization


class _Unscoped:
    def __repr__(self) -> str:
        return "UNSCOPED"


UNSCOPED: Final = _Unscoped()

_current: ContextVar[Organization | _Unscoped | None] = ContextVar("tenant_scope", default=None)


class TenantScopeError(RuntimeError):
    """A tenant model was queried with no organization in scope."""


def current_scope() -> Organization | _Unscoped | None:
    return _current.get()


@contextmanager
def tenant_scope(organization: Organization) -> Iterator[Organization]:
    """Run a block for one organization: default managers filter by it."""
    token = _current.set(organization)
    try:
        yield organization
    finally:
        _current.reset(token)


@contextmanager
def unscoped() -> Iterator[None]:
    """Run a block that deliberately sees every tenant (platform staff, maintenance)."""
    token = _current.set(UNSCOPED)
    try:
        yield
    finally:
        _current.reset(token)
