"""Webhook signatures: HMAC-SHA256 over the timestamp and the body.

The header reads `X-Advocacy-Signature: t=<unix seconds>,v1=<hex>`, where the hex digest is
HMAC-SHA256(secret, f"{t}.{body}"). Right after a rotation it carries two v1 values, one per
secret, so a receiver keeps working while it switches to the new secret. A receiver checks
that one v1 matches, in constant time, and that t is recent (replays of an old delivery then
fail). docs/api.md shows the receiver's side in a few lines.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence

SIGNATURE_HEADER = "X-Advocacy-Signature"
EVENT_HEADER = "X-Advocacy-Event"
DELIVERY_HEADER = "X-Advocacy-Delivery"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a marker, not a secret)
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(signing_secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"]
    parts += [f"v1={signature(secret, timestamp, body)}" for secret in signing_secrets]
    return ",".join(parts)


def verify(
    header: str,
    body: bytes,
    secret: str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether `header` signs `body` with `secret` within `tolerance` seconds of now."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _sep, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
