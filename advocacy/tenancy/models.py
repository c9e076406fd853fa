"""Organizations (the tenants), their teams and members, invitations and the audit trail."""

from __future__ import annotations

import uuid
import zoneinfo
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .querysets import AllTenantsManager, InvitationManager, MembershipManager, TenantManager


def time_zone_choices() -> list[tuple[str, str]]:
    """IANA time zones for forms (kept out of the model so migrations stay plain)."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class Organization(models.Model):
    """A company using the platform. Every tenant row points at one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("address"),
        max_length=60,
        unique=True,
        help_text=_("Used in the organization's web address: /o/<address>/."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Copenhagen")
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="DKK",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code."))],
    )
    linkedin_page_urn = models.CharField(
        _("LinkedIn company page"),
        max_length=100,
        blank=True,
        validators=[
            RegexValidator(
                r"^urn:li:organization:\d+$", _("Use the form urn:li:organization:<number>.")
            )
        ],
        help_text=_("The company page's URN, for example urn:li:organization:2414183."),
    )
    # The program's figures to measure against (reports, the composer's 80/20 panel).
    cpm = models.DecimalField(
        _("CPM"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "What 1,000 impressions would cost as paid advertising, in the organization's "
            "currency. Earned media value = impressions / 1,000 * CPM. Empty: not shown."
        ),
    )
    posts_per_week_target = models.DecimalField(
        _("posts per week per participant"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("50"))],
    )
    company_content_target_pct = models.PositiveSmallIntegerField(
        _("company content target (%)"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_("Dell's rule of thumb: about 20 % about the company, 80 % everything else."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """Base of every table that belongs to one organization.

    `objects` fails closed outside a tenant scope; `all_tenants` is the deliberate, greppable
    way to read across organizations (platform admin, maintenance commands, tests).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects: ClassVar[TenantManager[Any]] = TenantManager()
    all_tenants: ClassVar[models.Manager[Any]] = AllTenantsManager()

    class Meta:
        abstract = True


class Team(TenantModel):
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="team_org_id"),
            models.UniqueConstraint("organization", Lower("name"), name="team_unique_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    COMMS = "comms", _("Communications")
    LEADER = "leader", _("Leader")
    EMPLOYEE = "employee", _("Employee")
    FACILITATOR = "facilitator", _("Facilitator")


# Who may do what. Views name one of these sets, never a list of their own.
MANAGE_ROLES = frozenset({Role.ADMIN, Role.COMMS, Role.FACILITATOR})
REPORT_ROLES = frozenset({Role.ADMIN, Role.COMMS, Role.FACILITATOR, Role.LEADER})
ADMIN_ROLES = frozenset({Role.ADMIN})


class Membership(TenantModel):
    """A user's place in one organization: role, team, and consent to the program."""

    Role = Role

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EMPLOYEE)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    title = models.CharField(_("job title"), max_length=150, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    opted_in_at = models.DateTimeField(
        _("joined the program"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the member opts in to the advocacy program; empty means not taking part."
        ),
    )
    show_on_leaderboard = models.BooleanField(
        _("show my figures to leaders"),
        default=False,
        help_text=_(
            "Leaders see named figures only of participants who chose this; otherwise they "
            "see totals."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[MembershipManager] = MembershipManager()

    class Meta:
        ordering = ["user__name", "user__email"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="membership_org_id"),
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user"),
        ]
        indexes = [models.Index(fields=["organization", "role"], name="membership_org_role")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organization})"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGE_ROLES

    @property
    def can_see_reports(self) -> bool:
        return self.role in REPORT_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES


class Invitation(TenantModel):
    """An admin's invitation of an email address into the organization with a role."""

    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EMPLOYEE)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[InvitationManager] = InvitationManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="invitation_org_id"),
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="invitation_org_created")
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"


class AuditEntry(TenantModel):
    """What staff did, for the organization's admins to review."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["organization", "-created_at"], name="audit_org_created")]

    def __str__(self) -> str:
        return self.summary
