"""The demo: Nordlys Consulting A/S with a member for every role, content and campaigns.

Idempotent: every row is found by its natural key (an organization's slug, a user's email, a
team's, item's or campaign's name within its organization) and brought to the state below, so
a second run adds nothing. Dates relative to today are set only when a row is first created.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from advocacy.accounts.models import User, normalize_email
from advocacy.program.charter import (
    CharterDetails,
    MilestoneDetails,
    add_to_agenda,
    charter_of,
    create_milestone,
    update_charter,
)
from advocacy.program.goals import GoalDetails, create_goal
from advocacy.program.models import Charter, Goal, Milestone
from advocacy.program.training import (
    CourseDetails,
    LessonDetails,
    QuestionDetails,
    create_course,
    create_lesson,
    create_question,
)
from advocacy.sandbox.scenario import load_demo_scenario
from advocacy.tenancy.models import Membership, Organization, Role, Team
from advocacy.tenancy.scope import tenant_scope
from campaigns.models import Campaign
from content.models import CampaignItem, Caption, ContentItem
from content.sharing import Intent, PostDraft, create_post

from .provisioning import provision_organization

# A demo password, printed for anyone to use; the demo holds nothing worth protecting.
DEFAULT_PASSWORD = "demo-password-2026"  # noqa: S105
DEMO_SLUG = "demo"

Kind = ContentItem.Kind


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: str
    team: str | None = None
    title: str = ""
    # Days since the person opted in to the program; None: not taking part.
    opted_in_days_ago: int | None = None


@dataclass(frozen=True)
class Item:
    title: str
    kind: str
    description: str
    captions: tuple[str, ...]
    url: str = ""
    is_company_content: bool = False
    featured: bool = False
    status: str = ContentItem.Status.PUBLISHED
    # Availability window in days from the day the item is first seeded.
    available_from_days: int | None = None
    available_until_days: int | None = None


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    status: str
    purpose: str
    hashtags: str
    items: tuple[str, ...]
    # Period in days from the day the campaign is first seeded.
    starts_in_days: int | None = None
    ends_in_days: int | None = None
    targets: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class OrganizationSpec:
    slug: str
    name: str
    teams: tuple[str, ...]
    people: tuple[Person, ...]
    items: tuple[Item, ...]
    campaigns: tuple[CampaignSpec, ...] = ()


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    organization: str
    role: str


FACILITATOR = Person(
    "facilitator@demo.example",
    "Freja Dahl",
    Role.FACILITATOR,
    title="Employee advocacy consultant (external)",
)

NORDLYS = OrganizationSpec(
    slug=DEMO_SLUG,
    name="Nordlys Consulting A/S",
    teams=("Sales", "Engineering", "Recruitment"),
    people=(
        Person("admin@demo.example", "Astrid Holm", Role.ADMIN, title="Head of Operations"),
        Person(
            "comms@demo.example",
            "Camilla Berg",
            Role.COMMS,
            title="Communications Lead",
            opted_in_days_ago=40,
        ),
        Person(
            "leader@demo.example", "Lars Winther", Role.LEADER, title="CEO", opted_in_days_ago=38
        ),
        Person(
            "employee@demo.example",
            "Emil Sørensen",
            Role.EMPLOYEE,
            team="Sales",
            title="Account Manager",
            opted_in_days_ago=21,
        ),
        FACILITATOR,
        Person(
            "mads@demo.example",
            "Mads Kristensen",
            Role.EMPLOYEE,
            team="Sales",
            title="Sales Director",
            opted_in_days_ago=30,
        ),
        Person(
            "noah@demo.example",
            "Noah Jensen",
            Role.EMPLOYEE,
            team="Sales",
            title="Key Account Manager",
        ),
        Person(
            "sofie@demo.example",
            "Sofie Nielsen",
            Role.EMPLOYEE,
            team="Engineering",
            title="Senior Data Engineer",
            opted_in_days_ago=14,
        ),
        Person(
            "jonas@demo.example",
            "Jonas Lund",
            Role.EMPLOYEE,
            team="Engineering",
            title="Software Architect",
        ),
        Person(
            "ida@demo.example",
            "Ida Mortensen",
            Role.EMPLOYEE,
            team="Recruitment",
            title="Talent Partner",
            opted_in_days_ago=25,
        ),
    ),
    items=(
        Item(
            "Why people trust people: employee advocacy in plain words",
            Kind.ARTICLE,
            "People believe people more than they believe companies. A short introduction to why "
            "colleagues' own posts reach further and feel more honest than a company page.",
            (
                "I read this on why we trust people more than brands, and it rings true: I click "
                "on what colleagues share, rarely on ads. What do you think?",
                "Short read on employee advocacy. The point I liked: it only works when people "
                "write in their own words.",
            ),
            url="https://www.nordlys-consulting.example/insights/why-people-trust-people",
            featured=True,
        ),
        Item(
            "Branded messages travel 561 % further when people share them",
            Kind.ARTICLE,
            "The numbers behind employee advocacy: employees have about ten times as many "
            "followers as their company page, and messages go much further through them.",
            (
                "561 % further. That is how much further a message travels when people share it "
                "instead of the company page. Worth a thought for anyone in marketing.",
                "An average employee has ten times the followers of their company page. I had "
                "not thought of my own network that way.",
                "Numbers I did not expect: personal channels beat brand channels by a mile.",
            ),
            url="https://www.nordlys-consulting.example/insights/561-percent-further",
        ),
        Item(
            "We're hiring: Senior Data Engineer in Copenhagen",
            Kind.JOB,
            "Join our engineering team to build data platforms for Nordic clients. Hybrid work, "
            "a buddy from day one and time for learning.",
            (
                "We are looking for a Senior Data Engineer to join my team in Copenhagen. If you "
                "like hard data problems and kind colleagues, have a look, or pass it on.",
                "Know a data engineer who would enjoy Nordic clients and a team that helps each "
                "other? We are hiring.",
            ),
            url="https://www.nordlys-consulting.example/careers/senior-data-engineer",
            is_company_content=True,
            featured=True,
            available_until_days=45,
        ),
        Item(
            "Buddy pairs: how two colleagues beat the fear of posting",
            Kind.TIP,
            "Most people hold back because they fear doing too much or too little. Pair up with "
            "a colleague, read each other's drafts and keep each other going.",
            (
                "My colleague and I read each other's LinkedIn drafts before posting. Best trick "
                "I know against the 'is this too much?' feeling.",
            ),
        ),
        Item(
            "The 80/20 rule: share what helps, not only what sells",
            Kind.TIP,
            "About 80 % of what you share should be informative, helpful or personal, and only "
            "about 20 % about the company itself. That is what keeps people reading.",
            (
                "A rule of thumb I try to follow: four posts that help, one about where I work.",
                "80/20: mostly useful, a little company news. Does that match what you enjoy "
                "reading in your feed?",
            ),
        ),
        Item(
            "Leaders: say out loud that sharing is OK",
            Kind.ARTICLE,
            "Employees share when leadership explains the why and says plainly that sharing work "
            "content is welcome, and that nobody has to.",
            (
                "As a leader I want to say it plainly: sharing what you work on is welcome here, "
                "and it is always your choice.",
            ),
            url="https://www.nordlys-consulting.example/insights/leaders-say-it-out-loud",
        ),
        Item(
            "Three post ideas from your working day",
            Kind.TIP,
            "What worked for others: a note on today's meeting, a professional problem you "
            "solved, or something personal about how you work.",
            (
                "Today's small win: [what happened]. What I learned: [one line].",
                "A problem we cracked this week, explained in three sentences: ...",
                "Something people do not know about my job: ...",
            ),
        ),
        Item(
            "Thought leadership starts with what you already know",
            Kind.ARTICLE,
            "Share your professional knowledge steadily and you become the person people think "
            "of in your field. It helps you, and it helps the company.",
            (
                "You do not need to be an influencer to be useful on LinkedIn. Sharing what you "
                "know, steadily, is enough.",
            ),
            url="https://www.nordlys-consulting.example/insights/thought-leadership",
        ),
        Item(
            "Graduate programme 2027: applications open",
            Kind.JOB,
            "Two years, three teams, one mentor. Applications for our 2027 graduate programme "
            "open next week.",
            (
                "Our graduate programme opens for applications. If you know someone finishing "
                "their degree, send them this.",
            ),
            url="https://www.nordlys-consulting.example/careers/graduates-2027",
            is_company_content=True,
            available_from_days=7,
        ),
        Item(
            "Nordlys opens an office in Aarhus",
            Kind.ARTICLE,
            "A draft announcement: our second office opens in Aarhus this spring.",
            (
                "Big news for us: Nordlys is opening in Aarhus. If you are in Jutland, come say "
                "hello.",
            ),
            url="https://www.nordlys-consulting.example/news/aarhus",
            is_company_content=True,
            status=ContentItem.Status.DRAFT,
        ),
    ),
    campaigns=(
        CampaignSpec(
            "Trust week",
            Campaign.Status.LIVE,
            "Show what employee advocacy is and why people trust people, so colleagues "
            "understand the why before anyone is asked to share anything.",
            "#employeeadvocacy #trust",
            (
                "Why people trust people: employee advocacy in plain words",
                "Branded messages travel 561 % further when people share them",
                "Leaders: say out loud that sharing is OK",
                "Thought leadership starts with what you already know",
            ),
            starts_in_days=-3,
            ends_in_days=11,
            targets={"target_shares": 40, "target_clicks": 300},
        ),
        CampaignSpec(
            "Hiring: data and engineering",
            Campaign.Status.SCHEDULED,
            "Reach qualified engineers we would not reach through job boards, through our own "
            "people's networks.",
            "#hiring #dataengineering #copenhagen",
            (
                "We're hiring: Senior Data Engineer in Copenhagen",
                "Graduate programme 2027: applications open",
            ),
            starts_in_days=14,
            ends_in_days=60,
            targets={"target_shares": 60, "target_reach": 20000, "target_clicks": 500},
        ),
        CampaignSpec(
            "Buddy pairs kick-off",
            Campaign.Status.DRAFT,
            "Pair everyone who opted in with a buddy, agree the roadmap together and get the "
            "first posts out.",
            "#buddypairs",
            (
                "Buddy pairs: how two colleagues beat the fear of posting",
                "The 80/20 rule: share what helps, not only what sells",
                "Three post ideas from your working day",
            ),
        ),
    ),
)

FJORD = OrganizationSpec(
    slug="fjord",
    name="Fjord Analytics ApS",
    teams=("Analytics",),
    people=(
        Person(
            "admin@fjord.example",
            "Henrik Fjord",
            Role.ADMIN,
            team="Analytics",
            title="Founder",
            opted_in_days_ago=10,
        ),
        FACILITATOR,
    ),
    items=(
        Item(
            "What a kick-off workshop for employee advocacy looks like",
            Kind.ARTICLE,
            "Purpose first, then a shared agenda and a roadmap made together with the people "
            "who will share.",
            (
                "We started our advocacy program with a workshop, not a rulebook. Here is how it "
                "went.",
            ),
            url="https://www.fjord-analytics.example/blog/kick-off",
        ),
        Item(
            "Make it personal",
            Kind.TIP,
            "The best posts are the ones where you say what you think, not what the company says.",
            ("What I actually think about this: ...",),
        ),
    ),
)

ORGANIZATIONS = (NORDLYS, FJORD)
AUTHOR_ROLES: list[str] = [Role.COMMS, Role.ADMIN]


def seed_demo(*, password: str = DEFAULT_PASSWORD) -> list[DemoLogin]:
    """Create or bring up to date the demo organizations; returns every demo login."""
    now = timezone.now()
    logins: list[DemoLogin] = []
    with transaction.atomic():
        for spec in ORGANIZATIONS:
            organization, _ = Organization.objects.update_or_create(
                slug=spec.slug,
                defaults={
                    "name": spec.name,
                    "time_zone": "Europe/Copenhagen",
                    "language": "en",
                    "currency": "DKK",
                },
            )
            teams = {
                name: Team.objects.for_org(organization).get_or_create(
                    organization=organization, name=name
                )[0]
                for name in spec.teams
            }
            authors: list[tuple[int, User]] = []
            for person in spec.people:
                user = _user(person, password)
                _membership(organization, user, person, teams, now)
                logins.append(DemoLogin(person.email, person.name, organization.name, person.role))
                if person.role in AUTHOR_ROLES:
                    authors.append((AUTHOR_ROLES.index(person.role), user))
            # Content is the comms team's work; an admin stands in where there is none.
            author = min(authors, key=lambda pair: pair[0])[1] if authors else None
            items = {
                item.title: _content_item(organization, item, author, now) for item in spec.items
            }
            for campaign in spec.campaigns:
                _campaign(organization, campaign, items, author, now.date())
            if spec is NORDLYS:
                _program(organization, author, now)
            if spec is NORDLYS and settings.LINKEDIN_SANDBOX:
                _linkedin_sandbox(organization, now)
                _shares(organization, items, now)
    return logins


def _program(organization: Organization, author: User | None, now: datetime) -> None:
    """Nordlys' program: its charter, goals, roadmap and the basics course (once: what the
    demo's users change afterwards is theirs)."""
    with tenant_scope(organization):
        if not Organization.objects.filter(pk=organization.pk, cpm__isnull=False).exists():
            Organization.objects.filter(pk=organization.pk).update(cpm=Decimal("85.00"))
            organization.cpm = Decimal("85.00")
        if charter_of(organization).why_statement:
            return
        today = timezone.localdate(now)
        leader = (
            Membership.objects.for_org(organization)
            .filter(role=Role.LEADER, is_active=True)
            .order_by("pk")
            .first()
        )
        update_charter(
            organization=organization,
            actor=author,
            details=CharterDetails(
                purpose=Charter.Purpose.RECRUITMENT,
                purpose_why=(
                    "We need twelve more consultants this year, and the people we want read "
                    "what our own people write, not our job ads."
                ),
                why_statement=(
                    "Sharing what you do here is welcome, and nobody has to. We help Nordic "
                    "companies make sense of their data; you are the best proof of how we do "
                    "it. Tell it your way."
                ),
                why_by=leader,
                tone="Personal, curious, plain words. Write as you would talk to a colleague.",
                dos="Share what you learned, a problem you solved, a colleague you admire.",
                donts="No sales pitches, no numbers we have not published.",
                never_share=(
                    "Client names or projects without the client's consent; anything "
                    "confidential; colleagues in photos without asking them."
                ),
                posts_per_week_target=Decimal("1.0"),
                company_content_target_pct=20,
            ),
        )
        for name in ("Data engineering", "Life at Nordlys", "Lessons from client work"):
            add_to_agenda(organization=organization, actor=author, name=name)
        for title, days, status in (
            ("Kick-off workshop with the facilitator", -40, Milestone.Status.DONE),
            ("Everyone who wants to has a buddy", -10, Milestone.Status.DONE),
            ("First follow-up round", 10, Milestone.Status.IN_PROGRESS),
            ("Results to the leadership team", 60, Milestone.Status.PLANNED),
        ):
            create_milestone(
                organization=organization,
                actor=author,
                details=MilestoneDetails(
                    title=title, due_on=today + timedelta(days=days), owner=None, status=status
                ),
            )
        quarter_start = today - timedelta(days=30)
        for title, metric, target in (
            ("Company page followers +15 %", Goal.Metric.COMPANY_FOLLOWER_GROWTH, "15"),
            ("Half the participants post each month", Goal.Metric.PARTICIPATION, "50"),
            ("One post a week each", Goal.Metric.POSTS_PER_WEEK, "1"),
        ):
            create_goal(
                organization=organization,
                actor=author,
                details=GoalDetails(
                    title=title,
                    metric=metric,
                    target=Decimal(target),
                    starts_on=quarter_start,
                    deadline=quarter_start + timedelta(days=120),
                ),
            )
        _basics_course(organization, author)


def _basics_course(organization: Organization, author: User | None) -> None:
    course = create_course(
        organization=organization,
        actor=author,
        details=CourseDetails(
            title="Sharing well: the basics",
            summary="Three short lessons and a quiz. After it you wear the ready-to-share badge.",
            is_basics=True,
            is_published=True,
            pass_mark=67,
        ),
    )
    for title, body, checklist in (
        (
            "Why your own words matter",
            "People believe people more than they believe companies. A post in your words "
            "reaches further than the same message from the company page.\n\nStart from a "
            "suggested caption if you like, then say what you think of it.",
            "Read a suggested caption\nChange it into your own words",
        ),
        (
            "The 80/20 rule",
            "About 80 % of what you share should be informative, helpful or personal; about "
            "20 % about the company itself. Your composer shows your mix.",
            "Look at your mix on the composer",
        ),
        (
            "What never to share",
            "Clients' names without their consent, anything confidential, colleagues in "
            "photos without asking. When in doubt, ask your buddy for a read.",
            "Read the charter's guidelines",
        ),
    ):
        create_lesson(
            organization=organization,
            course=course,
            actor=author,
            details=LessonDetails(title=title, body=body, video_url="", checklist=checklist),
        )
    for text, choices, answer in (
        ("About how much of what you share should be about the company?",
         ["About 20 %", "About 50 %", "About 80 %"], 0),
        ("A colleague already posted the suggested caption word for word. What do you do?",
         ["Post it as well", "Make it my own", "Skip the item"], 1),
        ("May you name a client in a post?",
         ["Always", "Only with the client's consent", "Never, not even with consent"], 1),
    ):  # fmt: skip
        create_question(
            organization=organization,
            course=course,
            actor=author,
            details=QuestionDetails(text=text, choices=choices, answer=answer),
        )


# Colleagues sharing the library in their own words: scheduled a few minutes ahead, so that
# the worker of `make run` publishes them through the sandbox soon after it starts; and a
# draft for the demo employee. Each is made once (its composer key is fixed).
DEMO_SHARES = (
    (
        "mads@demo.example",
        "Why people trust people: employee advocacy in plain words",
        "I trust a colleague's tip more than any ad, and this article explains why. Our clients "
        "told us the same at the workshop last week.",
        2,
    ),
    (
        "sofie@demo.example",
        "We're hiring: Senior Data Engineer in Copenhagen",
        "My team is growing! If you know a data engineer who likes hard problems and kind "
        "colleagues, send them my way. Happy to have a coffee about what it is like here.",
        4,
    ),
    (
        "employee@demo.example",
        "Three post ideas from your working day",
        "Today a client asked why their dashboard was slow. The answer was a single missing "
        "index. Small things, big difference.",
        None,
    ),
)


def _shares(organization: Organization, items: dict[str, ContentItem], now: datetime) -> None:
    for email, title, text, minutes in DEMO_SHARES:
        item = items.get(title)
        membership = (
            Membership.objects.for_org(organization)
            .filter(user__email=email, is_active=True)
            .first()
        )
        if item is None or membership is None:
            continue
        create_post(
            organization=organization,
            author=membership,
            draft=PostDraft(text=text),
            intent=Intent.DRAFT if minutes is None else Intent.SCHEDULE,
            scheduled_for=None if minutes is None else now + timedelta(minutes=minutes),
            content_item=item,
            form_key=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-share:{email}:{title}"),
        )


def _linkedin_sandbox(organization: Organization, now: datetime) -> None:
    """Nine months of LinkedIn history in the sandbox (scenarios/demo.json, ending today), and
    the demo's participants connected to it. Loaded once: a later run keeps what was done
    through the sandbox since, and a scenario someone loaded on purpose is left alone."""
    if load_demo_scenario(today=now.date()):
        provision_organization(organization=organization)


def _user(person: Person, password: str) -> User:
    email = normalize_email(person.email)
    user, created = User.objects.get_or_create(email=email, defaults={"name": person.name})
    if user.name != person.name:
        user.name = person.name
        user.save(update_fields=["name"])
    # Hashing is slow on purpose, and a new hash on every run would be a change: only when needed.
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _membership(
    organization: Organization,
    user: User,
    person: Person,
    teams: dict[str, Team],
    now: datetime,
) -> Membership:
    membership, _ = Membership.objects.for_org(organization).update_or_create(
        organization=organization,
        user=user,
        defaults={
            "role": person.role,
            "team": teams[person.team] if person.team else None,
            "title": person.title,
            "is_active": True,
            "deactivated_at": None,
        },
    )
    opted_in = person.opted_in_days_ago is not None
    # Keep the original opt-in date on later runs; only a changed state is written.
    if opted_in and membership.opted_in_at is None:
        membership.opted_in_at = now - timedelta(days=person.opted_in_days_ago or 0)
        membership.save(update_fields=["opted_in_at"])
    elif not opted_in and membership.opted_in_at is not None:
        membership.opted_in_at = None
        membership.save(update_fields=["opted_in_at"])
    return membership


def _content_item(
    organization: Organization, spec: Item, author: User | None, now: datetime
) -> ContentItem:
    defaults: dict[str, Any] = {
        "kind": spec.kind,
        "status": spec.status,
        "description": spec.description,
        "url": spec.url,
        "is_company_content": spec.is_company_content,
        "featured": spec.featured,
        "language": "en",
    }
    window = {
        "available_from": _days_from(now, spec.available_from_days),
        "available_until": _days_from(now, spec.available_until_days),
    }
    item, _ = ContentItem.objects.for_org(organization).update_or_create(
        organization=organization,
        title=spec.title,
        defaults=defaults,
        create_defaults={**defaults, **window, "created_by": author},
    )
    captions = Caption.objects.for_org(organization)
    for position, text in enumerate(spec.captions):
        captions.update_or_create(
            organization=organization,
            content_item=item,
            position=position,
            defaults={"text": text},
        )
    captions.filter(content_item=item, position__gte=len(spec.captions)).delete()
    return item


def _campaign(
    organization: Organization,
    spec: CampaignSpec,
    items: dict[str, ContentItem],
    author: User | None,
    today: date,
) -> Campaign:
    defaults: dict[str, Any] = {
        "status": spec.status,
        "purpose": spec.purpose,
        "hashtags": spec.hashtags,
        "target_shares": spec.targets.get("target_shares"),
        "target_reach": spec.targets.get("target_reach"),
        "target_clicks": spec.targets.get("target_clicks"),
    }
    period = {
        "starts_on": _days_from(today, spec.starts_in_days),
        "ends_on": _days_from(today, spec.ends_in_days),
    }
    campaign, _ = Campaign.objects.for_org(organization).update_or_create(
        organization=organization,
        name=spec.name,
        defaults=defaults,
        create_defaults={**defaults, **period, "created_by": author},
    )
    links = CampaignItem.objects.for_org(organization)
    for title in spec.items:
        links.get_or_create(organization=organization, campaign=campaign, content_item=items[title])
    return campaign


def _days_from(start: date, days: int | None) -> date | None:
    # `start` may be a datetime (a date subclass); the result is of the same type.
    return None if days is None else start + timedelta(days=days)
