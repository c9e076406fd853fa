"""Calling the REST API in tests: personal API tokens and clients that send them."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.api.tokens import create_api_token
from advocacy.tenancy.models import Membership, Organization

API = "/api/v1"


def make_token(user: User, organization: Organization, *, days: int = 30, name: str = "") -> str:
    """A new personal API token of the user's membership, as its holder has it."""
    membership = Membership.all_tenants.select_related("organization", "user").get(
        organization=organization, user=user
    )
    made = create_api_token(
        membership=membership,
        name=name or f"{user.email} test token",
        expires_at=timezone.now() + timedelta(days=days),
    )
    return made.raw


class ApiClient:
    """A client that sends a bearer token and JSON bodies."""

    def __init__(self, raw_token: str | None = None, client: Client | None = None) -> None:
        headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}
        self.client = client or Client(headers=headers)
        self.raw_token = raw_token

    def get(self, path: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.client.get(_url(path), params or {}, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._send("post", path, body, **extra)

    def patch(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._send("patch", path, body, **extra)

    def put(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._send("put", path, body, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self.client.delete(_url(path), **extra)

    def _send(self, method: str, path: str, body: Any, **extra: Any) -> Any:
        data = (
            body if isinstance(body, str | bytes) else json.dumps(body if body is not None else {})
        )
        return getattr(self.client, method)(
            _url(path),
            data=data,
            content_type=extra.pop("content_type", "application/json"),
            **extra,
        )


def _url(path: str) -> str:
    return path if path.startswith("/api/") else f"{API}/{path.lstrip('/')}"


def api_for(user: User, organization: Organization) -> ApiClient:
    return ApiClient(make_token(user, organization))


def error_of(response: Any) -> dict[str, Any]:
    """The envelope's error of a failed response (and that the envelope is there)."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    error: dict[str, Any] = body["error"]
    return error
