"""LinkedIn's OAuth scopes: parsing what LinkedIn returns, and saying what each one means."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PUBLISH = "w_member_social"
POST_ANALYTICS = "r_member_postAnalytics"
PROFILE_ANALYTICS = "r_member_profileAnalytics"
ANALYTICS = frozenset({POST_ANALYTICS, PROFILE_ANALYTICS})

DESCRIPTIONS: dict[str, Promise] = {
    "openid": _("sign you in with LinkedIn"),
    "profile": _("read your name and photo"),
    "email": _("read your email address"),
    PUBLISH: _("publish posts, comments and reactions as you"),
    "r_member_social": _("read your posts, comments and reactions"),
    POST_ANALYTICS: _("read how far your posts reach and how people react"),
    PROFILE_ANALYTICS: _("read your follower count"),
    "r_basicprofile": _("read your headline and profile address"),
    "r_1st_connections_size": _("count your connections"),
    "rw_organization_admin": _("manage the company page and read its follower statistics"),
    "r_organization_social": _("read the company page's posts and their statistics"),
    "w_organization_social": _("publish as the company page"),
    "r_organization_followers": _("read mentions by the company page's followers"),
}


def parse_scopes(raw: str | Iterable[str] | None) -> list[str]:
    """Scopes as a sorted list without duplicates.

    LinkedIn's token endpoint returns them comma-separated ("email,openid,profile"), OAuth
    convention is space-separated; both are accepted, as is a list.
    """
    if raw is None:
        return []
    items = re.split(r"[\s,]+", raw) if isinstance(raw, str) else list(raw)
    return sorted({item.strip() for item in items if item and item.strip()})


def describe(scope: str) -> str:
    """What a scope lets the platform do, in words a person understands."""
    description = DESCRIPTIONS.get(scope)
    return str(description) if description is not None else scope


@dataclass(frozen=True)
class Unavailable:
    """A figure (or ability) a connection cannot give, and why."""

    what: str
    why: str

    def __str__(self) -> str:
        return f"{self.what}: {self.why}"


def _why_missing(scope: str) -> str:
    if scope not in settings.LINKEDIN_MEMBER_SCOPES:
        return str(
            _(
                "this installation does not ask LinkedIn for it (the permission “%(scope)s” "
                "needs LinkedIn's approval of its Community Management API)."
            )
            % {"scope": scope}
        )
    return str(
        _(
            "LinkedIn did not grant the permission “%(scope)s”: it only gives it to "
            "applications it has approved for its Community Management API."
        )
        % {"scope": scope}
    )


def unavailable_for(scopes: Iterable[str]) -> list[Unavailable]:
    """What a member connection holding `scopes` cannot do or collect, and why."""
    granted = set(scopes)
    missing: list[Unavailable] = []
    if PUBLISH not in granted:
        missing.append(
            Unavailable(
                str(_("Publishing your posts from the platform")),
                _why_missing(PUBLISH),
            )
        )
    if POST_ANALYTICS not in granted:
        missing.append(
            Unavailable(
                str(
                    _("Impressions, people reached, reactions, comments and reshares of your posts")
                ),
                _why_missing(POST_ANALYTICS)
                + " "
                + str(_("You can enter or import them by hand.")),
            )
        )
    if PROFILE_ANALYTICS not in granted:
        missing.append(
            Unavailable(
                str(_("Your follower count and its growth")),
                _why_missing(PROFILE_ANALYTICS)
                + " "
                + str(_("You can enter or import it by hand.")),
            )
        )
    return missing
