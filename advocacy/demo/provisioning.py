"""`sandbox_load --create-members`: put the sandbox's members into a platform organization.

For each scenario member: a user (found by email, or created without a usable password), an
opted-in membership with the scenario's team, and an active LinkedIn connection as if the
member had been through the consent screen; and each of the member's scenario posts recorded
as a post published through the platform (its URN, time, text, link and company/other mark),
since LinkedIn lets no ordinary app list a member's posts. The first page becomes the
organization's company page, connected by its first administrator. Running it again changes
nothing: rows are found by their natural keys (posts by URN), and a member whose connection
token (minted here for this organization) is still live is left alone.

This lives with the demo, above every app: it joins the sandbox to the LinkedIn app's
connections (`advocacy.linkedin.services`) and the content app's posts
(`content.sharing.record_published_post`), which the sandbox itself must not import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from advocacy.accounts.models import User, normalize_email
from advocacy.linkedin.services import LinkedInAccountTaken, connect_member, connect_page
from advocacy.sandbox import services
from advocacy.sandbox.addresses import member_picture
from advocacy.sandbox.application import current_app
from advocacy.sandbox.models import AccessToken, Member, Page, Post
from advocacy.tenancy.models import Membership, Organization, Team
from content.sharing import record_published_post


@dataclass
class ProvisionReport:
    users_created: list[str] = field(default_factory=list)
    memberships_created: list[str] = field(default_factory=list)
    members_connected: list[str] = field(default_factory=list)
    posts_recorded: int = 0
    page_connected: str = ""
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def provision_organization(*, organization: Organization) -> ProvisionReport:
    """Users, opted-in memberships, LinkedIn connections and the company page for the
    sandbox's members in `organization`; idempotent."""
    now = timezone.now()
    report = ProvisionReport()
    users: dict[int, User] = {}
    memberships: dict[int, Membership] = {}
    for member in Member.objects.all():
        users[member.pk] = _user(member, report)
        memberships[member.pk] = _membership(organization, users[member.pk], member, now, report)

    for member in Member.objects.all():
        if _live_provisioned(member, organization, "member", now):
            continue
        try:
            with transaction.atomic():
                _connect_member(member, users[member.pk], organization, now)
        except LinkedInAccountTaken:
            # Someone connected this scenario member to another platform user through the
            # consent screen; that connection stands, and this member is skipped.
            report.warnings.append(
                f"{member.name} ({member.sub}) is connected to another user; skipped."
            )
            continue
        report.members_connected.append(member.email)

    _record_posts(organization, memberships, report)
    page = Page.objects.prefetch_related("admins").first()
    if page is None:
        return report
    admin = page.admins.order_by("position", "sub").first()
    if admin is None:
        report.warnings.append(f"The page {page.name} has no administrator to connect it.")
    elif not _live_provisioned(admin, organization, "page", now):
        _connect_page(page, admin, users[admin.pk], organization, now)
        report.page_connected = page.urn
    return report


def _record_posts(
    organization: Organization, memberships: dict[int, Membership], report: ProvisionReport
) -> None:
    """The members' scenario posts, as posts they published through the platform."""
    scenario_posts = Post.objects.filter(
        origin=Post.Origin.SCENARIO, member__isnull=False, deleted_at__isnull=True
    ).order_by("created_at", "pk")
    for post in scenario_posts:
        _recorded, created = record_published_post(
            organization=organization,
            author=memberships[post.member_id],
            linkedin_urn=post.urn,
            text=post.commentary,
            published_at=post.created_at,
            is_company_content=post.company_content,
            link_url=post.article_url,
        )
        report.posts_recorded += created


def _user(member: Member, report: ProvisionReport) -> User:
    email = normalize_email(member.email)
    user, created = User.objects.get_or_create(email=email, defaults={"name": member.name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        report.users_created.append(email)
    if not EmailAddress.objects.filter(user=user, email=email).exists():
        EmailAddress.objects.create(
            user=user,
            email=email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    return user


def _membership(
    organization: Organization,
    user: User,
    member: Member,
    now: datetime,
    report: ProvisionReport,
) -> Membership:
    team = None
    if member.team:
        teams = Team.objects.for_org(organization)
        team = teams.filter(name__iexact=member.team).first() or teams.create(
            organization=organization, name=member.team
        )
    membership, created = Membership.objects.for_org(organization).get_or_create(
        organization=organization,
        user=user,
        defaults={"role": Membership.Role.EMPLOYEE, "team": team, "opted_in_at": now},
    )
    if created:
        report.memberships_created.append(user.email)
        return membership
    changed = []
    if team is not None and membership.team_id != team.pk:
        membership.team = team
        changed.append("team")
    if membership.opted_in_at is None:
        membership.opted_in_at = now
        changed.append("opted_in_at")
    if changed:
        membership.save(update_fields=changed)
    return membership


def _live_provisioned(member: Member, organization: Organization, role: str, now: datetime) -> bool:
    return (
        AccessToken.objects.live(now)
        .access()
        .filter(member=member, provisioned_for=organization.slug, provisioned_as=role)
        .exists()
    )


def _granted(wanted: list[str]) -> list[str]:
    """What a consent to `wanted` grants: the scopes the app holds, all or nothing per scope."""
    held = set(current_app().scopes)
    return [scope for scope in wanted if scope in held]


def _token_arguments(tokens: services.TokenSet, now: datetime) -> dict[str, Any]:
    refresh = tokens.refresh
    return {
        "scopes": tokens.access.scopes,
        "access_token": tokens.access.token,
        "expires_in": int((tokens.access.expires_at - now).total_seconds()),
        "refresh_token": refresh.token if refresh else "",
        "refresh_token_expires_in": int((refresh.expires_at - now).total_seconds())
        if refresh
        else None,
    }


def _connect_member(
    member: Member,
    user: User,
    organization: Organization,
    now: datetime,
) -> None:
    tokens = services.mint_tokens(
        member=member,
        scopes=_granted(list(settings.LINKEDIN_MEMBER_SCOPES)),
        client_id=settings.LINKEDIN_CLIENT_ID,
        now=now,
        with_refresh=current_app().refresh_tokens,
        provisioned_for=organization.slug,
        provisioned_as="member",
    )
    connect_member(
        user=user,
        sub=member.sub,
        name=member.name,
        picture_url=member_picture(member) or "",
        email=member.email,
        **_token_arguments(tokens, now),
    )


def _connect_page(
    page: Page,
    admin: Member,
    user: User,
    organization: Organization,
    now: datetime,
) -> None:
    tokens = services.mint_tokens(
        member=admin,
        scopes=_granted(list(settings.LINKEDIN_PAGE_SCOPES)),
        client_id=settings.LINKEDIN_CLIENT_ID,
        now=now,
        with_refresh=current_app().refresh_tokens,
        provisioned_for=organization.slug,
        provisioned_as="page",
    )
    connect_page(
        organization=organization,
        page_urn=page.urn,
        connected_by=user,
        **_token_arguments(tokens, now),
    )
