"""A large, realistic data set for benchmarks (`manage.py generate_scale_data`).

The shape, for `--organizations N --members M --days D --posts P`:

- One large tenant, `scale-large` ("Nordlys Energi A/S", Europe/Copenhagen) with M members,
  and N - 1 small ones, `scale-01`, `scale-02`, ... with max(3, M // 100) members each. The
  large tenant has about 80 % of the posts; the rest is spread over the small ones.
- Per organization: teams (up to 40 in the large one, 3 in a small one), topics, members with
  roles (member 0 an admin, 1 a comms user, a few facilitators and leaders, the rest
  employees), locations and languages. About 70 % opted in to the program; every one who did
  connected LinkedIn on that day: 60 % before the window, the rest spread over it.
- LinkedIn, on both sides: each connected member has an active Connection whose token is a
  live sandbox AccessToken of a sandbox Member with the same `sub` (`scale-<org>-<i>`) and a
  growing follower history; each organization has a company page (a sandbox Page, its admin
  member 0) connected as its PageConnection. The real collection and publishing code works
  against the sandbox for these members with no further setup.
- Content: items of every kind with two captions each, topics, a few featured, mostly company
  content; campaigns (a few live now, most ended, some scheduled or draft) with their items.
- Posts over the window, more in recent months, by connected participants (some much more
  active than others): about 70 % shares of library items, the rest own posts; most
  published (with a sandbox post of the same URN, time and text), a few scheduled, draft,
  failed or deleted. Posts with a link have a tracked link and clicks (5 % bots).
  `employee@scale-large.example` has about 100 published posts, some scheduled and a draft.
- Snapshots: the page's followers daily over the window; each connected member's followers
  daily from their connection day; each published post's figures on days 0-6 after it was
  published, then days 14, 30, 60 and 90 (cumulative, growing, source API), its latest also on
  the post.
- Rollups: every day of the window in every organization, by `analytics.rollups`.

Everything is drawn from `random.Random` seeded with `--seed` and the fixed day of the run:
the same seed on the same day gives the same rows. Published times lie before today and
scheduled ones after it, whatever the hour of the run.

Writes go through `bulk.RowWriter` (COPY on PostgreSQL) with ids assigned here. Each phase
is one transaction. Every scale row can be found again by its organization (`scale-large`,
`scale-NN`), its user's address (`@scale-large.example`, `@scale-NN.example`) or its
LinkedIn id (`scale-...`), so `remove_scale_data` can always clear what a run left, even a
failed one.
"""

from __future__ import annotations

import base64
import bisect
import math
import random
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.linkedin import crypto
from advocacy.linkedin.models import Connection, ConnectionStatus, PageConnection
from advocacy.sandbox import models as sandbox
from advocacy.sandbox.application import ACCESS_TOKEN_SECONDS, current_app
from advocacy.sandbox.simulation import Series, growth_fraction
from advocacy.tenancy.models import Membership, Organization, Role, Team
from analytics.models import (
    CampaignDay,
    MemberFollowers,
    OrganizationDay,
    PageFollowers,
    PostMetrics,
    Source,
    TeamDay,
)
from analytics.rollups import recompute_range
from campaigns.models import Campaign
from content.links import CODE_BYTES, UTM_MEDIUM, UTM_SOURCE
from content.models import (
    CampaignItem,
    Caption,
    Click,
    ContentItem,
    ItemTopic,
    Post,
    Topic,
    TrackedLink,
)

from .bulk import RowWriter, delete_cascading, delete_rows

LARGE_SLUG = "scale-large"
LARGE_NAME = "Nordlys Energi A/S"
SLUG_PATTERN = r"^scale-(large|[0-9]{2,})$"
EMAIL_PATTERN = r"@scale-(large|[0-9]{2,})\.example$"
SUB_PREFIX = "scale-"
# A benchmark password, printed for anyone to use; the data set holds nothing worth protecting.
DEFAULT_PASSWORD = "scale-password-2026"  # noqa: S105
DEFAULT_SEED = 2026

LIMITS = {
    "organizations": (1, 1000),
    "members": (3, 100_000),
    "days": (1, 3650),
    "posts": (0, 5_000_000),
}
# The large tenant's member 2: the benchmark opens their dashboard and "my posts".
EMPLOYEE_INDEX = 2
EMPLOYEE_PUBLISHED = 100
LARGE_SHARE = 0.8
OPTED_IN = 0.7
CONNECTED_BEFORE_WINDOW = 0.6
SHARE_OF_ITEMS = 0.7
METRIC_DAYS = (0, 1, 2, 3, 4, 5, 6, 14, 30, 60, 90)
# Sandbox post numbers of this data set: below the sandbox's own API numbers (7.39e18),
# above nothing a scenario uses.
POST_NUMBER_BASE = 7_100_000_000_000_000_000
PAGE_ID_BASE = 7_700_000_000
SMALL_ZONES = ("Europe/Copenhagen", "Europe/Oslo", "Europe/Stockholm")

FIRST_NAMES = (
    "Anna", "Mikkel", "Sofie", "Frederik", "Ida", "Lucas", "Emma", "Oliver", "Freja", "Noah",
    "Clara", "William", "Laura", "Magnus", "Maja", "Elias", "Karoline", "Emil", "Astrid",
    "Victor", "Sara", "Jonas", "Mathilde", "Oscar", "Nora", "Alfred", "Ingrid", "Kasper",
    "Liv", "Rasmus", "Signe", "Henrik", "Marie", "Anders", "Julie", "Jakob", "Helle", "Søren",
)  # fmt: skip
LAST_NAMES = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Holm", "Berg", "Lund",
    "Dahl", "Winther", "Eriksson", "Lindqvist", "Haugen", "Bakke", "Virtanen",
)  # fmt: skip
DEPARTMENTS = (
    "Wind Operations", "Grid Engineering", "Solar Projects", "Trading", "Customer Service",
    "Sales", "Finance", "HR", "IT Platform", "Data & Analytics", "Communications", "Legal",
    "Procurement", "Sustainability", "Field Service", "Asset Management", "Hydrogen",
    "Offshore Construction", "Safety", "Strategy",
)  # fmt: skip
LOCATIONS = ("Copenhagen", "Aarhus", "Esbjerg", "Odense", "Aalborg", "Oslo", "Malmö", "Hamburg")
TITLES = (
    "Engineer", "Senior Engineer", "Project Manager", "Analyst", "Specialist", "Team Lead",
    "Consultant", "Technician", "Coordinator", "Manager", "Developer", "Advisor",
)  # fmt: skip
TOPICS = (
    "Offshore wind", "Solar", "The grid", "Hydrogen", "Careers", "Life at work", "Safety",
    "Sustainability", "Customers", "Innovation", "Data", "Leadership", "Community", "Trading",
)  # fmt: skip
SUBJECTS = (
    "our new offshore wind farm", "the grid of the future", "green hydrogen", "battery storage",
    "the energy transition", "our apprentices", "working in the field", "heat pumps",
    "solar parks on farmland", "safety on site", "data in the control room", "local energy",
)  # fmt: skip
ANGLES = (
    "what we learned this year", "five numbers that surprised us", "a day on the job",
    "why it matters for customers", "how the team made it happen", "what comes next",
    "the questions we get most", "lessons from the first winter",
)  # fmt: skip
OPENERS = (
    "Proud of the team:", "Worth a read.", "This one made me think.", "Happy to share this.",
    "Something I worked on:", "Good news from work.", "A quick read for the weekend.",
    "If you wonder what we do all day:", "Big week for us.", "Sharing because it matters:",
)  # fmt: skip
THOUGHTS = (
    "What do you think?", "Curious to hear how others see it.", "Pass it on if it helps.",
    "More of this, please.", "It took a lot of people to get here.", "Ask me anything about it.",
    "I learn something new every week here.", "Small steps, big difference.",
)  # fmt: skip
OWN_POSTS = (
    "Today I spent the morning on {subject}. My takeaway: {angle}.",
    "Three years in the {department} team today. What I like most: the people.",
    "A question I got this week about {subject}, and my short answer.",
    "Notes from a conference on {subject}: {angle}.",
    "Looking back at the project on {subject}. {thought}",
    "Mentoring a new colleague reminded me why I like {subject}.",
)
FAILURES = (
    ("TOKEN_EXPIRED", "Your LinkedIn connection expired. Connect LinkedIn again and retry."),
    ("DUPLICATE_POST", "LinkedIn already has a post with exactly this text."),
    ("CONTENT_TOO_LONG", "LinkedIn refused the text: it is longer than LinkedIn allows."),
)


class ScaleError(Exception):
    """Options the data set cannot be made with, or data that is already there."""


@dataclass(frozen=True)
class ScaleOptions:
    organizations: int = 50
    members: int = 5000
    days: int = 730
    posts: int = 100_000
    seed: int = DEFAULT_SEED
    password: str = DEFAULT_PASSWORD


def check_options(options: ScaleOptions) -> None:
    """Raise ScaleError naming every count out of range (nothing is written before this)."""
    problems = []
    for name, (low, high) in LIMITS.items():
        value = getattr(options, name)
        if not low <= value <= high:
            problems.append(f"--{name} must be between {low:,} and {high:,}, not {value:,}")
    if not options.password:
        problems.append("--password must not be empty")
    if problems:
        raise ScaleError("; ".join(problems) + ".")


# -- the plan: who and what exists, before any row is written ---------------------------------


@dataclass(frozen=True)
class Clock:
    """The run's fixed day and times derived from it (all in the large tenant's zone)."""

    today: date
    days: int
    zone: zoneinfo.ZoneInfo

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=self.days - 1)

    @property
    def stamp(self) -> datetime:
        """Midnight at the start of today: 'now' for every time this run writes."""
        return self.at(self.today, 0)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)


@dataclass(slots=True, eq=False)
class MemberPlan:
    index: int
    user_id: int
    membership_id: int
    email: str
    name: str
    role: str
    team_id: int | None
    opted_in_at: datetime | None
    sub: str = ""
    sandbox_id: int = 0
    # The member's follower history (sandbox Member.followers), and posting appetite.
    followers: Series | None = None
    points: dict[str, int] = field(default_factory=dict)
    activity: float = 1.0

    @property
    def connected(self) -> bool:
        return self.opted_in_at is not None


@dataclass(slots=True, eq=False)
class ItemPlan:
    id: int
    kind: str
    title: str
    url: str
    is_company: bool
    created: date
    captions: list[tuple[int, str]]
    campaigns: list[CampaignPlan] = field(default_factory=list, repr=False)


@dataclass(slots=True, eq=False)
class CampaignPlan:
    id: int
    name: str
    status: str
    starts_on: date | None
    ends_on: date | None
    slug: str
    items: list[ItemPlan] = field(default_factory=list, repr=False)

    def runs_on(self, day: date) -> bool:
        return (
            self.status in (Campaign.Status.LIVE, Campaign.Status.ENDED)
            and self.starts_on is not None
            and self.ends_on is not None
            and self.starts_on <= day <= self.ends_on
        )


@dataclass(slots=True, eq=False)
class PostPlan:
    id: int
    author: MemberPlan
    status: str
    text: str
    created_at: datetime
    published_at: datetime | None = None
    scheduled_for: datetime | None = None
    item: ItemPlan | None = None
    caption_id: int | None = None
    campaign: CampaignPlan | None = None
    link: str = ""
    is_company: bool = False
    deleted_at: datetime | None = None
    failure: tuple[str, str] | None = None
    # Figures a week after publishing (grown a little later on), and the snapshot days.
    final: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    snapshots: list[tuple[date, tuple[int, ...]]] = field(default_factory=list)

    @property
    def urn(self) -> str:
        return f"urn:li:share:{POST_NUMBER_BASE + self.id}"

    @property
    def on_linkedin(self) -> bool:
        return self.published_at is not None


@dataclass(slots=True)
class OrgPlan:
    id: int
    number: int  # 0 for the large tenant
    slug: str
    name: str
    zone: str
    member_count: int
    post_count: int
    team_ids: list[int] = field(default_factory=list)
    topic_ids: list[int] = field(default_factory=list)
    members: list[MemberPlan] = field(default_factory=list)
    items: list[ItemPlan] = field(default_factory=list)
    campaigns: list[CampaignPlan] = field(default_factory=list)
    posts: list[PostPlan] = field(default_factory=list)
    page_id: str = ""
    page_points: dict[str, int] = field(default_factory=dict)

    @property
    def is_large(self) -> bool:
        return self.number == 0

    @property
    def domain(self) -> str:
        return f"{self.slug}.example"

    @property
    def page_urn(self) -> str:
        return f"urn:li:organization:{self.page_id}"


@dataclass
class Login:
    email: str
    role: str
    organization: str


@dataclass
class ScaleReport:
    counts: Counter[str] = field(default_factory=Counter)
    phases: list[tuple[str, float]] = field(default_factory=list)
    logins: list[Login] = field(default_factory=list)
    password: str = ""

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def seconds(self) -> float:
        return sum(seconds for _name, seconds in self.phases)


def _uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng`, as 32 hex digits (what both databases accept)."""
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)
    bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)
    return f"{bits:032x}"


def _ordered_uuid(rng: random.Random, pk: int) -> str:
    """A UUID that starts with the row's id (like version 7 starts with a time) and ends in 74
    random bits: the millions of snapshot rows then go to the end of the public_id index
    instead of all over it, which is most of the cost of loading them."""
    bits = ((pk & 0xFFFF_FFFF_FFFF) << 80) | (0x7000 << 64) | rng.getrandbits(76)
    bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)
    return f"{bits:032x}"


def _token(rng: random.Random, prefix: str) -> str:
    return prefix + base64.urlsafe_b64encode(rng.randbytes(72)).decode().rstrip("=")


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` in `parts` uneven whole shares that add up exactly."""
    if parts <= 0:
        return []
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(weight * scale) for weight in weights]
    for index in range(total - sum(shares)):
        shares[index % parts] += 1
    return shares


def small_member_count(members: int) -> int:
    return max(3, members // 100)


def team_count(plan: OrgPlan) -> int:
    return min(40, max(2, plan.member_count // 25)) if plan.is_large else 3


def item_count(plan: OrgPlan) -> int:
    return (
        min(2000, max(8, plan.post_count // 25))
        if plan.is_large
        else min(30, max(4, plan.post_count // 5))
    )


def campaign_count(plan: OrgPlan) -> int:
    return min(30, max(3, len(plan.items) // 20)) if plan.is_large else 3


def _organizations(options: ScaleOptions, rng: random.Random) -> list[OrgPlan]:
    smalls = options.organizations - 1
    large_posts = options.posts if smalls == 0 else round(options.posts * LARGE_SHARE)
    small_posts = _split(options.posts - large_posts, smalls, rng)
    plans = [
        OrgPlan(0, 0, LARGE_SLUG, LARGE_NAME, "Europe/Copenhagen", options.members, large_posts)
    ]
    for number in range(1, smalls + 1):
        plans.append(
            OrgPlan(
                0,
                number,
                f"scale-{number:02d}",
                f"{rng.choice(LAST_NAMES)} {rng.choice(('Energi', 'Teknik', 'Consult', 'Data'))} "
                f"{number:02d} ApS",
                rng.choice(SMALL_ZONES),
                small_member_count(options.members),
                small_posts[number - 1],
            )
        )
    return plans


# -- the generator ---------------------------------------------------------------------------


class ScaleGenerator:
    """Plans and writes the data set, phase by phase (see the module's docstring)."""

    def __init__(
        self, options: ScaleOptions, *, log: Callable[[str], None], today: date | None = None
    ) -> None:
        self.options = options
        self.log = log
        zone = zoneinfo.ZoneInfo("Europe/Copenhagen")
        self.clock = Clock(today or timezone.localdate(timezone.now(), zone), options.days, zone)
        self.writer = RowWriter(stamp=self.clock.stamp)
        self.report = ScaleReport(password=options.password)
        self.orgs: list[OrgPlan] = []
        self._running_cache: dict[tuple[int, date], list[CampaignPlan]] = {}

    def rng(self, phase: str) -> random.Random:
        """An independent stream per phase: a change in one leaves the others' rows alone."""
        return random.Random(f"{self.options.seed}:{self.clock.today.isoformat()}:{phase}")  # noqa: S311

    def run(self) -> ScaleReport:
        for name, phase in (
            ("organizations", self._write_organizations),
            ("people", self._write_people),
            ("linkedin", self._write_linkedin),
            ("content", self._write_content),
            ("posts", self._write_posts),
            ("snapshots", self._write_snapshots),
            ("rollups", self._write_rollups),
        ):
            started = time.monotonic()
            with transaction.atomic():
                phase()
                self.writer.reset_sequences()
            seconds = time.monotonic() - started
            self.report.phases.append((name, seconds))
            self.log(f"{name}: {seconds:.1f} s")
        self.report.counts.update(self.writer.counts)
        return self.report

    # organizations, teams, topics ------------------------------------------------------

    def _write_organizations(self) -> None:
        rng = self.rng("organizations")
        self.orgs = _organizations(self.options, rng)
        first = self.writer.next_id(Organization)
        for offset, plan in enumerate(self.orgs):
            plan.id = first + offset
            plan.page_id = str(PAGE_ID_BASE + plan.number)
        self.writer.write(
            Organization,
            [
                "id",
                "public_id",
                "name",
                "slug",
                "time_zone",
                "linkedin_page_urn",
                "cpm",
                "created_at",
            ],
            (
                (
                    plan.id,
                    _uuid(rng),
                    plan.name,
                    plan.slug,
                    plan.zone,
                    plan.page_urn,
                    Decimal("85.00"),
                    self.clock.at(self.clock.first_day, 9) - timedelta(days=30),
                )
                for plan in self.orgs
            ),
        )
        team_id = self.writer.next_id(Team)
        topic_id = self.writer.next_id(Topic)
        teams: list[tuple[Any, ...]] = []
        topics: list[tuple[Any, ...]] = []
        for plan in self.orgs:
            names = [
                f"{department} {location}" for location in LOCATIONS for department in DEPARTMENTS
            ]
            rng.shuffle(names)
            for name in names[: team_count(plan)]:
                plan.team_ids.append(team_id)
                teams.append((team_id, plan.id, _uuid(rng), name))
                team_id += 1
            for name in TOPICS[: 12 if plan.is_large else 4]:
                plan.topic_ids.append(topic_id)
                topics.append((topic_id, plan.id, _uuid(rng), name))
                topic_id += 1
        self.writer.write(Team, ["id", "organization_id", "public_id", "name"], teams)
        self.writer.write(Topic, ["id", "organization_id", "public_id", "name"], topics)

    # users, addresses, memberships -----------------------------------------------------

    def _email(self, plan: OrgPlan, index: int) -> str:
        if plan.is_large and index < 3:
            return f"{('admin', 'comms', 'employee')[index]}@{plan.domain}"
        width = 5 if plan.is_large else 4
        return f"m{index:0{width}d}@{plan.domain}"

    def _role(self, plan: OrgPlan, index: int) -> str:
        if index == 0:
            return Role.ADMIN
        if index == 1:
            return Role.COMMS
        if not plan.is_large or index == EMPLOYEE_INDEX:
            return Role.EMPLOYEE
        facilitators = max(1, plan.member_count // 1500)
        leaders = max(1, plan.member_count // 200)
        if index < 3 + facilitators:
            return Role.FACILITATOR
        if index < 3 + facilitators + leaders:
            return Role.LEADER
        return Role.EMPLOYEE

    def _write_people(self) -> None:
        rng = self.rng("people")
        clock = self.clock
        password = make_password(self.options.password)
        user_id = self.writer.next_id(User)
        membership_id = self.writer.next_id(Membership)
        for plan in self.orgs:
            for index in range(plan.member_count):
                # Members 0-2 always take part: the admin connects the page, the employee is
                # the benchmark's login.
                opted_in = index < 3 or rng.random() < OPTED_IN
                opted_in_at = None
                if opted_in:
                    if rng.random() < CONNECTED_BEFORE_WINDOW or index < 3:
                        day = clock.first_day - timedelta(days=rng.randint(0, 60))
                    else:
                        day = clock.first_day + timedelta(days=rng.randrange(clock.days))
                    opted_in_at = clock.at(day, rng.randint(8, 16), rng.randrange(60))
                team_id = rng.choice(plan.team_ids) if rng.random() < 0.95 else None
                plan.members.append(
                    MemberPlan(
                        index=index,
                        user_id=user_id,
                        membership_id=membership_id,
                        email=self._email(plan, index),
                        name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        role=self._role(plan, index),
                        team_id=team_id,
                        opted_in_at=opted_in_at,
                        activity=rng.paretovariate(1.3),
                    )
                )
                user_id += 1
                membership_id += 1
        members = [(plan, member) for plan in self.orgs for member in plan.members]
        joined = {
            member.user_id: clock.at(clock.first_day, 9) - timedelta(days=rng.randint(61, 400))
            for _plan, member in members
        }
        self.writer.write(
            User,
            ["id", "password", "public_id", "email", "name", "date_joined"],
            (
                (m.user_id, password, _uuid(rng), m.email, m.name, joined[m.user_id])
                for _plan, m in members
            ),
        )
        self.writer.write(
            EmailAddress,
            ["id", "user_id", "email", "verified", "primary"],
            self._addresses(self.writer.next_id(EmailAddress), members),
        )
        self.writer.write(
            Membership,
            [
                "id", "organization_id", "public_id", "user_id", "role", "team_id", "title",
                "location", "language", "joined_at", "opted_in_at", "show_on_leaderboard",
            ],
            (
                (
                    m.membership_id,
                    plan.id,
                    _uuid(rng),
                    m.user_id,
                    m.role,
                    m.team_id,
                    rng.choice(TITLES),
                    rng.choice(LOCATIONS),
                    "da" if rng.random() < 0.6 else "en",
                    joined[m.user_id],
                    m.opted_in_at,
                    m.connected and rng.random() < 0.4,
                )
                for plan, m in members
            ),
        )  # fmt: skip
        large = self.orgs[0]
        for member in large.members[:3]:
            self.report.logins.append(Login(member.email, member.role, large.slug))
        if len(self.orgs) > 1:
            small = self.orgs[1]
            for member in small.members[:1] + small.members[-1:]:
                self.report.logins.append(Login(member.email, member.role, small.slug))

    def _addresses(
        self, first: int, members: list[tuple[OrgPlan, MemberPlan]]
    ) -> Iterator[tuple[Any, ...]]:
        for offset, (_plan, member) in enumerate(members):
            yield (first + offset, member.user_id, member.email, True, True)

    # LinkedIn: the sandbox's members, pages and tokens; the platform's connections -------

    def _write_linkedin(self) -> None:
        rng = self.rng("linkedin")
        clock = self.clock
        app = current_app()
        member_scopes = list(settings.LINKEDIN_MEMBER_SCOPES)
        page_scopes = list(settings.LINKEDIN_PAGE_SCOPES)
        missing = [scope for scope in member_scopes + page_scopes if scope not in app.scopes]
        if missing:
            app.scopes = [*app.scopes, *dict.fromkeys(missing)]
            app.save(update_fields=["scopes"])
        issued = clock.stamp
        expires = issued + timedelta(seconds=ACCESS_TOKEN_SECONDS)
        sandbox_id = self.writer.next_id(sandbox.Member)
        connected: list[tuple[OrgPlan, MemberPlan]] = []
        for plan in self.orgs:
            for member in plan.members:
                if not member.connected:
                    continue
                member.sub = f"{SUB_PREFIX}{plan.slug.removeprefix(SUB_PREFIX)}-{member.index:05d}"
                member.sandbox_id = sandbox_id
                sandbox_id += 1
                member.points = self._follower_points(rng)
                member.followers = Series(
                    {date.fromisoformat(day): value for day, value in member.points.items()}
                )
                connected.append((plan, member))
            plan.page_points = self._page_points(rng, plan)
        self.writer.write(
            sandbox.Member,
            [
                "id", "sub", "given_name", "family_name", "email", "locale", "team", "headline",
                "vanity_name", "has_picture", "connections", "followers", "position",
            ],
            (
                (
                    m.sandbox_id, m.sub, *m.name.split(" ", 1), m.email,
                    "da_DK" if rng.random() < 0.7 else "en_US", "", f"{rng.choice(TITLES)} at "
                    f"{plan.name}", m.sub, False, rng.randint(50, 3000), m.points, m.index,
                )
                for plan, m in connected
            ),
        )  # fmt: skip
        first_page = self.writer.next_id(sandbox.Page)
        page_ids = {plan.slug: first_page + n for n, plan in enumerate(self.orgs)}
        self.writer.write(
            sandbox.Page,
            ["id", "page_id", "name", "vanity_name", "website", "followers", "position"],
            (
                (
                    page_ids[plan.slug],
                    plan.page_id,
                    plan.name,
                    plan.slug,
                    f"https://www.{plan.domain}",
                    plan.page_points,
                    plan.number,
                )
                for plan in self.orgs
            ),
        )
        admins = sandbox.Page.admins.through
        first_admin = self.writer.next_id(admins)
        self.writer.write(
            admins,
            ["id", "page_id", "member_id"],
            (
                (first_admin + n, page_ids[plan.slug], plan.members[0].sandbox_id)
                for n, plan in enumerate(self.orgs)
            ),
        )
        tokens: dict[int, str] = {}
        page_tokens: dict[str, str] = {}
        rows: list[tuple[Any, ...]] = []
        token_id = self.writer.next_id(sandbox.AccessToken)
        for plan, member in connected:
            tokens[member.user_id] = _token(rng, "AQX")
            rows.append(
                (token_id, tokens[member.user_id], member, plan.slug, "member", member_scopes)
            )
            token_id += 1
        for plan in self.orgs:
            page_tokens[plan.slug] = _token(rng, "AQX")
            rows.append(
                (token_id, page_tokens[plan.slug], plan.members[0], plan.slug, "page", page_scopes)
            )
            token_id += 1
        self.writer.write(
            sandbox.AccessToken,
            [
                "id", "token", "kind", "grant", "member_id", "client_id", "scopes",
                "authorized_at", "created_at", "expires_at", "provisioned_for", "provisioned_as",
            ],
            (
                (
                    pk, token, sandbox.AccessToken.Kind.ACCESS, _uuid(rng), member.sandbox_id,
                    settings.LINKEDIN_CLIENT_ID, sorted(scopes), issued, issued, expires, slug,
                    role,
                )
                for pk, token, member, slug, role, scopes in rows
            ),
        )  # fmt: skip
        connection_id = self.writer.next_id(Connection)
        self.writer.write(
            Connection,
            [
                "id", "user_id", "public_id", "sub", "member_urn", "name", "email",
                "access_token_encrypted", "access_token_expires_at", "token_issued_at", "scopes",
                "status", "connected_at", "updated_at",
            ],
            (
                (
                    connection_id + n, m.user_id, _uuid(rng), m.sub, f"urn:li:person:{m.sub}",
                    m.name, m.email, crypto.encrypt(tokens[m.user_id]), expires, issued,
                    member_scopes, ConnectionStatus.ACTIVE, m.opted_in_at, issued,
                )
                for n, (_plan, m) in enumerate(connected)
            ),
        )  # fmt: skip
        page_connection_id = self.writer.next_id(PageConnection)
        self.writer.write(
            PageConnection,
            [
                "id", "organization_id", "public_id", "page_urn", "page_name", "connected_by_id",
                "access_token_encrypted", "access_token_expires_at", "token_issued_at", "scopes",
                "status", "connected_at", "updated_at",
            ],
            (
                (
                    page_connection_id + n, plan.id, _uuid(rng), plan.page_urn, plan.name,
                    plan.members[0].user_id, crypto.encrypt(page_tokens[plan.slug]), expires,
                    issued, page_scopes, ConnectionStatus.ACTIVE, plan.members[0].opted_in_at,
                    issued,
                )
                for n, plan in enumerate(self.orgs)
            ),
        )  # fmt: skip

    def _follower_points(self, rng: random.Random) -> dict[str, int]:
        """A member's history: a few dated points over the window, growing (a long tail of
        well-followed people, most with a few hundred)."""
        clock = self.clock
        value = max(20, int(rng.lognormvariate(math.log(450), 0.9)))
        yearly = rng.uniform(0.04, 0.45)
        points: dict[str, int] = {}
        day = clock.first_day - timedelta(days=90)
        while day < clock.today:
            points[day.isoformat()] = value
            step = rng.randint(60, 150)
            value += max(1, round(value * yearly * step / 365 * rng.uniform(0.5, 1.5)))
            day += timedelta(days=step)
        points[clock.today.isoformat()] = value
        return points

    def _page_points(self, rng: random.Random, plan: OrgPlan) -> dict[str, int]:
        """The company page's history: monthly points, growing 15-45 % over the window."""
        clock = self.clock
        value = rng.randint(15_000, 25_000) if plan.is_large else rng.randint(400, 3000)
        monthly = rng.uniform(0.15, 0.45) * 30 / max(clock.days, 30)
        points: dict[str, int] = {}
        day = clock.first_day
        while day < clock.today:
            points[day.isoformat()] = value
            value += max(1, round(value * monthly * rng.uniform(0.3, 1.7)))
            day += timedelta(days=30)
        points[clock.today.isoformat()] = value
        return points

    # content items, captions, topics, campaigns ----------------------------------------

    def _write_content(self) -> None:
        rng = self.rng("content")
        clock = self.clock
        item_id = self.writer.next_id(ContentItem)
        caption_id = self.writer.next_id(Caption)
        campaign_id = self.writer.next_id(Campaign)
        items: list[tuple[Any, ...]] = []
        captions: list[tuple[Any, ...]] = []
        item_topics: list[tuple[Any, ...]] = []
        campaigns: list[tuple[Any, ...]] = []
        campaign_items: list[tuple[Any, ...]] = []
        kinds = (
            ContentItem.Kind.ARTICLE,
            ContentItem.Kind.JOB,
            ContentItem.Kind.IMAGE,
            ContentItem.Kind.TIP,
        )
        for plan in self.orgs:
            count = item_count(plan)
            creator = plan.members[1].user_id
            for number in range(count):
                kind = kinds[number % 4] if number < 4 else rng.choices(kinds, (50, 15, 15, 20))[0]
                subject, angle = rng.choice(SUBJECTS), rng.choice(ANGLES)
                if kind == ContentItem.Kind.JOB:
                    title = f"We are hiring: {rng.choice(TITLES)}, {rng.choice(DEPARTMENTS)}"
                elif kind == ContentItem.Kind.TIP:
                    title = f"Tip: how to write about {subject}"
                else:
                    title = f"{subject.capitalize()}: {angle}"
                is_company = kind == ContentItem.Kind.JOB or rng.random() < (
                    0.4 if kind == ContentItem.Kind.TIP else 0.8
                )
                url = ""
                if kind in (ContentItem.Kind.ARTICLE, ContentItem.Kind.JOB):
                    folder = "careers" if kind == ContentItem.Kind.JOB else "news"
                    url = f"https://www.{plan.domain}/{folder}/{number + 1}"
                # Spread over the window, in order, with a stock from before it.
                created = clock.first_day + timedelta(
                    days=int(clock.days * number / count) - (30 if number < count // 20 else 0)
                )
                created_at = clock.at(created, rng.randint(8, 16), rng.randrange(60))
                status = rng.choices(
                    (
                        ContentItem.Status.PUBLISHED,
                        ContentItem.Status.ARCHIVED,
                        ContentItem.Status.DRAFT,
                    ),
                    (90, 6, 4),
                )[0]
                until = created_at + timedelta(days=60) if kind == ContentItem.Kind.JOB else None
                featured = (
                    status == ContentItem.Status.PUBLISHED
                    and number >= count - 12
                    and rng.random() < 0.4
                )
                texts = [
                    f"{rng.choice(OPENERS)} {title}. {rng.choice(THOUGHTS)}",
                    f"{title}. {rng.choice(THOUGHTS)} {rng.choice(OPENERS)}",
                ]
                item_captions = []
                for position, text in enumerate(texts):
                    item_captions.append((caption_id, text))
                    captions.append(
                        (caption_id, plan.id, _uuid(rng), item_id, text, position, created_at)
                    )
                    caption_id += 1
                items.append(
                    (
                        item_id, plan.id, _uuid(rng), kind, status, title,
                        f"About {subject}: {angle}.", url, is_company,
                        "da" if rng.random() < 0.3 else "en", None, until, featured,
                        f"A photo about {subject}" if kind == ContentItem.Kind.IMAGE else "",
                        creator, created_at, created_at,
                    )
                )  # fmt: skip
                for topic_id in rng.sample(plan.topic_ids, rng.randint(1, 2)):
                    item_topics.append((plan.id, _uuid(rng), item_id, topic_id))
                if status != ContentItem.Status.DRAFT:
                    plan.items.append(
                        ItemPlan(item_id, kind, title, url, is_company, created, item_captions)
                    )
                item_id += 1
            for number in range(campaign_count(plan)):
                campaign = self._campaign(rng, campaign_id, number, plan)
                plan.campaigns.append(campaign)
                campaigns.append(
                    (
                        campaign.id, plan.id, _uuid(rng), campaign.name,
                        f"Get {campaign.name.lower()} in front of the people who should see it.",
                        campaign.status, campaign.starts_on, campaign.ends_on,
                        f"#{campaign.slug.replace('-', '')}", rng.choice((None, 40, 100, 250)),
                        creator, clock.at(campaign.starts_on or clock.today, 8) - timedelta(days=7),
                    )
                )  # fmt: skip
                campaign_id += 1
                last = campaign.ends_on or clock.today
                candidates = [item for item in plan.items if item.created <= last] or plan.items
                for item in rng.sample(candidates, min(len(candidates), rng.randint(5, 15))):
                    item.campaigns.append(campaign)
                    campaign.items.append(item)
                    campaign_items.append((plan.id, _uuid(rng), campaign.id, item.id))
        self.writer.write(
            ContentItem,
            [
                "id", "organization_id", "public_id", "kind", "status", "title", "description",
                "url", "is_company_content", "language", "available_from", "available_until",
                "featured", "image_alt_text", "created_by_id", "created_at", "updated_at",
            ],
            items,
        )  # fmt: skip
        self.writer.write(
            Caption,
            [
                "id",
                "organization_id",
                "public_id",
                "content_item_id",
                "text",
                "position",
                "created_at",
            ],
            captions,
        )
        self.writer.write(
            ItemTopic,
            ["id", "organization_id", "public_id", "content_item_id", "topic_id"],
            _numbered(self.writer.next_id(ItemTopic), item_topics),
        )
        self.writer.write(
            Campaign,
            [
                "id", "organization_id", "public_id", "name", "purpose", "status", "starts_on",
                "ends_on", "hashtags", "target_shares", "created_by_id", "created_at",
            ],
            campaigns,
        )  # fmt: skip
        self.writer.write(
            CampaignItem,
            ["id", "organization_id", "public_id", "campaign_id", "content_item_id"],
            _numbered(self.writer.next_id(CampaignItem), campaign_items),
        )

    def _campaign(self, rng: random.Random, pk: int, number: int, plan: OrgPlan) -> CampaignPlan:
        """Campaigns 0-2 of each organization: live now, scheduled, draft (in the large one:
        a few of each); the rest ended, spread over the window."""
        clock = self.clock
        live, scheduled, draft = (3, 4, 3) if plan.is_large else (1, 1, 1)
        subject = rng.choice(SUBJECTS)
        name = f"{subject.capitalize()} {number + 1}"
        slug = f"c{number + 1}-{subject.split()[-1]}"
        if number < live:
            start = clock.today - timedelta(days=rng.randint(2, 12))
            return CampaignPlan(
                pk,
                name,
                Campaign.Status.LIVE,
                start,
                clock.today + timedelta(days=rng.randint(5, 25)),
                slug,
            )
        if number < live + scheduled:
            start = clock.today + timedelta(days=rng.randint(5, 40))
            return CampaignPlan(
                pk,
                name,
                Campaign.Status.SCHEDULED,
                start,
                start + timedelta(days=rng.randint(14, 45)),
                slug,
            )
        if number < live + scheduled + draft:
            return CampaignPlan(pk, name, Campaign.Status.DRAFT, None, None, slug)
        length = rng.randint(10, 45)
        start = clock.first_day + timedelta(days=rng.randrange(max(1, clock.days - length - 1)))
        end = min(start + timedelta(days=length), clock.today - timedelta(days=1))
        return CampaignPlan(pk, name, Campaign.Status.ENDED, start, max(end, start), slug)

    # posts, sandbox posts, tracked links, clicks ---------------------------------------

    def _write_posts(self) -> None:
        rng = self.rng("posts")
        post_id = self.writer.next_id(Post)
        for plan in self.orgs:
            post_id = self._plan_posts(rng, plan, post_id)
        posts = [post for plan in self.orgs for post in plan.posts]
        org_of = {post.id: plan.id for plan in self.orgs for post in plan.posts}
        self.writer.write(
            Post,
            [
                "id", "organization_id", "public_id", "author_id", "content_item_id", "caption_id",
                "campaign_id", "text", "link_url", "link_title", "is_company_content", "status",
                "scheduled_for", "next_attempt_at", "attempts", "sent_at", "failure_reason",
                "failure_code", "linkedin_urn", "published_at", "deleted_at",
                "linkedin_deleted_at", "impressions", "members_reached", "reactions", "comments",
                "reshares", "metrics_updated_at", "created_at", "updated_at",
            ],
            (self._post_row(rng, org_of[post.id], post) for post in posts),
        )  # fmt: skip
        sandbox_id = self.writer.next_id(sandbox.Post)
        self.writer.write(
            sandbox.Post,
            [
                "id", "urn", "kind", "number", "origin", "member_id", "commentary",
                "submitted_commentary", "lifecycle_state", "article_url", "company_content",
                "created_at", "deleted_at",
            ],
            (
                (
                    sandbox_id + n, post.urn, sandbox.Post.Kind.SHARE, POST_NUMBER_BASE + post.id,
                    sandbox.Post.Origin.API, post.author.sandbox_id, post.text, post.text,
                    "DELETED" if post.deleted_at else "PUBLISHED", post.link, post.is_company,
                    post.published_at, post.deleted_at,
                )
                for n, post in enumerate(post for post in posts if post.on_linkedin)
            ),
        )  # fmt: skip
        linked = [post for post in posts if post.link]
        link_id = self.writer.next_id(TrackedLink)
        link_of = {post.id: link_id + n for n, post in enumerate(linked)}
        self.writer.write(
            TrackedLink,
            ["id", "organization_id", "public_id", "post_id", "code", "destination", "created_at"],
            (
                (
                    link_of[post.id], org_of[post.id], _uuid(rng), post.id,
                    base64.urlsafe_b64encode(rng.randbytes(CODE_BYTES)).decode(),
                    _destination(post), post.created_at,
                )
                for post in linked
            ),
        )  # fmt: skip
        self.writer.write(
            Click,
            [
                "id",
                "organization_id",
                "public_id",
                "link_id",
                "post_id",
                "clicked_at",
                "visitor_hash",
                "is_bot",
            ],
            self._clicks(
                self.writer.next_id(Click),
                rng,
                [post for post in linked if post.published_at and not post.deleted_at],
                org_of,
                link_of,
            ),
        )

    def _plan_posts(self, rng: random.Random, plan: OrgPlan, post_id: int) -> int:
        """The organization's posts: the benchmark employee's first, then the rest over the
        window, by connected participants (weighted by appetite), more in recent months."""
        clock = self.clock
        # The benchmark employee's posts are exactly the ones planned for them below, so that
        # the pages measured show the same posts whatever day the data is generated on.
        benchmark = plan.members[EMPLOYEE_INDEX] if plan.is_large and plan.members else None
        connected = [m for m in plan.members if m.connected]
        authors = sorted(
            [m for m in connected if m is not benchmark] or connected,
            key=lambda m: (m.opted_in_at or clock.stamp, m.index),
        )
        # The prefix of `authors` connected by a day, and their cumulative appetite.
        first_days = [(m.opted_in_at or clock.stamp).date() for m in authors]
        cumulative: list[float] = []
        total = 0.0
        for member in authors:
            total += member.activity
            cumulative.append(total)
        day_weights: list[float] = []
        running = 0.0
        for offset in range(clock.days - 1):  # today is not over: nothing published yet
            running += 1 + 2 * (offset / max(1, clock.days - 1)) ** 2
            day_weights.append(running)
        budget = plan.post_count
        statuses: list[tuple[MemberPlan | None, str]] = []
        if plan.is_large and budget:
            employee = plan.members[EMPLOYEE_INDEX]
            published = min(EMPLOYEE_PUBLISHED, max(1, budget // 8))
            scheduled = 3 if budget >= 40 else 1
            wanted = [str(Post.Status.PUBLISHED)] * published + [
                str(Post.Status.SCHEDULED)
            ] * scheduled
            wanted.append(str(Post.Status.DRAFT))
            statuses.extend((employee, status) for status in wanted[:budget])
        while len(statuses) < budget:
            status = rng.choices(
                (
                    Post.Status.PUBLISHED,
                    Post.Status.SCHEDULED,
                    Post.Status.DRAFT,
                    Post.Status.FAILED,
                    Post.Status.DELETED,
                ),
                (92, 3, 2, 2, 1),
            )[0]
            statuses.append((None, status))
        for author, chosen in statuses:
            if chosen == Post.Status.SCHEDULED:
                day = clock.today + timedelta(days=rng.randint(1, 14))
            elif day_weights:
                offset = bisect.bisect_left(day_weights, rng.random() * day_weights[-1])
                day = clock.first_day + timedelta(days=offset)
            else:
                day = clock.today - timedelta(days=1)
            if author is None:
                eligible = bisect.bisect_right(
                    first_days, min(day, clock.today - timedelta(days=1))
                )
                eligible = max(eligible, 1)
                pick = bisect.bisect_left(cumulative, rng.random() * cumulative[eligible - 1])
                author = authors[min(pick, eligible - 1)]
            elif author.opted_in_at and day < author.opted_in_at.date():
                day = author.opted_in_at.date() + timedelta(days=1)
            plan.posts.append(self._post(rng, plan, post_id, author, chosen, day))
            post_id += 1
        return post_id

    def _running(self, plan: OrgPlan, day: date) -> list[CampaignPlan]:
        """The organization's campaigns running on `day` (cached: posts ask day by day)."""
        key = (plan.number, day)
        if key not in self._running_cache:
            self._running_cache[key] = [c for c in plan.campaigns if c.runs_on(day)]
        return self._running_cache[key]

    def _post(
        self, rng: random.Random, plan: OrgPlan, pk: int, author: MemberPlan, status: str, day: date
    ) -> PostPlan:
        clock = self.clock
        moment = clock.at(day, rng.randint(7, 19), rng.randrange(60))
        if status != Post.Status.SCHEDULED:
            # Published before today, even if the author connected later today.
            moment = min(moment, clock.stamp - timedelta(minutes=rng.randint(5, 600)))
        post = PostPlan(pk, author, status, "", moment - timedelta(minutes=rng.randint(2, 240)))
        items = plan.items
        if items and rng.random() < SHARE_OF_ITEMS:
            running = self._running(plan, day)
            item = None
            if running and rng.random() < 0.4:
                campaign_items = running[0].items
                item = rng.choice(campaign_items) if campaign_items else None
            if item is None:
                newest = _count_until(items, day)
                item = items[rng.randrange(max(0, newest - 60), newest)] if newest else items[0]
            caption_id, caption = rng.choice(item.captions)
            post.item, post.caption_id, post.link = item, caption_id, item.url
            post.is_company = item.is_company
            post.campaign = next((c for c in item.campaigns if c.runs_on(day)), None)
            post.text = f"{caption} {rng.choice(THOUGHTS)}" if rng.random() < 0.6 else caption
        else:
            template = rng.choice(OWN_POSTS)
            post.text = template.format(
                subject=rng.choice(SUBJECTS), angle=rng.choice(ANGLES),
                department=rng.choice(DEPARTMENTS), thought=rng.choice(THOUGHTS),
            )  # fmt: skip
            post.is_company = rng.random() < 0.1
            if rng.random() < 0.25:
                post.link = f"https://blog.{plan.domain}/{rng.choice(SUBJECTS).replace(' ', '-')}"
        if status == Post.Status.SCHEDULED:
            post.scheduled_for = moment
            post.created_at = clock.stamp - timedelta(hours=rng.randint(1, 72))
        elif status == Post.Status.FAILED:
            post.failure = rng.choice(FAILURES)
        elif status in (Post.Status.PUBLISHED, Post.Status.DELETED):
            post.published_at = moment
            if status == Post.Status.DELETED:
                post.deleted_at = min(moment + timedelta(days=rng.randint(1, 20)), clock.stamp)
            self._figures(rng, post)
        return post

    def _figures(self, rng: random.Random, post: PostPlan) -> None:
        """The post's figures a week on (scaled by the author's followers that day), and its
        cumulative snapshots on the metric days that have come."""
        assert post.published_at is not None
        assert post.author.followers is not None
        clock = self.clock
        published = post.published_at.astimezone(clock.zone)
        audience = post.author.followers.on(published.date())
        impressions = max(3, int(audience * rng.uniform(0.3, 2.5) * (1.2 if post.link else 1.0)))
        reached = int(impressions * rng.uniform(0.55, 0.85))
        reactions = int(impressions * rng.uniform(0.004, 0.03))
        comments = int(reactions * rng.uniform(0.05, 0.3))
        reshares = int(reactions * rng.uniform(0.02, 0.15))
        post.final = (impressions, reached, reactions, comments, reshares)
        later = rng.uniform(0.0, 0.06)
        for offset in METRIC_DAYS:
            day = published.date() + timedelta(days=offset)
            if day > clock.today:
                break
            end = min(clock.at(day + timedelta(days=1), 0), clock.stamp)
            share = growth_fraction(end - published)
            if offset > 6:
                share *= 1 + later * min(offset, 90) / 90
            post.snapshots.append((day, tuple(round(value * share) for value in post.final)))

    def _post_row(
        self, rng: random.Random, organization_id: int, post: PostPlan
    ) -> tuple[Any, ...]:
        figures: tuple[Any, ...] = (None,) * 5
        collected = None
        if post.snapshots:
            day, figures = post.snapshots[-1]
            collected = min(self.clock.at(day + timedelta(days=1), 0), self.clock.stamp)
        code, reason = post.failure or ("", "")
        return (
            post.id, organization_id, _uuid(rng), post.author.membership_id,
            post.item.id if post.item else None, post.caption_id,
            post.campaign.id if post.campaign else None, post.text, post.link,
            post.item.title if post.item and post.link else "", post.is_company, post.status,
            post.scheduled_for, post.scheduled_for, 1 if post.published_at or post.failure else 0,
            post.published_at, reason, code, post.urn if post.on_linkedin else "",
            post.published_at, post.deleted_at, post.deleted_at, *figures, collected,
            post.created_at, collected or post.created_at,
        )  # fmt: skip

    def _clicks(
        self,
        click_id: int,
        rng: random.Random,
        posts: list[PostPlan],
        org_of: dict[int, int],
        link_of: dict[int, int],
    ) -> Iterator[tuple[Any, ...]]:
        """A few clicks per link on average, most in the first days, 5 % from bots, some
        visitors coming back; none after the run's 'now'."""
        stamp = self.clock.stamp
        for post in posts:
            assert post.published_at is not None
            visitor = ""
            for _ in range(int(rng.expovariate(1 / 3.2))):
                clicked = post.published_at + timedelta(hours=rng.expovariate(1 / 30))
                if clicked >= stamp:
                    clicked = post.published_at + (stamp - post.published_at) * rng.random()
                if not visitor or rng.random() > 0.15:
                    visitor = f"{rng.getrandbits(128):032x}"
                yield (
                    click_id, org_of[post.id], _ordered_uuid(rng, click_id), link_of[post.id],
                    post.id, clicked,
                    visitor, rng.random() < 0.05,
                )  # fmt: skip
                click_id += 1

    # snapshots ---------------------------------------------------------------------------

    def _write_snapshots(self) -> None:
        rng = self.rng("snapshots")
        self.writer.write(
            PageFollowers,
            ["id", "organization_id", "public_id", "day", "followers", "source", "collected_at"],
            self._page_rows(self.writer.next_id(PageFollowers), rng),
        )
        self.writer.write(
            MemberFollowers,
            [
                "id",
                "organization_id",
                "public_id",
                "membership_id",
                "day",
                "followers",
                "source",
                "collected_at",
            ],
            self._member_rows(self.writer.next_id(MemberFollowers), rng),
        )
        self.writer.write(
            PostMetrics,
            [
                "id", "organization_id", "public_id", "post_id", "day", "impressions",
                "members_reached", "reactions", "comments", "reshares", "source", "collected_at",
            ],
            self._metric_rows(self.writer.next_id(PostMetrics), rng),
        )  # fmt: skip

    def _collected(self, day: date) -> datetime:
        return min(self.clock.at(day + timedelta(days=1), 0), self.clock.stamp)

    def _page_rows(self, pk: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
        for plan in self.orgs:
            series = Series({date.fromisoformat(d): v for d, v in plan.page_points.items()})
            for offset in range(self.clock.days):
                day = self.clock.first_day + timedelta(days=offset)
                yield (
                    pk,
                    plan.id,
                    _uuid(rng),
                    day,
                    series.on(day),
                    Source.API,
                    self._collected(day),
                )
                pk += 1

    def _member_rows(self, pk: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
        clock = self.clock
        # Millions of rows: the days and their collection times are made once.
        window = [clock.first_day + timedelta(days=offset) for offset in range(clock.days)]
        collected = [self._collected(day) for day in window]
        for plan in self.orgs:
            for member in plan.members:
                if member.opted_in_at is None or member.followers is None:
                    continue
                first = member.opted_in_at.astimezone(clock.zone).date()
                start = max(0, (first - clock.first_day).days)
                on = member.followers.on
                for index in range(start, clock.days):
                    day = window[index]
                    yield (
                        pk, plan.id, _ordered_uuid(rng, pk), member.membership_id, day, on(day),
                        Source.API,
                        collected[index],
                    )  # fmt: skip
                    pk += 1

    def _metric_rows(self, pk: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
        for plan in self.orgs:
            for post in plan.posts:
                for day, figures in post.snapshots:
                    yield (
                        pk, plan.id, _ordered_uuid(rng, pk), post.id, day, *figures, Source.API,
                        self._collected(day),
                    )  # fmt: skip
                    pk += 1

    # rollups -----------------------------------------------------------------------------

    def _write_rollups(self) -> None:
        self.writer.analyze()
        for plan in self.orgs:
            organization = Organization.objects.get(pk=plan.id)
            recompute_range(
                organization=organization, start=self.clock.first_day, end=self.clock.today
            )
        for model in (OrganizationDay, TeamDay, CampaignDay):
            self.writer.counts[model._meta.db_table] += model.all_tenants.filter(
                organization_id__in=[plan.id for plan in self.orgs]
            ).count()


def _count_until(items: list[ItemPlan], day: date) -> int:
    """How many of `items` (in the order they were created) exist on `day`."""
    low, high = 0, len(items)
    while low < high:
        middle = (low + high) // 2
        if items[middle].created <= day:
            low = middle + 1
        else:
            high = middle
    return low


def _numbered(first: int, rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for offset, row in enumerate(rows):
        yield (first + offset, *row)


def _destination(post: PostPlan) -> str:
    """The link with UTM parameters, as content.links.destination_for builds it."""
    content = "own-post"
    if post.item is not None:
        content = "-".join(
            "".join(c for c in post.item.title.lower() if c.isalnum() or c == " ").split()
        )[:60]
    separator = "&" if "?" in post.link else "?"
    campaign = f"&utm_campaign={post.campaign.slug}" if post.campaign else ""
    return (
        f"{post.link}{separator}utm_source={UTM_SOURCE}&utm_medium={UTM_MEDIUM}"
        f"&utm_content={content}{campaign}"
    )


# -- finding and removing what a run made ----------------------------------------------------


def scale_organizations() -> models.QuerySet[Organization]:
    return Organization.objects.filter(slug__regex=SLUG_PATTERN)


def scale_users() -> models.QuerySet[User]:
    return User.objects.filter(email__regex=EMAIL_PATTERN)


def scale_data_exists() -> bool:
    return (
        scale_organizations().exists()
        or scale_users().exists()
        or sandbox.Member.objects.filter(sub__startswith=SUB_PREFIX).exists()
        or sandbox.Page.objects.filter(vanity_name__regex=SLUG_PATTERN).exists()
    )


def _tenant_models() -> list[type[models.Model]]:
    """Every model with an organization, children before the tables they point at."""
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if any(
            field.name == "organization" and field.related_model is Organization
            for field in model._meta.concrete_fields
        )
    ]
    ordered: list[type[models.Model]] = []

    def visit(model: type[models.Model], seen: set[type[models.Model]]) -> None:
        if model in ordered or model in seen:
            return
        seen.add(model)
        for relation in model._meta.related_objects:
            if relation.related_model in found:
                visit(relation.related_model, seen)
        ordered.append(model)

    for model in found:
        visit(model, set())
    return ordered


def remove_scale_data() -> Counter[str]:
    """Remove every scale organization with all its rows, the scale users and the scale
    sandbox members and pages, table by table; returns the rows deleted per table."""
    counts: Counter[str] = Counter()
    tenant_models = _tenant_models()
    with transaction.atomic():
        organization_ids = list(scale_organizations().values_list("pk", flat=True))
        if organization_ids:
            for model in tenant_models:
                counts[model._meta.db_table] += delete_rows(
                    model._base_manager.filter(organization_id__in=organization_ids)
                )
            counts[Organization._meta.db_table] += delete_rows(
                Organization.objects.filter(pk__in=organization_ids)
            )
        # Rows of other organizations that name a scale user go the ORM's way (normally none).
        users = scale_users()
        for relation in _relations_to(User):
            child = relation.related_model
            if child not in tenant_models:
                continue
            rows = child.all_tenants.filter(**{f"{relation.field.name}__in": users.values("pk")})
            if relation.field.remote_field.on_delete is models.SET_NULL:
                rows.update(**{relation.field.name: None})
            else:
                rows.delete()
        delete_cascading(users, skip=lambda model: model in tenant_models, counts=counts)
        delete_cascading(sandbox.Member.objects.filter(sub__startswith=SUB_PREFIX), counts=counts)
        delete_cascading(
            sandbox.Page.objects.filter(vanity_name__regex=SLUG_PATTERN), counts=counts
        )
    return +counts


def _relations_to(model: type[models.Model]) -> list[Any]:
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_one or field.one_to_many)
    ]


def generate_scale_data(
    options: ScaleOptions,
    *,
    reset: bool = False,
    log: Callable[[str], None] = lambda line: None,
    today: date | None = None,
) -> ScaleReport:
    """Check the options, refuse (or with `reset` remove) earlier scale data, and make the
    data set. Raises ScaleError before writing anything when it cannot go ahead."""
    check_options(options)
    if not reset and scale_data_exists():
        raise ScaleError(
            "Scale data is already there (organizations scale-large, scale-NN). "
            "Run again with --reset to remove it and generate anew."
        )
    removed: Counter[str] = Counter()
    if reset:
        started = time.monotonic()
        removed = remove_scale_data()
        log(f"reset: {sum(removed.values()):,} rows removed in {time.monotonic() - started:.1f} s")
    generator = ScaleGenerator(options, log=log, today=today)
    return generator.run()
