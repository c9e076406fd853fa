"""The path every simulated API call takes: faults, token, version, parameters, errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ..access import NO_VERSION, Version, authenticate, requested_version, require_scope
from ..application import current_app
from ..faults import apply_faults
from ..models import AccessToken, App, Member
from ..responses import ApiError, error_response
from ..restli import QuerySyntaxError, RestliValue, parse_query_string
from ..simulation import Simulation


@dataclass
class Call:
    """One API call, once it passed the gateway checks."""

    request: HttpRequest
    method: str
    now: datetime
    app: App
    params: dict[str, RestliValue]
    token: AccessToken | None
    version: Version | None

    @property
    def member(self) -> Member:
        assert self.token is not None
        return self.token.member

    @property
    def version_label(self) -> str:
        return self.version.label if self.version else NO_VERSION

    def require(self, *any_of: str, resource: str, method: str) -> None:
        assert self.token is not None
        require_scope(
            self.token,
            self.app,
            any_of,
            resource=resource,
            method=method,
            version=self.version_label,
        )

    def simulation(self) -> Simulation:
        return Simulation(self.app, self.now)

    # Parameters ------------------------------------------------------------------------

    def param(self, name: str) -> RestliValue:
        if name not in self.params:
            raise ApiError(400, f"Missing required query parameter: {name}")
        return self.params[name]

    def scalar(self, name: str, default: str | None = None) -> str:
        if name not in self.params and default is not None:
            return default
        value = self.param(name)
        if not isinstance(value, str):
            raise ApiError(400, f"Query parameter {name} must be a plain value")
        return value

    def integer(self, name: str, default: int) -> int:
        if name not in self.params:
            return default
        try:
            value = int(self.scalar(name))
        except ValueError:
            raise ApiError(400, f"Query parameter {name} must be a whole number") from None
        if value < 0:
            raise ApiError(400, f"Query parameter {name} must not be negative")
        return value


Handler = Callable[[Call], HttpResponse]


def effective_method(request: HttpRequest) -> str:
    """The method meant: a long query tunnelled as POST + X-HTTP-Method-Override is a GET."""
    override = request.headers.get("X-HTTP-Method-Override", "").upper()
    if request.method == "POST" and override:
        return override
    return (request.method or "GET").upper()


def raw_query(request: HttpRequest) -> str:
    if request.method == "POST" and request.headers.get("X-HTTP-Method-Override"):
        return request.body.decode("utf-8", errors="replace")
    return request.META.get("QUERY_STRING", "")


def run(
    request: HttpRequest,
    operation: str,
    handler: Handler,
    *,
    versioned: bool,
    method: str | None = None,
) -> HttpResponse:
    """Play the scenario's faults, check the token (and version), then call the handler."""
    now = timezone.now()
    app = current_app()
    try:
        injected = apply_faults(operation, app, now)
        if injected is not None:
            raise injected_error(injected.status, injected.retry_after)
        token = authenticate(request, now)
        version = requested_version(request, app, now) if versioned else None
        try:
            params = parse_query_string(raw_query(request))
        except QuerySyntaxError as exc:
            raise ApiError(400, f"Invalid query parameters: {exc}") from None
        call = Call(
            request=request,
            method=method or effective_method(request),
            now=now,
            app=app,
            params=params,
            token=token,
            version=version,
        )
        return handler(call)
    except ApiError as error:
        return error_response(error)


def injected_error(status: int, retry_after: int | None) -> ApiError:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if status == 401:
        # What a fault 401 stands for: the 65601 flake on a live token (linkedin-api.md 3.6).
        return ApiError(
            401,
            "The token used in the request has been revoked by the user",
            code="REVOKED_ACCESS_TOKEN",
            service_error_code=65601,
            headers=headers,
        )
    return ApiError(status, headers=headers)


def method_not_allowed(method: str) -> ApiError:
    return ApiError(405, f"Method {method} is not supported by this resource")


def path_urn(value: str) -> str:
    """A URN from the path. Django decoded it once; what is still encoded was encoded twice."""
    if not value.startswith("urn:li:"):
        raise ApiError(400, f"Invalid URN in path: {value}")
    return value


# Dates ------------------------------------------------------------------------------------


def ymd(day: date) -> dict[str, int]:
    return {"day": day.day, "month": day.month, "year": day.year}


def parse_ymd(value: RestliValue, name: str) -> date:
    if not isinstance(value, dict):
        raise ApiError(400, f"{name} must be a (day:,month:,year:) record")
    try:
        return date(int(str(value["year"])), int(str(value["month"])), int(str(value["day"])))
    except (KeyError, ValueError):
        raise ApiError(400, f"{name} is not a valid date: {value}") from None


def parse_date_range(value: RestliValue) -> tuple[date, date]:
    """`(start:(day,month,year),end:(...))`: start included, end excluded."""
    if not isinstance(value, dict) or "start" not in value:
        raise ApiError(400, "dateRange must be a record with start and end")
    start = parse_ymd(value["start"], "dateRange.start")
    end = parse_ymd(value["end"], "dateRange.end") if "end" in value else None
    if end is None:
        raise ApiError(400, "dateRange.end is required")
    if end <= start:
        raise ApiError(400, "dateRange.end must be after dateRange.start")
    return start, end


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def day_from_ms(value: RestliValue, name: str) -> date:
    try:
        milliseconds = int(str(value))
    except ValueError:
        raise ApiError(400, f"{name} must be epoch milliseconds") from None
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC).date()


def clamp_days(start: date, end: date, last: date) -> list[date]:
    """Days in [start, end) that have data, i.e. not after `last`."""
    stop = min(end, last + timedelta(days=1))
    return [start + timedelta(days=n) for n in range(max(0, (stop - start).days))]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
