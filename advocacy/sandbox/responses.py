"""LinkedIn-shaped responses: Rest.li headers on everything, LinkedIn's error envelope."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from django.http import HttpResponse

# Codes for errors LinkedIn does not name in what we have seen; the sandbox's own choice.
DEFAULT_CODES: dict[int, tuple[str, int]] = {
    400: ("ILLEGAL_ARGUMENT", 100),
    401: ("INVALID_ACCESS_TOKEN", 65600),
    403: ("ACCESS_DENIED", 100),
    404: ("NOT_FOUND", 100),
    405: ("METHOD_NOT_ALLOWED", 100),
    413: ("REQUEST_TOO_LARGE", 100),
    422: ("UNPROCESSABLE_ENTITY", 100),
    426: ("NONEXISTENT_VERSION", 100),
    429: ("TOO_MANY_REQUESTS", 101),
    500: ("INTERNAL_SERVER_ERROR", 0),
    502: ("BAD_GATEWAY", 0),
    503: ("SERVICE_UNAVAILABLE", 0),
    504: ("GATEWAY_TIMEOUT", 0),
}

DEFAULT_MESSAGES: dict[int, str] = {
    429: "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """An error the sandbox answers in LinkedIn's envelope.

    `body` replaces the envelope entirely where LinkedIn's own body is known to differ
    (the 422 duplicate post of linkedin-api.md 5.1).
    """

    def __init__(
        self,
        status: int,
        message: str = "",
        *,
        code: str | None = None,
        service_error_code: int | None = None,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        default_code, default_service_code = DEFAULT_CODES.get(status, ("ERROR", 0))
        self.status = status
        self.message = message or DEFAULT_MESSAGES.get(status, "Error")
        self.code = code or default_code
        self.service_error_code = (
            default_service_code if service_error_code is None else service_error_code
        )
        self.headers = headers or {}
        self.body = body
        super().__init__(self.message)

    def envelope(self) -> dict[str, Any]:
        if self.body is not None:
            return self.body
        return {
            "status": self.status,
            "serviceErrorCode": self.service_error_code,
            "code": self.code,
            "message": self.message,
        }


class OAuthError(Exception):
    """An error of the OAuth endpoints: `{"error", "error_description"}`."""

    def __init__(self, status: int, error: str, description: str) -> None:
        self.status = status
        self.error = error
        self.description = description
        super().__init__(description)


def request_id() -> str:
    return base64.b64encode(secrets.token_bytes(16)).decode("ascii")


def linkedin_headers(response: HttpResponse) -> HttpResponse:
    response["x-restli-protocol-version"] = "2.0.0"
    response["x-li-uuid"] = request_id()
    return response


def json_response(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return linkedin_headers(response)


def empty_response(status: int, *, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(status=status)
    # An empty body has no type; Django would otherwise claim text/html.
    del response["Content-Type"]
    for name, value in (headers or {}).items():
        response[name] = value
    return linkedin_headers(response)


def error_response(error: ApiError) -> HttpResponse:
    return json_response(
        error.envelope(),
        status=error.status,
        headers={"x-restli-error-response": "true", **error.headers},
    )


def oauth_error_response(error: OAuthError) -> HttpResponse:
    return json_response(
        {"error": error.error, "error_description": error.description}, status=error.status
    )


def paged(elements: list[Any], *, start: int = 0, count: int | None = None) -> dict[str, Any]:
    """A finder's answer: the elements and LinkedIn's `paging` record."""
    return {
        "paging": {"start": start, "count": count if count is not None else 10, "links": []},
        "elements": elements,
    }
