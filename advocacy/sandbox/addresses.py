"""The sandbox's absolute addresses, on the hosts the client was configured with.

LINKEDIN_WWW_URL stands for https://www.linkedin.com (OAuth, uploads, pictures) and
LINKEDIN_API_URL for https://api.linkedin.com; both point at this process's sandbox prefix.
"""

from __future__ import annotations

from django.conf import settings

from .models import Member


def www_url(path: str) -> str:
    return f"{settings.LINKEDIN_WWW_URL}/{path.lstrip('/')}"


def api_url(path: str) -> str:
    return f"{settings.LINKEDIN_API_URL}/{path.lstrip('/')}"


def issuer() -> str:
    """The sandbox's own OIDC issuer (LinkedIn's is https://www.linkedin.com/oauth)."""
    return www_url("oauth")


def member_picture(member: Member) -> str | None:
    """The member's picture URL; None when the scenario says they have none."""
    if not member.has_picture:
        return None
    return member.picture_url or www_url(f"media/avatars/{member.sub}")
