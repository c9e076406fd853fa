"""The organization's settings pages (admins only) and the invitation landing page."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from advocacy.accounts.models import User, normalize_email

from . import invitations, services
from .forms import (
    InvitationForm,
    MemberFilterForm,
    MemberForm,
    OrganizationSettingsForm,
    TeamForm,
)
from .http import OrgRequest
from .models import ADMIN_ROLES, AuditEntry, Invitation, Membership, Team
from .permissions import role_required

MEMBERS_PER_PAGE = 100
AUDIT_ENTRIES_PER_PAGE = 50


# Settings ----------------------------------------------------------------------------------


@role_required(ADMIN_ROLES)
def organization_settings(request: OrgRequest) -> HttpResponse:
    organization = request.organization
    form = OrganizationSettingsForm(
        request.POST or None,
        initial=model_to_dict(organization, fields=services.ORGANIZATION_SETTINGS),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_organization(
                organization=organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("The settings were saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("tenancy:settings", org_slug=organization.slug)
    return render(request, "tenancy/settings.html", {"form": form})


# Members and invitations -------------------------------------------------------------------


def _filtered_members(
    request: OrgRequest, teams: list[Team]
) -> tuple[MemberFilterForm, Page[Membership]]:
    form = MemberFilterForm(request.GET or None, teams=teams)
    members = Membership.objects.filter(organization=request.organization).select_related(
        "user", "team"
    )
    if form.is_bound:
        form.is_valid()
        # Only the filters that validated apply; a stale team id simply filters nothing.
        data = form.cleaned_data
        if data.get("q"):
            members = members.filter(
                Q(user__name__icontains=data["q"]) | Q(user__email__icontains=data["q"])
            )
        if data.get("role"):
            members = members.filter(role=data["role"])
        if data.get("team") == MemberFilterForm.NO_TEAM:
            members = members.filter(team__isnull=True)
        elif data.get("team"):
            members = members.filter(team__public_id=data["team"])
        if data.get("status") == "active":
            members = members.filter(is_active=True)
        elif data.get("status") == "deactivated":
            members = members.filter(is_active=False)
    members = members.order_by("user__name", "user__email")
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return form, page


@role_required(ADMIN_ROLES)
def members(request: OrgRequest) -> HttpResponse:
    """The member table with its filters, the invite form and the open invitations."""
    organization = request.organization
    invite_form = InvitationForm(request.POST or None, organization=organization)
    if request.method == "POST" and invite_form.is_valid():
        try:
            invitation = services.invite_member(
                organization=organization,
                invited_by=request.user,
                **invite_form.cleaned_data,
            )
        except ValidationError as exc:
            invite_form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("tenancy:members", org_slug=organization.slug)

    teams = list(Team.objects.filter(organization=organization).order_by("name"))
    filter_form, page = _filtered_members(request, teams)
    open_invitations = (
        Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("team", "invited_by")
        .order_by("-created_at")
    )
    return render(
        request,
        "tenancy/members.html",
        {
            "page": page,
            "filter_form": filter_form,
            "invite_form": invite_form,
            "invitations": open_invitations,
            "now": timezone.now(),
            "invitation_days": settings.INVITATION_MAX_AGE_DAYS,
        },
    )


# The POST-only views look their object up before refusing another method, so a foreign or
# unknown id is the same 404 whatever the method.


def _get_member(request: OrgRequest, member_id: UUID) -> Membership:
    membership: Membership = get_object_or_404(
        Membership.objects.filter(organization=request.organization).select_related(
            "user", "team", "organization"
        ),
        public_id=member_id,
    )
    return membership


@role_required(ADMIN_ROLES)
def member(request: OrgRequest, member_id: UUID) -> HttpResponse:
    organization = request.organization
    membership = _get_member(request, member_id)
    form = MemberForm(
        request.POST or None,
        organization=organization,
        initial={
            "role": membership.role,
            "team": membership.team,
            "title": membership.title,
            "location": membership.location,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_member(
                membership=membership, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not changed:
                messages.info(request, _("Nothing was changed."))
                return redirect("tenancy:member", org_slug=organization.slug, member_id=member_id)
            messages.success(
                request, _("%(member)s was updated.") % {"member": membership.display_name}
            )
            if membership.pk == request.membership.pk and not membership.is_admin:
                # They just gave up the admin role, and with it these pages.
                return redirect("content:dashboard", org_slug=organization.slug)
            return redirect("tenancy:member", org_slug=organization.slug, member_id=member_id)
    return render(
        request,
        "tenancy/member.html",
        {"member": membership, "form": form, "is_self": membership.pk == request.membership.pk},
    )


@role_required(ADMIN_ROLES)
def member_deactivate(request: OrgRequest, member_id: UUID) -> HttpResponse:
    organization = request.organization
    membership = _get_member(request, member_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.deactivate_member(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tenancy:member", org_slug=organization.slug, member_id=member_id)
    messages.success(
        request,
        _("%(member)s was deactivated and can no longer sign in to %(organization)s.")
        % {"member": membership.display_name, "organization": organization.name},
    )
    if membership.pk == request.membership.pk:
        return redirect("home")
    return redirect("tenancy:member", org_slug=organization.slug, member_id=member_id)


@role_required(ADMIN_ROLES)
def member_reactivate(request: OrgRequest, member_id: UUID) -> HttpResponse:
    organization = request.organization
    membership = _get_member(request, member_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.reactivate_member(membership=membership, actor=request.user)
    messages.success(
        request, _("%(member)s was reactivated.") % {"member": membership.display_name}
    )
    return redirect("tenancy:member", org_slug=organization.slug, member_id=member_id)


def _get_invitation(request: OrgRequest, invitation_id: UUID) -> Invitation:
    invitation: Invitation = get_object_or_404(
        Invitation.objects.filter(organization=request.organization).select_related(
            "organization", "team"
        ),
        public_id=invitation_id,
    )
    return invitation


@role_required(ADMIN_ROLES)
def invitation_resend(request: OrgRequest, invitation_id: UUID) -> HttpResponse:
    invitation = _get_invitation(request, invitation_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.resend_invitation(invitation=invitation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("A new invitation was sent to %(email)s.") % {"email": invitation.email}
        )
    return redirect("tenancy:members", org_slug=request.organization.slug)


@role_required(ADMIN_ROLES)
def invitation_revoke(request: OrgRequest, invitation_id: UUID) -> HttpResponse:
    invitation = _get_invitation(request, invitation_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if services.revoke_invitation(invitation=invitation, actor=request.user):
        messages.success(
            request,
            _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email},
        )
    else:
        messages.info(request, _("That invitation was already accepted or withdrawn."))
    return redirect("tenancy:members", org_slug=request.organization.slug)


# Teams -------------------------------------------------------------------------------------


@role_required(ADMIN_ROLES)
def teams(request: OrgRequest) -> HttpResponse:
    organization = request.organization
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(
                organization=organization, name=form.cleaned_data["name"], actor=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The team %(team)s was created.") % {"team": team.name})
            return redirect("tenancy:teams", org_slug=organization.slug)
    team_list = (
        Team.objects.filter(organization=organization)
        .annotate(
            member_count=Count("memberships", filter=Q(memberships__is_active=True)),
        )
        .order_by("name")
    )
    return render(
        request,
        "tenancy/teams.html",
        {"teams": team_list, "form": form},
    )


def _get_team(request: OrgRequest, team_id: UUID) -> Team:
    team: Team = get_object_or_404(
        Team.objects.filter(organization=request.organization).select_related("organization"),
        public_id=team_id,
    )
    return team


@role_required(ADMIN_ROLES)
def team(request: OrgRequest, team_id: UUID) -> HttpResponse:
    organization = request.organization
    team = _get_team(request, team_id)
    form = TeamForm(request.POST or None, initial={"name": team.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_team(team=team, name=form.cleaned_data["name"], actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The team was saved."))
            return redirect("tenancy:team", org_slug=organization.slug, team_id=team_id)
    team_members = (
        Membership.objects.filter(organization=organization, team=team)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    return render(
        request,
        "tenancy/team.html",
        {"team": team, "form": form, "team_members": team_members},
    )


@role_required(ADMIN_ROLES)
def team_delete(request: OrgRequest, team_id: UUID) -> HttpResponse:
    team = _get_team(request, team_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.delete_team(team=team, actor=request.user)
    messages.success(
        request,
        _("The team %(team)s was deleted. Its members are still in the organization.")
        % {"team": team.name},
    )
    return redirect("tenancy:teams", org_slug=request.organization.slug)


# Activity ----------------------------------------------------------------------------------


@role_required(ADMIN_ROLES)
def activity(request: OrgRequest) -> HttpResponse:
    entries = (
        AuditEntry.objects.filter(organization=request.organization)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(entries, AUDIT_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "tenancy/activity.html", {"page": page})


# Accepting an invitation (outside any organization) --------------------------------------


def _invitation_unavailable(
    request: HttpRequest, state: str, invitation: Invitation | None = None
) -> HttpResponse:
    return render(
        request,
        "tenancy/invitation_unavailable.html",
        {"state": state, "invitation": invitation},
        status=404 if state == "invalid" else 410,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens: sign in or sign up, then confirm to join."""
    invitation = invitations.invitation_from_token(token)
    if invitation is None:
        return _invitation_unavailable(request, "invalid")
    organization = invitation.organization
    user = request.user

    if request.method == "POST" and isinstance(user, User):
        # The service re-checks everything under a row lock; a double submit lands here too.
        try:
            membership = services.accept_invitation(invitation=invitation, user=user)
        except invitations.InvitationUnavailable as exc:
            return _invitation_unavailable(request, exc.state, invitation)
        except invitations.InvitationForSomeoneElse:
            pass  # The page below explains.
        else:
            messages.success(
                request,
                _("Welcome to %(organization)s! You joined as %(role)s.")
                % {"organization": organization.name, "role": membership.get_role_display()},
            )
            return redirect("content:dashboard", org_slug=organization.slug)

    state = invitations.invitation_state(invitation, now=timezone.now())
    if state is not invitations.InvitationState.OPEN:
        return _invitation_unavailable(request, state, invitation)

    context: dict[str, object] = {
        "invitation": invitation,
        "invited_organization": organization,
        "inviter": invitation.invited_by,
    }
    if not isinstance(user, User):
        if request.method == "POST":
            return redirect(reverse("account_login") + "?" + urlencode({"next": request.path}))
        email = normalize_email(invitation.email)
        context["account_exists"] = User.objects.filter(email=email).exists()
        if context["account_exists"]:
            context["login_url"] = (
                reverse("account_login") + "?" + urlencode({"next": request.path})
            )
        else:
            # Holding the link proves the address: sign-up then needs no confirmation mail.
            get_adapter(request).stash_verified_email(request, email)
            context["signup_url"] = (
                reverse("account_signup") + "?" + urlencode({"email": email, "next": request.path})
            )
        return render(request, "tenancy/invitation.html", context)

    if not invitations.is_invited_user(invitation, user):
        return render(request, "tenancy/invitation_wrong_user.html", context, status=403)
    return render(request, "tenancy/invitation.html", context)
