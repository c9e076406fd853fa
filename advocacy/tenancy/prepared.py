"""Queries whose SQL Django builds once per process, then runs again with other ids.

Building and compiling a query with several subqueries costs Django a few milliseconds, more
than PostgreSQL takes to run it. A query that differs from one request to the next only by
the ids it names (the organization, the member) is built once with marker ids, and run with
the real ids in the markers' places.

For queries whose columns Django need not convert (counts, flags, ids): the rows come back
as the database driver gives them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Ids no row has: negative, and far from any constant a query might hold.
_FIRST_MARKER = -7_346_000_001


class OnceBuilt:
    """`build(**ids)` returns the queryset for the given ids; `first(**ids)` runs its SQL.

    `build` is called once per database, with marker values for the ids; each marker must
    reach the SQL's parameters (not its text), which is checked then.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *names: str) -> None:
        self._build = build
        self._markers = {name: _FIRST_MARKER - index for index, name in enumerate(names)}
        self._compiled: dict[str, tuple[str, list[Any], list[str | None]]] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> tuple[str, list[Any], list[str | None]]:
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                queryset = self._build(**self._markers).using(alias)
                sql, params = queryset.query.get_compiler(using=alias).as_sql()
                by_marker = {marker: name for name, marker in self._markers.items()}
                slots = [
                    by_marker.get(value) if isinstance(value, int) else None for value in params
                ]
                inlined = sorted(name for marker, name in by_marker.items() if str(marker) in sql)
                if inlined:
                    raise ValueError(
                        f"Ids written into the SQL, not passed as parameters: {inlined}"
                    )
                missing = sorted(set(self._markers) - set(slots))
                if missing:
                    raise ValueError(f"Ids the query does not use: {missing}")
                compiled = (sql, list(params), slots)
                self._compiled[alias] = compiled
        return compiled

    def first(self, using: str = "default", **ids: int) -> dict[str, Any] | None:
        """The first row for these ids, by column name, or None."""
        sql, params, slots = self._compile(using)
        values = [
            value if slot is None else ids[slot] for value, slot in zip(params, slots, strict=True)
        ]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
            if row is None:
                return None
            return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}
