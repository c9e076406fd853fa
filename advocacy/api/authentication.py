"""`Authorization: Bearer <token>` with a personal API token (tokens.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from advocacy.accounts.models import User

from .models import ApiToken
from .tokens import TokenRejected, authenticate_token


class BearerTokenAuthentication(BaseAuthentication):
    """Sets `request.user` to the token's user and `request.auth` to the token, whose
    `membership` is the organization and role the request acts with."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None  # another scheme, or none: the session may still authenticate
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”."), code="invalid_token"
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("This API token is not valid."), code="invalid_token"
            ) from None
        try:
            token = authenticate_token(raw)
        except TokenRejected as rejected:
            raise exceptions.AuthenticationFailed(str(rejected), code=rejected.code) from None
        return token.membership.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
