"""Scenario files (shared/SANDBOX.md, docs/sandbox.md): validated whole, then loaded in one
transaction, so a bad file names its problem and leaves the sandbox as it was."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from .application import DEFAULT_SCOPES, KNOWN_SCOPES
from .faults import ALL, OPERATIONS
from .models import (
    App,
    AuthorizationCode,
    CallCounter,
    Fault,
    Image,
    Member,
    Page,
    Post,
)
from .simulation import METRICS

DEMO_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "demo.json"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SUB = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DIGITS = re.compile(r"^[0-9]{1,19}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOCALE = re.compile(r"^[a-z]{2}[_-][A-Z]{2}$")

TOP_KEYS = {"today", "name", "description", "seed", "app", "pages", "members", "posts", "faults"}
APP_KEYS = {"scopes", "refresh_tokens", "redirect_uris"}
PAGE_KEYS = {"id", "name", "vanity", "website", "followers", "admins"}
MEMBER_KEYS = {
    "sub",
    "given_name",
    "family_name",
    "email",
    "locale",
    "team",
    "headline",
    "vanity",
    "picture",
    "connections",
    "followers",
}
POST_KEYS = {
    "id",
    "type",
    "author",
    "published",
    "commentary",
    "article_url",
    "article_title",
    "company_content",
    "page",
    "visibility",
    "metrics",
}
FAULT_KEYS = {
    "endpoint",
    "status",
    "every",
    "rate",
    "retry_after",
    "latency_ms",
    "revoke_token_of",
    "after_calls",
}


class ScenarioError(ValueError):
    """What is wrong with a scenario, naming where (e.g. `members[2].followers`)."""


@dataclass
class Scenario:
    """A validated scenario, its dates already moved if it was shifted."""

    today: date
    name: str
    seed: int
    digest: str
    scopes: list[str]
    refresh_tokens: bool
    redirect_uris: list[str]
    pages: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)


# Validation ---------------------------------------------------------------------------------


def _object(value: Any, where: str, allowed: set[str], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected an object, got {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ScenarioError(
            f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )
    for key in required:
        if key not in value:
            raise ScenarioError(f"{where}: {key!r} is required")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: expected a list")
    return value


def _string(
    value: Any, where: str, *, pattern: re.Pattern[str] | None = None, allow_empty: bool = False
) -> str:
    if not isinstance(value, str) or (not value and not allow_empty):
        raise ScenarioError(f"{where}: expected a non-empty string")
    if pattern is not None and not pattern.match(value):
        raise ScenarioError(f"{where}: {value!r} is not valid")
    return value


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{where}: expected a whole number, got {value!r}")
    if value < 0:
        raise ScenarioError(f"{where}: {value} is negative")
    return value


def _day(value: Any, where: str) -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise ScenarioError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScenarioError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _moment(value: Any, where: str) -> datetime:
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}T", value):
        raise ScenarioError(f"{where}: {value!r} is not a date and time (YYYY-MM-DDTHH:MM:SSZ)")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ScenarioError(
            f"{where}: {value!r} is not a date and time (YYYY-MM-DDTHH:MM:SSZ)"
        ) from None
    if moment.tzinfo is None:
        raise ScenarioError(f"{where}: {value!r} needs a time zone (end it with Z)")
    return moment.astimezone(UTC)


def _url(value: Any, where: str) -> str:
    url = _string(value, where)
    if not re.match(r"^https?://[^\s/]+", url):
        raise ScenarioError(f"{where}: {url!r} is not an http(s) URL")
    return url


def _history(value: Any, where: str, today: date, shift: timedelta) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected an object of date: count")
    points = {}
    for key, count in value.items():
        day = _day(key, f"{where}[{key!r}]")
        if day > today:
            raise ScenarioError(f"{where}[{key!r}]: after today ({today})")
        points[(day + shift).isoformat()] = _count(count, f"{where}[{key!r}]")
    return points


def parse_scenario(data: Any, *, today: date | None = None) -> Scenario:
    """Validate scenario data; with `today`, move every date so the scenario ends on it."""
    root = _object(data, "scenario", TOP_KEYS, ("today",))
    own_today = _day(root["today"], "today")
    shift = (today - own_today) if today is not None else timedelta()
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()
    seed = root.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ScenarioError(f"seed: expected a whole number, got {seed!r}")

    app = _object(root.get("app", {}), "app", APP_KEYS, ())
    scopes = list(DEFAULT_SCOPES)
    if "scopes" in app:
        scopes = [
            _string(s, f"app.scopes[{i}]") for i, s in enumerate(_list(app["scopes"], "app.scopes"))
        ]
        unknown = [s for s in scopes if s not in KNOWN_SCOPES]
        if unknown:
            raise ScenarioError(f"app.scopes: unknown scope {unknown[0]!r}")
    refresh_tokens = app.get("refresh_tokens", True)
    if not isinstance(refresh_tokens, bool):
        raise ScenarioError("app.refresh_tokens: expected true or false")
    redirect_uris = [
        _url(uri, f"app.redirect_uris[{i}]")
        for i, uri in enumerate(_list(app.get("redirect_uris", []), "app.redirect_uris"))
    ]

    scenario = Scenario(
        today=own_today + shift,
        name=_string(root.get("name", "scenario"), "name"),
        seed=seed,
        digest=digest,
        scopes=scopes,
        refresh_tokens=refresh_tokens,
        redirect_uris=redirect_uris,
    )

    subs = _parse_members(root, scenario, own_today, shift)
    page_ids = _parse_pages(root, scenario, subs, own_today, shift)
    _parse_posts(root, scenario, subs, page_ids, own_today, shift)
    _parse_faults(root, scenario, subs)
    return scenario


def _parse_members(
    root: dict[str, Any], scenario: Scenario, own_today: date, shift: timedelta
) -> set[str]:
    """Validate `members` into the scenario; returns their subs."""
    subs: set[str] = set()
    emails: set[str] = set()
    for index, raw in enumerate(_list(root.get("members", []), "members")):
        where = f"members[{index}]"
        member = _object(raw, where, MEMBER_KEYS, ("sub", "given_name", "family_name", "email"))
        sub = _string(member["sub"], f"{where}.sub", pattern=_SUB)
        if sub in subs:
            raise ScenarioError(f"{where}.sub: {sub!r} appears twice")
        subs.add(sub)
        email = _string(member["email"], f"{where}.email", pattern=_EMAIL).lower()
        if email in emails:
            raise ScenarioError(f"{where}.email: {email!r} appears twice")
        emails.add(email)
        picture = member.get("picture", "")
        scenario.members.append(
            {
                "sub": sub,
                "given_name": _string(member["given_name"], f"{where}.given_name"),
                "family_name": _string(member["family_name"], f"{where}.family_name"),
                "email": email,
                "locale": _string(
                    member.get("locale", "en_US"), f"{where}.locale", pattern=_LOCALE
                ),
                "team": _string(member.get("team", ""), f"{where}.team", allow_empty=True),
                "headline": _string(
                    member.get("headline", ""), f"{where}.headline", allow_empty=True
                ),
                "vanity_name": _string(
                    member.get("vanity", ""), f"{where}.vanity", allow_empty=True
                ),
                "has_picture": picture is not None,
                "picture_url": _url(picture, f"{where}.picture") if picture else "",
                "connections": _count(member.get("connections", 500), f"{where}.connections"),
                "followers": _history(
                    member.get("followers", {}), f"{where}.followers", own_today, shift
                ),
            }
        )

    return subs


def _parse_pages(
    root: dict[str, Any], scenario: Scenario, subs: set[str], own_today: date, shift: timedelta
) -> set[str]:
    """Validate `pages` into the scenario; returns their ids."""
    page_ids: set[str] = set()
    for index, raw in enumerate(_list(root.get("pages", []), "pages")):
        where = f"pages[{index}]"
        page = _object(raw, where, PAGE_KEYS, ("id", "name"))
        page_id = _string(
            str(page["id"]) if isinstance(page["id"], int) else page["id"],
            f"{where}.id",
            pattern=_DIGITS,
        )
        if page_id in page_ids:
            raise ScenarioError(f"{where}.id: {page_id!r} appears twice")
        page_ids.add(page_id)
        admins = [
            _string(sub, f"{where}.admins[{i}]")
            for i, sub in enumerate(_list(page.get("admins", []), f"{where}.admins"))
        ]
        for i, sub in enumerate(admins):
            if sub not in subs:
                raise ScenarioError(f"{where}.admins[{i}]: no member has sub {sub!r}")
        if "admins" not in page and scenario.members:
            admins = [scenario.members[0]["sub"]]
        scenario.pages.append(
            {
                "page_id": page_id,
                "name": _string(page["name"], f"{where}.name"),
                "vanity_name": _string(page.get("vanity", ""), f"{where}.vanity", allow_empty=True),
                "website": _url(page["website"], f"{where}.website") if page.get("website") else "",
                "followers": _history(
                    page.get("followers", {}), f"{where}.followers", own_today, shift
                ),
                "admins": admins,
            }
        )

    return page_ids


def _parse_posts(
    root: dict[str, Any],
    scenario: Scenario,
    subs: set[str],
    page_ids: set[str],
    own_today: date,
    shift: timedelta,
) -> None:
    """Validate `posts` into the scenario."""
    post_ids: set[str] = set()
    for index, raw in enumerate(_list(root.get("posts", []), "posts")):
        where = f"posts[{index}]"
        post = _object(raw, where, POST_KEYS, ("id", "author", "published"))
        post_id = _string(
            str(post["id"]) if isinstance(post["id"], int) else post["id"],
            f"{where}.id",
            pattern=_DIGITS,
        )
        if post_id in post_ids:
            raise ScenarioError(f"{where}.id: {post_id!r} appears twice")
        post_ids.add(post_id)
        kind = post.get("type", "share")
        if kind not in {Post.Kind.SHARE, Post.Kind.UGC_POST}:
            raise ScenarioError(f"{where}.type: {kind!r} is not share or ugcPost")
        author = _string(post["author"], f"{where}.author")
        if author not in subs and author not in page_ids:
            raise ScenarioError(
                f"{where}.author: {author!r} is neither a member's sub nor a page id"
            )
        published = _moment(post["published"], f"{where}.published")
        if published.date() > own_today:
            raise ScenarioError(f"{where}.published: after today ({own_today})")
        company_content = post.get("company_content", False)
        if not isinstance(company_content, bool):
            raise ScenarioError(f"{where}.company_content: expected true or false")
        page_ref = post.get("page")
        if page_ref is not None and str(page_ref) not in page_ids:
            raise ScenarioError(f"{where}.page: no page has id {page_ref!r}")
        visibility = post.get("visibility", "PUBLIC")
        if visibility not in {"PUBLIC", "CONNECTIONS", "LOGGED_IN"}:
            raise ScenarioError(
                f"{where}.visibility: {visibility!r} is not PUBLIC, CONNECTIONS or LOGGED_IN"
            )
        metrics = {}
        raw_metrics = post.get("metrics", {})
        if not isinstance(raw_metrics, dict):
            raise ScenarioError(f"{where}.metrics: expected an object of date: figures")
        for key, figures in raw_metrics.items():
            day = _day(key, f"{where}.metrics[{key!r}]")
            if day > own_today or day < published.date():
                raise ScenarioError(
                    f"{where}.metrics[{key!r}]: outside {published.date()}..{own_today}"
                )
            figures = _object(figures, f"{where}.metrics[{key!r}]", set(METRICS), ())
            metrics[(day + shift).isoformat()] = {
                name: _count(value, f"{where}.metrics[{key!r}].{name}")
                for name, value in figures.items()
            }
        article_url = (
            _url(post["article_url"], f"{where}.article_url") if post.get("article_url") else ""
        )
        scenario.posts.append(
            {
                "number": int(post_id),
                "kind": kind,
                "author": author,
                "is_page": author in page_ids and author not in subs,
                "published": published + shift,
                "commentary": _string(
                    post.get("commentary", ""), f"{where}.commentary", allow_empty=True
                ),
                "article_url": article_url,
                "article_title": _string(
                    post.get("article_title", ""), f"{where}.article_title", allow_empty=True
                ),
                "company_content": company_content,
                "page": str(page_ref) if page_ref is not None else None,
                "visibility": visibility,
                "metrics": metrics,
            }
        )


def _parse_faults(root: dict[str, Any], scenario: Scenario, subs: set[str]) -> None:
    """Validate `faults` into the scenario."""
    for index, raw in enumerate(_list(root.get("faults", []), "faults")):
        where = f"faults[{index}]"
        fault = _object(raw, where, FAULT_KEYS, ("endpoint",))
        endpoint = fault["endpoint"]
        if endpoint != ALL and endpoint not in OPERATIONS:
            raise ScenarioError(
                f"{where}.endpoint: unknown endpoint {endpoint!r} "
                f"(use * or one of: {', '.join(OPERATIONS)})"
            )
        status = fault.get("status")
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599
        ):
            raise ScenarioError(f"{where}.status: {status!r} is not an HTTP error status (400-599)")
        every = fault.get("every")
        if every is not None and _count(every, f"{where}.every") < 1:
            raise ScenarioError(f"{where}.every: must be at least 1")
        rate = fault.get("rate")
        if rate is not None and (
            isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1
        ):
            raise ScenarioError(f"{where}.rate: {rate!r} is not a probability between 0 and 1")
        if every is not None and rate is not None:
            raise ScenarioError(f"{where}: give either every or rate, not both")
        if (every is not None or rate is not None or "retry_after" in fault) and status is None:
            raise ScenarioError(f"{where}: every, rate and retry_after need a status")
        revoke = fault.get("revoke_token_of")
        if revoke is not None and revoke not in subs:
            raise ScenarioError(f"{where}.revoke_token_of: no member has sub {revoke!r}")
        if "after_calls" in fault and revoke is None:
            raise ScenarioError(f"{where}.after_calls: needs revoke_token_of")
        latency = _count(fault.get("latency_ms", 0), f"{where}.latency_ms")
        if latency > 60_000:
            raise ScenarioError(f"{where}.latency_ms: at most 60000")
        if status is None and not latency and revoke is None:
            raise ScenarioError(f"{where}: a fault needs a status, latency_ms or revoke_token_of")
        scenario.faults.append(
            {
                "endpoint": endpoint,
                "status": status,
                "every": every,
                "rate": float(rate) if rate is not None else None,
                "retry_after": _count(fault["retry_after"], f"{where}.retry_after")
                if "retry_after" in fault
                else None,
                "latency_ms": latency,
                "revoke_token_of": revoke,
                "after_calls": _count(fault.get("after_calls", 0), f"{where}.after_calls"),
            }
        )


def read_scenario_file(path: Path | str, *, today: date | None = None) -> Scenario:
    """Read and validate a scenario file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path} is not valid JSON: {exc}") from None
    scenario = parse_scenario(data, today=today)
    if scenario.name == "scenario":
        scenario.name = Path(path).stem
    return scenario


# Loading ------------------------------------------------------------------------------------


@transaction.atomic
def load_scenario(scenario: Scenario) -> None:
    """Replace the sandbox's state with the scenario.

    Members and pages are updated in place by their ids, so the tokens of members who are
    still in the scenario keep working (the platform's connections survive a reload); codes,
    posts, images, faults and call counters start afresh. The signing key is never replaced.
    """
    now = timezone.now()
    App.objects.update_or_create(
        pk=1,
        defaults={
            "today": scenario.today,
            "scopes": scenario.scopes,
            "refresh_tokens": scenario.refresh_tokens,
            "redirect_uris": scenario.redirect_uris,
            "seed": scenario.seed,
            "scenario_name": scenario.name,
            "scenario_digest": scenario.digest,
            "loaded_at": now,
        },
    )
    for model in (Post, Image, AuthorizationCode, Fault, CallCounter):
        model.objects.all().delete()
    Member.objects.exclude(sub__in=[m["sub"] for m in scenario.members]).delete()
    Page.objects.exclude(page_id__in=[p["page_id"] for p in scenario.pages]).delete()
    members = {}
    for position, values in enumerate(scenario.members):
        defaults = {key: value for key, value in values.items() if key != "sub"}
        members[values["sub"]], _ = Member.objects.update_or_create(
            sub=values["sub"], defaults={**defaults, "position": position}
        )
    pages = {}
    for position, values in enumerate(scenario.pages):
        defaults = {key: value for key, value in values.items() if key not in {"page_id", "admins"}}
        page, _ = Page.objects.update_or_create(
            page_id=values["page_id"], defaults={**defaults, "position": position}
        )
        page.admins.set([members[sub] for sub in values["admins"]])
        pages[values["page_id"]] = page
    for values in scenario.posts:
        author: Member | Page = (
            pages[values["author"]] if values["is_page"] else members[values["author"]]
        )
        company_page: Page | None = None
        if isinstance(author, Page):
            company_page = author
        elif values["company_content"]:
            company_page = pages.get(values["page"] or "") or (next(iter(pages.values()), None))
        content = (
            {"article": {"source": values["article_url"], "title": values["article_title"]}}
            if values["article_url"]
            else {}
        )
        Post.objects.create(
            urn=f"urn:li:{values['kind']}:{values['number']}",
            kind=values["kind"],
            number=values["number"],
            origin=Post.Origin.SCENARIO,
            member=author if isinstance(author, Member) else None,
            page=author if isinstance(author, Page) else None,
            commentary=values["commentary"],
            submitted_commentary=values["commentary"],
            visibility=values["visibility"],
            body={"content": content} if content else {},
            article_url=values["article_url"],
            company_content=values["company_content"],
            company_page=company_page,
            created_at=values["published"],
            metrics=values["metrics"],
        )
    for position, values in enumerate(scenario.faults):
        Fault.objects.create(
            position=position,
            endpoint=values["endpoint"],
            status=values["status"],
            every=values["every"],
            rate=values["rate"],
            retry_after=values["retry_after"],
            latency_ms=values["latency_ms"],
            revoke_token_of=members[values["revoke_token_of"]]
            if values["revoke_token_of"]
            else None,
            after_calls=values["after_calls"],
        )


def load_demo_scenario(*, today: date) -> bool:
    """Load scenarios/demo.json with `today` as its today, unless the sandbox holds it already
    or holds another scenario someone loaded on purpose. True when the sandbox holds the demo."""
    scenario = read_scenario_file(DEMO_SCENARIO, today=today)
    app = App.objects.filter(pk=1).first()
    if app is not None and app.scenario_name not in {"", scenario.name}:
        return False
    if app is None or app.scenario_digest != scenario.digest:
        load_scenario(scenario)
    return True
