"""Chainable reads of the sandbox's tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models


class PostQuerySet(models.QuerySet[Any]):
    def live(self) -> PostQuerySet:
        """Posts that exist: not deleted."""
        return self.filter(deleted_at__isnull=True)

    def published(self) -> PostQuerySet:
        """Live posts in the feed: what analytics count."""
        return self.live().filter(lifecycle_state="PUBLISHED")


class AccessTokenQuerySet(models.QuerySet[Any]):
    def live(self, now: datetime) -> AccessTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def access(self) -> AccessTokenQuerySet:
        return self.filter(kind="access")

    def refresh(self) -> AccessTokenQuerySet:
        return self.filter(kind="refresh")


# Spelled out rather than Manager.from_queryset, which django-stubs resolves unreliably.
class PostManager(models.Manager[Any]):
    def get_queryset(self) -> PostQuerySet:
        return PostQuerySet(self.model, using=self._db)

    def live(self) -> PostQuerySet:
        return self.get_queryset().live()

    def published(self) -> PostQuerySet:
        return self.get_queryset().published()


class AccessTokenManager(models.Manager[Any]):
    def get_queryset(self) -> AccessTokenQuerySet:
        return AccessTokenQuerySet(self.model, using=self._db)

    def live(self, now: datetime) -> AccessTokenQuerySet:
        return self.get_queryset().live(now)

    def access(self) -> AccessTokenQuerySet:
        return self.get_queryset().access()

    def refresh(self) -> AccessTokenQuerySet:
        return self.get_queryset().refresh()
