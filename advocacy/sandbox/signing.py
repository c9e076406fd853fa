"""The sandbox's OpenID Connect signing: one RSA key, its JWKS, and RS256 id_tokens."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.db import IntegrityError, transaction

from .models import SigningKey


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64url(number: int) -> str:
    return _b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def signing_key() -> SigningKey:
    """The key in use, generated the first time it is needed and kept from then on."""
    key = SigningKey.objects.order_by("created_at", "pk").first()
    if key is not None:
        return key
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    try:
        with transaction.atomic():
            SigningKey.objects.create(kid=secrets.token_hex(8), private_key_pem=pem)
    except IntegrityError:  # pragma: no cover - two first requests at once
        pass
    return SigningKey.objects.order_by("created_at", "pk")[0]


def _private_key(key: SigningKey) -> rsa.RSAPrivateKey:
    loaded = serialization.load_pem_private_key(key.private_key_pem.encode("ascii"), None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


def jwks() -> dict[str, Any]:
    """The JSON Web Key Set LinkedIn serves at /oauth/openid/jwks."""
    key = signing_key()
    numbers = _private_key(key).public_key().public_numbers()
    return {
        "keys": [
            {
                "kty": "RSA",
                "kid": key.kid,
                "use": "sig",
                "alg": "RS256",
                "e": _int_b64url(numbers.e),
                "n": _int_b64url(numbers.n),
            }
        ]
    }


def sign_id_token(claims: dict[str, Any]) -> str:
    """An RS256 JWT over `claims`, with the key's `kid` in its header."""
    key = signing_key()
    header = {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode("utf-8"))
        for part in (header, claims)
    )
    signature = _private_key(key).sign(
        signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
    )
    return f"{signing_input}.{_b64url(signature)}"
