"""The "your LinkedIn connection needs you" banner shown on every page.

Every signed-in page shows it, so its state is cached per user (no query on most pages) and
forgotten by every service that changes a connection's status.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.cache import cache

from .models import Connection, ConnectionStatus

if TYPE_CHECKING:
    from advocacy.accounts.models import User

CACHE_SECONDS = 300
SHOWN_FOR = (
    ConnectionStatus.EXPIRING_SOON,
    ConnectionStatus.EXPIRED,
    ConnectionStatus.REVOKED,
)
_NOTHING = "none"


@dataclass(frozen=True)
class Banner:
    status: str
    usable_until: datetime

    @property
    def expiring_soon(self) -> bool:
        return self.status == ConnectionStatus.EXPIRING_SOON

    @property
    def expired(self) -> bool:
        return self.status == ConnectionStatus.EXPIRED

    @property
    def revoked(self) -> bool:
        return self.status == ConnectionStatus.REVOKED


def _key(user_public_id: UUID | str) -> str:
    # The public id, not the pk: unique for ever, so a cached state never outlives its user.
    return f"linkedin:banner:{user_public_id}"


def banner_for(user: User) -> Banner | None:
    """The banner the user should see, or None when their connection is fine (or absent)."""
    key = _key(user.public_id)
    cached = cache.get(key)
    if cached == _NOTHING:
        return None
    if isinstance(cached, Banner):
        return cached
    banner: Banner | None = None
    connection = (
        Connection.objects.with_works_until()
        .filter(user=user, status__in=SHOWN_FOR)
        .values("status", "works_until")
        .first()
    )
    if connection is not None:
        banner = Banner(status=connection["status"], usable_until=connection["works_until"])
    cache.set(key, banner if banner is not None else _NOTHING, CACHE_SECONDS)
    return banner


def forget(user_public_ids: Iterable[UUID | str]) -> None:
    """Drop the cached banner state of these users (their connection changed)."""
    keys = [_key(public_id) for public_id in user_public_ids]
    if keys:
        cache.delete_many(keys)


def warm_on_login(sender: object, *, user: User, **kwargs: object) -> None:
    """Look once at sign-in, so the pages that follow find the banner state cached."""
    banner_for(user)
