"""How the sandbox's numbers move: histories, the growth of new posts, and two clocks.

- A history ({"YYYY-MM-DD": value}) is read by linear interpolation between its dates, rounded
  half up; before its first date it holds the first value, after its last date the last one.
- A post created through the API gains impressions, members reached, reactions, comments,
  reshares and clicks along one curve: `growth_fraction(age)`, most of it in the first two or
  three days and all of it by day 7. The totals are drawn once from a RNG seeded with the
  scenario's seed and the post's URN, scaled by the author's followers when it was posted. The
  post also brings its author a few followers, and its company page some, along the same curve.
- Scenario data (histories, scenario posts) lives on the scenario's dates: days up to
  `data_until = max(today, real today)` have data. A scenario post without `metrics` follows
  the same curve from its `published` time, read at `scenario_instant` (real now, or the end of
  `today` when the scenario lies in the future). Posts created through the API use real time.
- A value for day D is the value at the end of D (capped at "now"); a daily figure is the value
  of D minus the value of D-1, so daily figures always add up to the totals.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from .models import App, Member, Page, Post

METRICS = ("impressions", "members_reached", "reactions", "comments", "reshares", "clicks")
GROWTH_DAYS = 7
# Time constant of the growth curve, in days: ~81 % after two days, ~92 % after three.
GROWTH_TAU_DAYS = 1.2


def round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of(day: date) -> datetime:
    return start_of(day + timedelta(days=1))


def days_between(start: date, end: date) -> list[date]:
    """Days from `start` up to, not including, `end`."""
    return [start + timedelta(days=offset) for offset in range((end - start).days)]


class Series:
    """A history of whole numbers given at some dates, read at any date."""

    def __init__(self, points: Mapping[date, int]) -> None:
        ordered = sorted(points.items())
        self._days = [day.toordinal() for day, _ in ordered]
        self._values = [value for _, value in ordered]

    @classmethod
    def from_json(cls, data: Mapping[str, Any], key: str | None = None) -> Series:
        points: dict[date, int] = {}
        for day, value in data.items():
            if key is not None:
                if key not in value:
                    continue
                value = value[key]
            points[date.fromisoformat(day)] = int(value)
        return cls(points)

    def __bool__(self) -> bool:
        return bool(self._days)

    @property
    def first_day(self) -> date | None:
        return date.fromordinal(self._days[0]) if self._days else None

    def on(self, day: date) -> int:
        if not self._days:
            return 0
        ordinal = day.toordinal()
        index = bisect.bisect_right(self._days, ordinal)
        if index == 0:
            return self._values[0]
        if index == len(self._days):
            return self._values[-1]
        left, right = self._days[index - 1], self._days[index]
        low, high = self._values[index - 1], self._values[index]
        return round_half_up(low + (high - low) * (ordinal - left) / (right - left))


def growth_fraction(age: timedelta) -> float:
    """The share of a new post's final figures reached at `age`: 0 at birth, 1 from day 7."""
    days = age.total_seconds() / 86400
    if days <= 0:
        return 0.0
    if days >= GROWTH_DAYS:
        return 1.0
    return (1 - math.exp(-days / GROWTH_TAU_DAYS)) / (1 - math.exp(-GROWTH_DAYS / GROWTH_TAU_DAYS))


@dataclass(frozen=True)
class Outcome:
    """Where a simulated post ends up after a week."""

    impressions: int
    members_reached: int
    reactions: int
    comments: int
    reshares: int
    clicks: int
    author_followers: int
    page_followers: int

    def metric(self, name: str) -> int:
        return int(getattr(self, name))


def post_outcome(*, seed: int, urn: str, audience: int, company_content: bool) -> Outcome:
    """The final figures of a simulated post: deterministic in the seed and the URN."""
    rng = random.Random(f"{seed}:{urn}")  # noqa: S311 - a simulation, not a secret
    impressions = round_half_up(max(audience, 50) * rng.uniform(0.35, 1.1) + rng.randint(40, 250))
    reactions = round_half_up(impressions * rng.uniform(0.01, 0.035))
    return Outcome(
        impressions=impressions,
        members_reached=round_half_up(impressions * rng.uniform(0.55, 0.8)),
        reactions=reactions,
        comments=round_half_up(reactions * rng.uniform(0.05, 0.25)),
        reshares=round_half_up(reactions * rng.uniform(0.02, 0.1)),
        clicks=round_half_up(impressions * rng.uniform(0.005, 0.02)),
        author_followers=1 + round_half_up(impressions * rng.uniform(0.001, 0.004)),
        page_followers=(1 + round_half_up(impressions * rng.uniform(0.0005, 0.002)))
        if company_content
        else 0,
    )


class Simulation:
    """Reads figures for one request; caches what it parsed and queried."""

    def __init__(self, app: App, now: datetime) -> None:
        self.app = app
        self.now = now
        self.today = app.today
        self.data_until = max(app.today, now.date())
        # Scenario posts' clock: real time, held at the end of `today` if that is later.
        self.scenario_instant = end_of(app.today) if app.today > now.date() else now
        self._series: dict[tuple[str, int, str], Series] = {}
        self._outcomes: dict[int, Outcome] = {}
        self._member_posts: dict[int, list[Post]] = {}
        self._page_posts: dict[int, list[Post]] = {}

    # Histories -------------------------------------------------------------------------

    def member_history(self, member: Member) -> Series:
        key = ("member", member.pk, "")
        if key not in self._series:
            self._series[key] = Series.from_json(member.followers)
        return self._series[key]

    def page_history(self, page: Page) -> Series:
        key = ("page", page.pk, "")
        if key not in self._series:
            self._series[key] = Series.from_json(page.followers)
        return self._series[key]

    # Followers -------------------------------------------------------------------------

    def member_followers_on(self, member: Member, day: date) -> int:
        """Followers at the end of `day`: the history plus what API posts brought."""
        instant = min(end_of(day), self.now)
        gained = sum(
            self._scaled(self.outcome(post).author_followers, post, instant)
            for post in self._grown_posts_of_member(member)
        )
        return self.member_history(member).on(day) + gained

    def member_followers_over(self, member: Member, days: Sequence[date]) -> list[int]:
        """member_followers_on for each of `days` (in ascending order), in one pass: a post
        adds nothing before it was made and a fixed number once it stopped growing, so only
        the posts still growing on a day are worked out for it."""
        history = self.member_history(member)
        gained = self._gained_over(
            self._grown_posts_of_member(member),
            lambda post: self.outcome(post).author_followers,
            days,
        )
        return [history.on(day) + extra for day, extra in zip(days, gained, strict=True)]

    def _gained_over(
        self, posts: list[Post], final_of: Callable[[Post], int], days: Sequence[date]
    ) -> list[int]:
        # When each post's share stops changing: a week after it was made, or its deletion.
        settling = sorted(
            (
                min(
                    post.created_at + timedelta(days=GROWTH_DAYS),
                    post.deleted_at or datetime.max.replace(tzinfo=UTC),
                ),
                number,
                post,
            )
            for number, post in enumerate(posts)
        )
        settled, done = 0, 0
        gained = []
        for day in days:
            instant = min(end_of(day), self.now)
            while done < len(settling) and settling[done][0] <= instant:
                settled_at, _number, post = settling[done]
                settled += self._scaled(final_of(post), post, settled_at)
                done += 1
            growing = sum(
                self._scaled(final_of(post), post, instant)
                for _settles, _number, post in settling[done:]
                if post.created_at < instant
            )
            gained.append(settled + growing)
        return gained

    def member_followers_now(self, member: Member) -> int:
        return self.member_followers_on(member, self.data_until)

    def page_followers_on(self, page: Page, day: date) -> int:
        instant = min(end_of(day), self.now)
        gained = sum(
            self._scaled(self.outcome(post).page_followers, post, instant)
            for post in self._grown_posts_for_page(page)
        )
        return self.page_history(page).on(day) + gained

    def page_followers_now(self, page: Page) -> int:
        return self.page_followers_on(page, self.data_until)

    # Posts -----------------------------------------------------------------------------

    def post_exists_on(self, post: Post, day: date) -> bool:
        return post.created_at.date() <= day <= self.data_until

    def post_metric_on(self, post: Post, metric: str, day: date) -> int:
        """A post's cumulative figure at the end of `day` (0 before it was published)."""
        if day < post.created_at.date():
            return 0
        if post.origin == Post.Origin.SCENARIO and post.metrics:
            series = self._metric_series(post, metric)
            if series:
                return series.on(day)
            if metric == "clicks":
                # Scenarios seldom give clicks; a seeded share of the impressions stands in.
                rate = random.Random(f"{self.app.seed}:{post.urn}:clicks").uniform(0.005, 0.02)  # noqa: S311
                return round_half_up(self.post_metric_on(post, "impressions", day) * rate)
            return 0
        clock = self.now if post.origin == Post.Origin.API else self.scenario_instant
        return self._scaled(self.outcome(post).metric(metric), post, min(end_of(day), clock))

    def post_metric_now(self, post: Post, metric: str) -> int:
        return self.post_metric_on(post, metric, self.data_until)

    def outcome(self, post: Post) -> Outcome:
        if post.pk not in self._outcomes:
            if post.member is not None:
                audience = self.member_history(post.member).on(post.created_at.date())
            else:
                assert post.page is not None
                audience = self.page_history(post.page).on(post.created_at.date())
            self._outcomes[post.pk] = post_outcome(
                seed=self.app.seed,
                urn=post.urn,
                audience=audience,
                company_content=post.company_page_id is not None,
            )
        return self._outcomes[post.pk]

    def _metric_series(self, post: Post, metric: str) -> Series:
        key = ("post", post.pk, metric)
        if key not in self._series:
            points = {
                date.fromisoformat(day): int(values[metric])
                for day, values in post.metrics.items()
                if metric in values
            }
            if points:
                published = post.created_at.date()
                points.setdefault(published, 0)
            self._series[key] = Series(points)
        return self._series[key]

    def _scaled(self, final: int, post: Post, instant: datetime) -> int:
        if post.deleted_at is not None:
            instant = min(instant, post.deleted_at)
        return round_half_up(final * growth_fraction(instant - post.created_at))

    def _grown_posts_of_member(self, member: Member) -> list[Post]:
        # Only posts made through the API add followers: a scenario's history already holds
        # what its own posts brought.
        if member.pk not in self._member_posts:
            posts = list(
                Post.objects.filter(
                    member=member, origin=Post.Origin.API, lifecycle_state="PUBLISHED"
                )
            )
            for post in posts:
                post.member = member  # each outcome reads its author: no query per post
            self._member_posts[member.pk] = posts
        return self._member_posts[member.pk]

    def _grown_posts_for_page(self, page: Page) -> list[Post]:
        if page.pk not in self._page_posts:
            self._page_posts[page.pk] = list(
                Post.objects.filter(
                    company_page=page, origin=Post.Origin.API, lifecycle_state="PUBLISHED"
                ).select_related("member", "page")
            )
        return self._page_posts[page.pk]


def daily_changes(values: Iterable[tuple[date, int]], before: int) -> list[tuple[date, int]]:
    """Turn end-of-day values into per-day changes, given the value before the first day."""
    changes = []
    previous = before
    for day, value in values:
        changes.append((day, value - previous))
        previous = value
    return changes
