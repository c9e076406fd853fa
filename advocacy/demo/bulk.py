"""Writing many rows fast: COPY on PostgreSQL, batched executemany elsewhere.

`RowWriter` is the one way the scale data set (scale.py) writes a table: rows are tuples of
the columns the caller names; every other column gets its field's default (the run's fixed
time for `auto_now` fields), so a row needs no model instance. Primary keys are assigned by
the caller (`next_id`), starting after the table's current highest id, so child rows can
point at parents without reading them back; `reset_sequences` then moves PostgreSQL's
sequences past them, so later ORM inserts do not collide.

`delete_cascading` is the matching fast removal: one DELETE (or UPDATE for SET_NULL) per
related table, children first, instead of the ORM's row-by-row collector.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from django.db import connection, models
from django.db.models.deletion import CASCADE, DO_NOTHING, SET_NULL

SQLITE_BATCH = 2_000


class RowWriter:
    """Writes rows of any model's table; counts what it wrote per table."""

    def __init__(self, *, stamp: datetime) -> None:
        self.stamp = stamp
        self.counts: Counter[str] = Counter()
        self.written_models: list[type[models.Model]] = []
        self._copying = False

    def next_id(self, model: type[models.Model]) -> int:
        """The first free primary key of `model`'s table (after the highest one there)."""
        if self._copying:
            # A query while COPY runs would wait for the COPY, which waits for the rows.
            raise RuntimeError("next_id() was called from inside a write's rows; call it before")
        table = connection.ops.quote_name(model._meta.db_table)
        column = _quoted_column(model._meta.pk)
        with connection.cursor() as cursor:
            # Names from the model's metadata, quoted: no input reaches this SQL.
            cursor.execute(f"SELECT MAX({column}) FROM {table}")  # noqa: S608
            row = cursor.fetchone()
        return int(row[0] or 0) + 1 if row else 1

    def write(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        table: str | None = None,
    ) -> int:
        """Insert `rows` (tuples of the attributes `fields` names, in order) into `model`'s
        table, or into `table` with the same columns; every other column gets its default.
        Returns how many rows were written."""
        by_attname = {field.attname: field for field in model._meta.concrete_fields}
        given = [by_attname[name] for name in fields]
        rest = [field for field in model._meta.concrete_fields if field not in given]
        tail = tuple(self._default(model, field) for field in rest)
        columns = given + rest
        if model not in self.written_models:
            self.written_models.append(model)
        target = connection.ops.quote_name(table or model._meta.db_table)
        if connection.vendor == "postgresql":
            written = self._copy(target, columns, len(given), tail, rows)
        else:
            written = self._insert(target, columns, tail, rows)
        self.counts[table or model._meta.db_table] += written
        return written

    def reset_sequences(self) -> None:
        """Move each written table's id sequence past its highest id (PostgreSQL only)."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in self.written_models:
                table = model._meta.db_table
                column = _quoted_column(model._meta.pk, quoted=False)
                quoted_table = connection.ops.quote_name(table)
                quoted_column = connection.ops.quote_name(column)
                cursor.execute(
                    # Names from the model's metadata: no input reaches this SQL.
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608
                    f"COALESCE(MAX({quoted_column}), 0) + 1, false) FROM {quoted_table}",
                    [table, column],
                )

    def analyze(self) -> None:
        """Refresh the planner's statistics of each written table (PostgreSQL only): right
        after a bulk load it knows nothing of millions of new rows and picks nested loops."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in self.written_models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def _default(self, model: type[models.Model], field: models.Field[Any, Any]) -> Any:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.stamp
        if field.has_default():
            if field.unique and callable(field.default):
                raise ValueError(f"{model.__name__}.{field.name} is unique: give each row one")
            return field.get_default()
        if field.null:
            return None
        if field.empty_strings_allowed and field.blank:
            return ""
        raise ValueError(f"{model.__name__}.{field.name} needs a value")

    def _copy(
        self,
        table: str,
        columns: list[models.Field[Any, Any]],
        given: int,
        tail: tuple[Any, ...],
        rows: Iterable[Sequence[Any]],
    ) -> int:
        json_given = [
            index
            for index, field in enumerate(columns[:given])
            if isinstance(field, models.JSONField)
        ]
        tail = tuple(
            json.dumps(value) if isinstance(field, models.JSONField) else value
            for field, value in zip(columns[given:], tail, strict=True)
        )
        names = ", ".join(_quoted_column(field) for field in columns)
        statement = f"COPY {table} ({names}) FROM STDIN"
        connection.ensure_connection()
        raw: Any = connection.connection
        self._copying = True
        try:
            written = self._copy_rows(raw, statement, json_given, tail, rows)
        finally:
            self._copying = False
        return written

    def _copy_rows(
        self,
        raw: Any,
        statement: str,
        json_given: list[int],
        tail: tuple[Any, ...],
        rows: Iterable[Sequence[Any]],
    ) -> int:
        written = 0
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            write_row = copy.write_row
            if json_given:
                for row in rows:
                    values = list(row)
                    for index in json_given:
                        values[index] = json.dumps(values[index])
                    write_row((*values, *tail))
                    written += 1
            else:
                for row in rows:
                    write_row((*row, *tail))
                    written += 1
        return written

    def _insert(
        self,
        table: str,
        columns: list[models.Field[Any, Any]],
        tail: tuple[Any, ...],
        rows: Iterable[Sequence[Any]],
    ) -> int:
        prepare = [_preparer(field) for field in columns]
        names = ", ".join(_quoted_column(field) for field in columns)
        marks = ", ".join(["%s"] * len(columns))
        # Names from the model's metadata, quoted; the values go as parameters.
        statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        written = 0
        iterator = iter(rows)
        with connection.cursor() as cursor:
            while batch := list(islice(iterator, SQLITE_BATCH)):
                cursor.executemany(
                    statement,
                    [
                        [prep(value) for prep, value in zip(prepare, (*row, *tail), strict=True)]
                        for row in batch
                    ],
                )
                written += len(batch)
        return written


def _quoted_column(field: models.Field[Any, Any], *, quoted: bool = True) -> str:
    column = field.column
    assert column is not None, f"{field} has no column"
    return connection.ops.quote_name(column) if quoted else column


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    def prepare(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return prepare


def _relations(model: type[models.Model]) -> list[Any]:
    """The foreign keys (and one-to-ones) pointing at `model`, as Django's deletion sees them."""
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_one or field.one_to_many)
    ]


def _subquery(queryset: models.QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.values("pk").query.sql_with_params()
    return sql, tuple(params)


def delete_rows(queryset: models.QuerySet[Any]) -> int:
    """DELETE the rows of `queryset` in one statement (no cascade, no signals)."""
    model = queryset.model
    sql, params = _subquery(queryset)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = _quoted_column(model._meta.pk)
    with connection.cursor() as cursor:
        # The subquery is the ORM's own SQL with its parameters.
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)  # noqa: S608
        return int(cursor.rowcount or 0)


def delete_cascading(
    queryset: models.QuerySet[Any],
    *,
    skip: Callable[[type[models.Model]], bool] = lambda model: False,
    counts: Counter[str] | None = None,
) -> int:
    """Delete `queryset`'s rows and, first, what points at them, as the ORM would (CASCADE
    deletes, SET_NULL clears), but with one statement per table. Tables for which `skip` is
    true are left to the caller (who has removed their rows already)."""
    counts = counts if counts is not None else Counter()
    for relation in _relations(queryset.model):
        child: type[models.Model] = relation.related_model
        if skip(child):
            continue
        field = relation.field
        on_delete = field.remote_field.on_delete
        children = child._base_manager.filter(**{f"{field.name}__in": queryset.values("pk")})
        if on_delete is CASCADE:
            delete_cascading(children, skip=skip, counts=counts)
        elif on_delete is SET_NULL:
            children.update(**{field.name: None})
        elif on_delete is not DO_NOTHING:
            raise ValueError(f"{child.__name__}.{field.name}: cannot delete through {on_delete}")
    deleted = delete_rows(queryset)
    counts[queryset.model._meta.db_table] += deleted
    return deleted
