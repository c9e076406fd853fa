"""What LinkedIn checks before it answers: the bearer token, the API version, the scopes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.http import HttpRequest

from .models import AccessToken, App
from .responses import ApiError

_VERSION = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})?$")
# How long LinkedIn serves a monthly version: at least a year (linkedin-api.md 10).
VERSION_LIFETIME_MONTHS = 12


@dataclass(frozen=True)
class Version:
    """The LinkedIn-Version header as sent, and the month it names."""

    sent: str
    year: int
    month: int

    @property
    def label(self) -> str:
        """How permission messages name the version: YYYYMM01."""
        return f"{self.year:04d}{self.month:02d}01"


NO_VERSION = "NO_VERSION"


def authenticate(request: HttpRequest, now: datetime) -> AccessToken:
    """The live access token of the request, or the 401 LinkedIn answers."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    token = value.strip() if scheme.lower() == "bearer" else ""
    if not token:
        raise ApiError(
            401, "Empty oauth2_access_token", code="EMPTY_ACCESS_TOKEN", service_error_code=65604
        )
    found = (
        AccessToken.objects.filter(token=token, kind=AccessToken.Kind.ACCESS)
        .select_related("member")
        .first()
    )
    if found is None:
        raise ApiError(
            401, "Invalid access token", code="INVALID_ACCESS_TOKEN", service_error_code=65600
        )
    if found.revoked_at is not None:
        raise ApiError(
            401,
            "The token used in the request has been revoked by the user",
            code="REVOKED_ACCESS_TOKEN",
            service_error_code=65601,
        )
    if found.expires_at <= now:
        raise ApiError(
            401,
            "The token used in the request has expired",
            code="EXPIRED_ACCESS_TOKEN",
            service_error_code=65602,
        )
    return found


def requested_version(request: HttpRequest, app: App, now: datetime) -> Version:
    """The active version the /rest call asks for, or 426.

    A version is active from its month until VERSION_LIFETIME_MONTHS later, measured from the
    later of the scenario's `today` and the real date (so a scenario can retire a version).
    """
    sent = request.headers.get("LinkedIn-Version", "").strip()
    if not sent:
        raise ApiError(
            426,
            "A version must be present. Please specify a version by adding the "
            "LinkedIn-Version header.",
            code="VERSION_MISSING",
        )
    match = _VERSION.match(sent)
    inactive = ApiError(426, f"Requested version {sent} is not active", code="NONEXISTENT_VERSION")
    if not match:
        raise inactive
    year, month = int(match["year"]), int(match["month"])
    if not 1 <= month <= 12:
        raise inactive
    if match["day"] is not None:
        try:
            date(year, month, int(match["day"]))
        except ValueError:
            raise inactive from None
    reference = max(app.today, now.date())
    age = (reference.year - year) * 12 + (reference.month - month)
    if age < 0 or age > VERSION_LIFETIME_MONTHS:
        raise inactive
    return Version(sent=sent, year=year, month=month)


def require_scope(
    token: AccessToken,
    app: App,
    any_of: tuple[str, ...],
    *,
    resource: str,
    method: str,
    version: str,
) -> None:
    """403 ACCESS_DENIED unless the token holds one of `any_of` and the application still
    has it (a scenario reloaded without a product takes it from old tokens too)."""
    if not set(any_of) & set(token.scopes) & set(app.scopes):
        raise access_denied(resource, method, version)


def access_denied(resource: str, method: str, version: str) -> ApiError:
    return ApiError(
        403,
        f"Not enough permissions to access: {resource}.{method}.{version}",
        code="ACCESS_DENIED",
        service_error_code=100,
    )
