"""Re-encrypt every stored LinkedIn token with the first key of TOKEN_ENCRYPTION_KEYS.

Rotation: put the new key first in TOKEN_ENCRYPTION_KEYS, keep the old ones after it, deploy,
run this command, then drop the old keys. Running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q, QuerySet

from advocacy.linkedin import crypto
from advocacy.linkedin.models import Connection, PageConnection

TOKEN_COLUMNS = ("access_token_encrypted", "refresh_token_encrypted")


class Command(BaseCommand):
    help = "Re-encrypt every stored LinkedIn token with the first key of TOKEN_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        tables: list[tuple[str, QuerySet[Any]]] = [
            ("member connections", Connection.objects.all()),
            ("company page connections", PageConnection.all_tenants.all()),
        ]
        for label, rows in tables:
            rotated, current = self._rotate(rows, batch_size)
            self.stdout.write(
                f"{label}: {rotated} re-encrypted with the first key, {current} already were"
            )

    def _rotate(self, rows: QuerySet[Any], batch_size: int) -> tuple[int, int]:
        rotated = current = 0
        last_pk = 0
        while True:
            batch = list(
                rows.filter(pk__gt=last_pk).order_by("pk").values("pk", *TOKEN_COLUMNS)[:batch_size]
            )
            if not batch:
                return rotated, current
            last_pk = batch[-1]["pk"]
            with transaction.atomic():
                for row in batch:
                    stale = {
                        column: row[column]
                        for column in TOKEN_COLUMNS
                        if not crypto.is_current(row[column])
                    }
                    if not stale:
                        current += 1
                        continue
                    try:
                        fresh = {column: crypto.rotate(value) for column, value in stale.items()}
                    except crypto.TokenDecryptionError as exc:
                        raise CommandError(
                            f"{rows.model.__name__} {row['pk']}: {exc}. Put the key it was "
                            "encrypted with back into TOKEN_ENCRYPTION_KEYS."
                        ) from None
                    # Only if nobody rewrote the tokens meanwhile (a refresh, a reconnect).
                    unchanged = Q(**stale)
                    rotated += rows.filter(unchanged, pk=row["pk"]).update(**fresh)
