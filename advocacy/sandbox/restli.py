"""Rest.li 2.0 query strings, parsed the way LinkedIn's servers read them.

Structural characters `( ) , :` are raw; scalars inside are percent-encoded once, so a URN in a
record is `urn%3Ali%3Ashare%3A1`. Lists are `List(a,b)`, records and unions `(key:value)`, and
`''` is the empty string. A top-level value that is not a list or record is one scalar.

The sandbox has its own parser on purpose: it checks the client's encoder instead of sharing
its mistakes.
"""

from __future__ import annotations

from urllib.parse import unquote

RestliValue = str | list["RestliValue"] | dict[str, "RestliValue"]

STRUCTURAL = "(),:"


class QuerySyntaxError(ValueError):
    """The query string is not valid Rest.li 2.0."""


def parse_query_string(raw: str) -> dict[str, RestliValue]:
    """Parse a raw (still percent-encoded) query string into names and Rest.li values.

    A name given twice keeps its first value, as LinkedIn's gateway does for scalars.
    """
    params: dict[str, RestliValue] = {}
    for part in raw.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        key = unquote(name)
        if not key:
            raise QuerySyntaxError(f"Empty parameter name in {part!r}")
        if key not in params:
            params[key] = parse_value(value)
    return params


def parse_value(raw: str) -> RestliValue:
    """One parameter value: a list, a record, or (anything else) a single scalar."""
    if raw.startswith("List(") or raw.startswith("("):
        parser = _Parser(raw)
        value = parser.value()
        if parser.pos != len(raw):
            raise QuerySyntaxError(f"Unexpected {raw[parser.pos :]!r} after the value in {raw!r}")
        return value
    return _scalar(raw)


def _scalar(raw: str) -> str:
    if raw == "''":
        return ""
    return unquote(raw)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def value(self) -> RestliValue:
        if self.text.startswith("List(", self.pos):
            self.pos += len("List(")
            return self._list()
        if self._peek() == "(":
            self.pos += 1
            return self._record()
        return self._scalar_token(stop=",)")

    def _list(self) -> list[RestliValue]:
        items: list[RestliValue] = []
        if self._peek() == ")":
            self.pos += 1
            return items
        while True:
            items.append(self.value())
            char = self._take()
            if char == ")":
                return items
            if char != ",":
                raise self._error("',' or ')' in a list")

    def _record(self) -> dict[str, RestliValue]:
        record: dict[str, RestliValue] = {}
        if self._peek() == ")":
            self.pos += 1
            return record
        while True:
            key = self._scalar_token(stop=":")
            if not key:
                raise self._error("a field name")
            if self._take() != ":":
                raise self._error("':' after a field name")
            record[key] = self.value()
            char = self._take()
            if char == ")":
                return record
            if char != ",":
                raise self._error("',' or ')' in a record")

    def _scalar_token(self, *, stop: str) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in stop:
            if self.text[self.pos] in STRUCTURAL:
                raise self._error("a percent-encoded value (structural character inside it)")
            self.pos += 1
        return _scalar(self.text[start : self.pos])

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _take(self) -> str:
        char = self._peek()
        self.pos += 1
        return char

    def _error(self, expected: str) -> QuerySyntaxError:
        found = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end"
        return QuerySyntaxError(
            f"Expected {expected} at position {self.pos} of {self.text!r}, found {found}"
        )
