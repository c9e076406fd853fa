"""Cursor pagination for every API list, with cursors that cannot be forged or misapplied.

DRF's cursor (an offset and the position of the last row seen) is signed, and carries a
fingerprint of the query it belongs to: the path and every parameter but the cursor and the
page size. A garbled cursor, or one taken from another list, filter or ordering, is a 400
with the envelope instead of a page of the wrong rows. The page size is checked, not
silently cut down: more than the view's maximum is a 400 too.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from .tenancy import Problem

CURSOR_SALT = "advocacy.api.cursor"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def query_fingerprint(request: Request, ignore: tuple[str, ...]) -> str:
    """What makes two requests the same list: the path and the other parameters, sorted."""
    params = sorted(
        (name, value)
        for name, values in request.query_params.lists()
        if name not in ignore
        for value in values
    )
    raw = repr((request.path, params)).encode()
    return hashlib.sha256(raw).hexdigest()[:20]


class SignedCursorPagination(CursorPagination):
    cursor_query_param = "cursor"
    cursor_query_description = "Where the page starts: the `next` or `previous` link's cursor."
    page_size_query_param = "page_size"
    page_size_query_description = "Rows per page."
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    template = None
    _fingerprint = ""

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        self.page_size = getattr(view, "page_size", None) or DEFAULT_PAGE_SIZE
        self.max_page_size = getattr(view, "max_page_size", None) or MAX_PAGE_SIZE
        self._fingerprint = query_fingerprint(
            request, (self.cursor_query_param, self.page_size_query_param)
        )
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return int(self.page_size)
        maximum = int(self.max_page_size)
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= maximum:
            raise Problem(
                "invalid_page_size",
                _("page_size is a whole number from 1 to %(max)d.") % {"max": maximum},
                fields={self.page_size_query_param: [_("From 1 to %(max)d.") % {"max": maximum}]},
            )
        return size

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        ordering: tuple[str, ...] = view.ordering_for(request)
        return ordering

    def decode_cursor(self, request: Request) -> Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            data = signing.loads(encoded, salt=CURSOR_SALT)
            offset, reverse, position, fingerprint = (
                int(data["o"]),
                bool(data["r"]),
                data["p"],
                str(data["q"]),
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise Problem(
                "invalid_cursor",
                _("This cursor is not one the API gave out. Start again without it."),
                fields={self.cursor_query_param: [_("Not a valid cursor.")]},
            ) from None
        if fingerprint != self._fingerprint:
            raise Problem(
                "invalid_cursor",
                _(
                    "This cursor belongs to another query: keep the filters and the ordering "
                    "of the request that gave it, or start again without it."
                ),
                fields={self.cursor_query_param: [_("From another query.")]},
            )
        if not 0 <= offset <= self.offset_cutoff or not (
            position is None or isinstance(position, str)
        ):
            raise Problem("invalid_cursor", _("This cursor is not one the API gave out."))
        return Cursor(offset=offset, reverse=reverse, position=position)

    def encode_cursor(self, cursor: Cursor) -> str:
        token = signing.dumps(
            {
                "o": cursor.offset,
                "r": int(cursor.reverse),
                "p": cursor.position,
                "q": self._fingerprint,
            },
            salt=CURSOR_SALT,
            compress=True,
        )
        url: str = replace_query_param(self.base_url, self.cursor_query_param, token)
        return url

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        maximum = getattr(view, "max_page_size", None) or MAX_PAGE_SIZE
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": self.cursor_query_description,
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"{self.page_size_query_description} At most {maximum}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": maximum},
            },
        ]
