"""Connecting LinkedIn: the member's own account (/linkedin/) and the company page (tenant).

Both go through LinkedIn's consent screen and come back to one callback; what the flow was
for (purpose "member" or "page") is kept in the session with the `state`, which is random,
single-use and short-lived. Nothing is stored until the callback has checked the state,
exchanged the code and identified the LinkedIn account.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from advocacy.accounts.http import AuthenticatedRequest
from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import Membership
from advocacy.tenancy.permissions import role_required

from . import crypto, errors, oauth, services
from .client import UserInfo
from .forms import PageChoiceForm
from .models import PAGE_ROLES, Connection, PageConnection
from .scopes import describe

PENDING_KEY = "linkedin_oauth"
PAGE_GRANT_KEY = "linkedin_page_grant"
# How long the consent screen may take, and how long a page grant waits for its page.
STATE_MAX_AGE_SECONDS = 15 * 60
PAGE_GRANT_MAX_AGE_SECONDS = 30 * 60
MAX_PENDING = 5

MEMBER = "member"
PAGE = "page"


# The OAuth round trip --------------------------------------------------------------------------


def _start(
    request: HttpRequest, *, purpose: str, scopes: list[str], org_slug: str = ""
) -> HttpResponse:
    """Remember a fresh state for this flow and send the browser to LinkedIn's consent screen."""
    state = secrets.token_urlsafe(32)
    redirect_uri = request.build_absolute_uri(reverse("linkedin:callback"))
    pending: dict[str, Any] = dict(request.session.get(PENDING_KEY) or {})
    now = time.time()
    pending = {
        key: value
        for key, value in pending.items()
        if now - float(value.get("created", 0)) < STATE_MAX_AGE_SECONDS
    }
    # Keep the newest few: a second tab does not break the first, and the session stays small.
    for key in sorted(pending, key=lambda k: pending[k]["created"])[: -MAX_PENDING + 1]:
        del pending[key]
    pending[state] = {
        "purpose": purpose,
        "redirect_uri": redirect_uri,
        "created": now,
        "user": request.user.pk,
        "org": org_slug,
    }
    request.session[PENDING_KEY] = pending
    url = oauth.authorization_url(state=state, redirect_uri=redirect_uri, scopes=scopes)
    return HttpResponseRedirect(url)


def _take_pending(request: HttpRequest, state: str) -> dict[str, Any] | None:
    """The flow this state belongs to, removed from the session (a state works once)."""
    pending: dict[str, Any] = dict(request.session.get(PENDING_KEY) or {})
    flow = pending.pop(state, None) if state else None
    request.session[PENDING_KEY] = pending
    if not isinstance(flow, dict):
        return None
    if flow.get("user") != request.user.pk:
        return None
    if time.time() - float(flow.get("created", 0)) >= STATE_MAX_AGE_SECONDS:
        return None
    return flow


def _problem(request: HttpRequest, title: str, message: str, *, status: int = 400) -> HttpResponse:
    return render(
        request,
        "linkedin/problem.html",
        {"title": title, "message": message},
        status=status,
    )


def _denial_message(error: str, description: str) -> str:
    if error in {"user_cancelled_authorize", "user_cancelled_login"}:
        return _(
            "You cancelled on LinkedIn, so nothing was connected. You can connect whenever you "
            "like; it is voluntary."
        )
    if error == "unauthorized_scope_error":
        return _(
            "LinkedIn refused the permissions this installation asks for: its LinkedIn "
            "application is not approved for all of them. Please tell an administrator. "
            "LinkedIn said: %(description)s"
        ) % {"description": description or error}
    return _("LinkedIn did not complete the connection (%(reason)s). Please try again.") % {
        "reason": description or error
    }


def _back_to(flow: dict[str, Any]) -> str:
    if flow.get("purpose") == PAGE and flow.get("org"):
        return reverse("linkedin_page:settings", kwargs={"org_slug": flow["org"]})
    return reverse("profile") + "#linkedin"


@login_required
@require_GET
@never_cache
def callback(request: AuthenticatedRequest) -> HttpResponse:
    """Where LinkedIn sends the browser back, with a code or an error, and our state."""
    flow = _take_pending(request, request.GET.get("state", ""))
    if flow is None:
        return _problem(
            request,
            _("This LinkedIn link is no longer valid"),
            _(
                "The answer from LinkedIn does not match a connection you started in this "
                "browser in the last %(minutes)s minutes, so nothing was changed. Please start "
                "again from your profile."
            )
            % {"minutes": STATE_MAX_AGE_SECONDS // 60},
        )
    if request.GET.get("error"):
        messages.warning(
            request,
            _denial_message(request.GET["error"], request.GET.get("error_description", "")),
        )
        return redirect(_back_to(flow))
    code = request.GET.get("code", "")
    if not code:
        return _problem(
            request,
            _("LinkedIn sent no authorization"),
            _("LinkedIn's answer carried no authorization code, so nothing was changed."),
        )
    try:
        tokens = oauth.exchange_code(code, flow["redirect_uri"])
    except errors.OAuthError:
        return _problem(
            request,
            _("LinkedIn did not accept the authorization"),
            _(
                "LinkedIn refused the authorization: it was already used, or it expired. "
                "Nothing was changed. Please connect again."
            ),
        )
    except errors.LinkedInError as exc:
        return _problem(
            request, _("LinkedIn could not be reached"), str(exc.explanation), status=502
        )
    if flow["purpose"] == PAGE:
        return _page_callback(request, flow, tokens)
    return _member_callback(request, tokens)


def _member_callback(request: AuthenticatedRequest, tokens: oauth.TokenSet) -> HttpResponse:
    claims: dict[str, Any] = {}
    if tokens.id_token:
        try:
            claims = oauth.verify_id_token(tokens.id_token)
        except errors.LinkedInError:
            return _problem(
                request,
                _("LinkedIn's answer could not be verified"),
                _("The identity LinkedIn sent could not be verified, so nothing was changed."),
            )
    try:
        info = oauth.userinfo(tokens.access_token)
    except errors.LinkedInError as exc:
        if not claims.get("sub"):
            return _problem(
                request,
                _("LinkedIn did not say who you are"),
                _(
                    "The platform could not read your LinkedIn identity (%(reason)s), so "
                    "nothing was changed."
                )
                % {"reason": exc.explanation},
                status=502,
            )
        info = UserInfo(
            sub=str(claims["sub"]),
            name=str(claims.get("name") or ""),
            picture=str(claims.get("picture") or ""),
            email=str(claims.get("email") or ""),
        )
    if claims.get("sub") and claims["sub"] != info.sub:
        return _problem(
            request,
            _("LinkedIn's answer could not be verified"),
            _("LinkedIn named two different accounts, so nothing was changed."),
        )
    taken = _(
        "This LinkedIn account is already connected to another person on this platform, so "
        "it was not connected to yours and nothing was changed. If it is yours, disconnect it "
        "there first, or sign in to LinkedIn with your own account and try again."
    )
    # Not revoked either: LinkedIn may hand out the same live token again, and revoking it
    # would cut off the other person's connection.
    if services.linked_to_someone_else(sub=info.sub, user=request.user):
        return _problem(request, _("Already connected to someone else"), taken, status=409)
    try:
        connection = services.connect_member(
            user=request.user,
            sub=info.sub,
            name=info.name,
            picture_url=info.picture,
            email=info.email,
            scopes=tokens.scopes or settings.LINKEDIN_MEMBER_SCOPES,
            access_token=tokens.access_token,
            expires_in=tokens.expires_in,
            refresh_token=tokens.refresh_token,
            refresh_token_expires_in=tokens.refresh_token_expires_in,
        )
    except services.LinkedInAccountTaken:
        return _problem(request, _("Already connected to someone else"), taken, status=409)
    messages.success(request, _connected_message(connection))
    return redirect(reverse("profile") + "#linkedin")


def _connected_message(connection: Connection) -> str:
    granted = ", ".join(describe(scope) for scope in connection.scopes)
    text = _("Your LinkedIn account %(name)s is connected. The platform may %(granted)s.") % {
        "name": connection.name or connection.sub,
        "granted": granted,
    }
    missing = connection.unavailable_figures()
    if missing:
        text += " " + _("Not available: %(missing)s") % {
            "missing": " ".join(f"{item.what}: {item.why}" for item in missing)
        }
    return text


@login_required
@require_POST
def connect(request: AuthenticatedRequest) -> HttpResponse:
    """Start connecting the user's own LinkedIn account (or reconnecting it)."""
    return _start(request, purpose=MEMBER, scopes=settings.LINKEDIN_MEMBER_SCOPES)


@login_required
@require_http_methods(["GET", "POST"])
def disconnect(request: AuthenticatedRequest) -> HttpResponse:
    """Ask what disconnecting means (GET), then disconnect (POST)."""
    connection = Connection.objects.filter(user=request.user).first()
    if connection is None:
        messages.info(request, _("Your LinkedIn account is not connected."))
        return redirect(reverse("profile") + "#linkedin")
    if request.method == "POST":
        services.disconnect_member(connection=connection)
        messages.success(
            request,
            _(
                "Your LinkedIn account is disconnected and its access withdrawn. The platform "
                "no longer publishes for you, your scheduled posts will not go out, and your "
                "follower and post figures are no longer collected. Figures collected so far "
                "stay in the reports."
            ),
        )
        return redirect(reverse("profile") + "#linkedin")
    return render(request, "linkedin/disconnect.html", {"connection": connection})


# The company page ----------------------------------------------------------------------------


def _page_callback(
    request: AuthenticatedRequest, flow: dict[str, Any], tokens: oauth.TokenSet
) -> HttpResponse:
    """Keep the page administrator's grant for a moment and ask which page it is for."""
    membership = (
        Membership.all_tenants.select_related("organization")
        .filter(
            organization__slug=flow.get("org", ""),
            user=request.user,
            is_active=True,
            role__in=PAGE_ROLES,
        )
        .first()
    )
    if membership is None:
        return _problem(
            request,
            _("You cannot connect this company page"),
            _(
                "You are no longer an admin or communications member of this organization, so "
                "nothing was changed."
            ),
            status=403,
        )
    grants: dict[str, Any] = dict(request.session.get(PAGE_GRANT_KEY) or {})
    now = time.time()
    grants[membership.organization.slug] = {
        "user": request.user.pk,
        "created": now,
        "access_token": crypto.encrypt(tokens.access_token),
        "expires_at": now + tokens.expires_in,
        "refresh_token": crypto.encrypt(tokens.refresh_token),
        "refresh_expires_at": (
            now + tokens.refresh_token_expires_in
            if tokens.refresh_token and tokens.refresh_token_expires_in
            else None
        ),
        "scopes": tokens.scopes or list(settings.LINKEDIN_PAGE_SCOPES),
    }
    request.session[PAGE_GRANT_KEY] = grants
    messages.info(request, _("LinkedIn said yes. Now say which company page to connect."))
    return redirect("linkedin_page:settings", org_slug=membership.organization.slug)


def _page_grant(request: OrgRequest) -> dict[str, Any] | None:
    grant = (request.session.get(PAGE_GRANT_KEY) or {}).get(request.organization.slug)
    if not isinstance(grant, dict) or grant.get("user") != request.user.pk:
        return None
    if time.time() - float(grant.get("created", 0)) >= PAGE_GRANT_MAX_AGE_SECONDS:
        return None
    return grant


def _drop_page_grant(request: OrgRequest) -> None:
    grants: dict[str, Any] = dict(request.session.get(PAGE_GRANT_KEY) or {})
    grants.pop(request.organization.slug, None)
    request.session[PAGE_GRANT_KEY] = grants


class PageCheckFailed(Exception):
    pass


def _check_page_access(access_token: str, page_urn: str) -> int | None:
    """Prove with the new token that the platform can collect the page's figures.

    networkSizes gives today's follower total (shown to whoever connects), but LinkedIn does
    not require the page's ADMINISTRATOR role for it; the follower statistics, which the
    reports need, do. So one day of those is asked for too. (The organization ACL lookup is
    not in the sandbox contract.)
    """
    try:
        from advocacy.linkedin.client import LinkedInClient
    except ImportError:
        raise PageCheckFailed(
            _(
                "This installation cannot check company pages yet (its LinkedIn client is "
                "missing), so the page was not connected."
            )
        ) from None
    # Not waiting for the daily budget: someone is looking at the page.
    client = LinkedInClient(access_token, member_key=page_urn, max_quota_wait=0)
    today = timezone.now().date()
    try:
        followers = client.page_follower_count(page_urn)
        client.page_follower_gains(page_urn, today - timedelta(days=1), today)
    except errors.PermissionDenied:
        raise PageCheckFailed(
            _(
                "LinkedIn says the account you signed in with may not administer this page, or "
                "the application lacks the page permissions. Sign in to LinkedIn as an "
                "administrator of the page."
            )
        ) from None
    except errors.NotFound:
        raise PageCheckFailed(
            _("LinkedIn does not know a company page with this number.")
        ) from None
    except errors.LinkedInError as exc:
        raise PageCheckFailed(str(exc.explanation)) from None
    return int(followers)


@role_required(PAGE_ROLES)
@never_cache
def page_settings(request: OrgRequest) -> HttpResponse:
    """The company page's connection; after LinkedIn's consent, the page to connect."""
    organization = request.organization
    page = PageConnection.objects.for_org(organization).select_related("connected_by").first()
    grant = _page_grant(request)
    form = PageChoiceForm(
        request.POST or None,
        initial={"page": organization.linkedin_page_urn or (page.page_urn if page else "")},
    )
    if request.method == "POST":
        if grant is None:
            messages.error(
                request,
                _("The LinkedIn authorization has expired or was used. Please connect again."),
            )
            return redirect("linkedin_page:settings", org_slug=organization.slug)
        if form.is_valid():
            page_urn = form.cleaned_data["page"]
            access_token = crypto.decrypt(grant["access_token"])
            try:
                followers = _check_page_access(access_token, page_urn)
            except PageCheckFailed as exc:
                form.add_error("page", str(exc))
            else:
                now = time.time()
                refresh_expires_at = grant.get("refresh_expires_at")
                page = services.connect_page(
                    organization=organization,
                    page_urn=page_urn,
                    connected_by=request.user,
                    scopes=grant["scopes"],
                    access_token=access_token,
                    expires_in=max(0, int(grant["expires_at"] - now)),
                    refresh_token=crypto.decrypt(grant["refresh_token"]),
                    refresh_token_expires_in=(
                        max(0, int(refresh_expires_at - now)) if refresh_expires_at else None
                    ),
                )
                _drop_page_grant(request)
                text = _("The company page %(page)s is connected.") % {"page": page.page_urn}
                if followers is not None:
                    text += " " + _("LinkedIn counts %(count)s followers today.") % {
                        "count": followers
                    }
                messages.success(request, text)
                return redirect("linkedin_page:settings", org_slug=organization.slug)
    return render(
        request,
        "linkedin/page_settings.html",
        {
            "page": page,
            "grant": grant,
            "form": form,
            "page_scopes": [(scope, describe(scope)) for scope in settings.LINKEDIN_PAGE_SCOPES],
        },
    )


@role_required(PAGE_ROLES)
@require_POST
def page_connect(request: OrgRequest) -> HttpResponse:
    """Start connecting the company page: a page administrator signs in to LinkedIn."""
    return _start(
        request,
        purpose=PAGE,
        scopes=settings.LINKEDIN_PAGE_SCOPES,
        org_slug=request.organization.slug,
    )


@role_required(PAGE_ROLES)
@require_http_methods(["GET", "POST"])
def page_disconnect(request: OrgRequest) -> HttpResponse:
    """Ask what disconnecting the page means (GET), then disconnect it (POST)."""
    organization = request.organization
    page = PageConnection.objects.for_org(organization).first()
    if page is None:
        messages.info(request, _("No company page is connected."))
        return redirect("linkedin_page:settings", org_slug=organization.slug)
    if request.method == "POST":
        services.disconnect_page(page_connection=page, actor=request.user)
        messages.success(
            request,
            _(
                "The company page is disconnected and its access withdrawn. Its follower "
                "figures are no longer collected; figures collected so far stay in the reports."
            ),
        )
        return redirect("linkedin_page:settings", org_slug=organization.slug)
    return render(request, "linkedin/page_disconnect.html", {"page": page})
