"""CSV exports of the report's tables, with the organization and the range in the file name."""

from __future__ import annotations

import csv
import datetime as dt

from django.http import HttpResponse
from django.utils.text import slugify

from advocacy.tenancy.models import Organization

from .tables import Table, csv_value

# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def file_name(organization: Organization, what: str, start: dt.date, end: dt.date, ext: str) -> str:
    """acme-as-teams-2026-10-01-to-2026-10-31.csv"""
    name = slugify(organization.name) or organization.slug
    return f"{name}-{what}-{start.isoformat()}-to-{end.isoformat()}.{ext}"


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(table: Table, *, filename: str) -> HttpResponse:
    """Every row of the table (not only those the page shows), with its header row."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte order mark, so spreadsheet programs read the names in UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_safe(csv_value(cell.value)) for cell in row])
    return response
