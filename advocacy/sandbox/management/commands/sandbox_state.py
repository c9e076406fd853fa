from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Sum
from django.utils import timezone

from advocacy.sandbox.application import current_app
from advocacy.sandbox.models import AccessToken, CallCounter, Fault, Image, Member, Page, Post
from advocacy.sandbox.simulation import Simulation


class Command(BaseCommand):
    """Print what the LinkedIn sandbox holds: scenario, members, pages, posts, tokens, faults."""

    help = "Summarize the LinkedIn sandbox's state."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        app = current_app()
        simulation = Simulation(app, now)
        write = self.stdout.write
        write(
            f"Scenario {app.scenario_name or '(none loaded)'}: today {app.today}, seed {app.seed}, "
            f"loaded {app.loaded_at:%Y-%m-%d %H:%M} UTC"
        )
        write(f"Scopes: {', '.join(app.scopes)}")
        write(f"Refresh tokens: {'yes' if app.refresh_tokens else 'no'}")
        tokens = AccessToken.objects.access()
        write(f"\nMembers ({Member.objects.count()}):")
        for member in Member.objects.all():
            live = tokens.live(now).filter(member=member).count()
            write(
                f"  {member.sub:<14} {member.name:<24} {member.email:<28} "
                f"followers {simulation.member_followers_now(member):>6}  live tokens {live}"
            )
        write(f"\nPages ({Page.objects.count()}):")
        for page in Page.objects.all():
            write(
                f"  {page.urn:<32} {page.name:<28} "
                f"followers {simulation.page_followers_now(page):>6}"
            )
        posts = Post.objects.all()
        write(
            f"\nPosts: {posts.filter(origin=Post.Origin.SCENARIO).count()} from the scenario, "
            f"{posts.filter(origin=Post.Origin.API).count()} created through the API "
            f"({posts.exclude(deleted_at=None).count()} deleted); {Image.objects.count()} images"
        )
        write(
            f"Tokens: {tokens.live(now).count()} live, "
            f"{tokens.exclude(revoked_at=None).count()} revoked, "
            f"{tokens.filter(expires_at__lte=now).count()} expired"
        )
        faults = list(Fault.objects.select_related("revoke_token_of"))
        write(f"\nFaults ({len(faults)}):")
        for fault in faults:
            write(f"  {fault.as_dict()}" + (" (fired)" if fault.fired_at else ""))
        write("\nCalls today (UTC):")
        for counter in CallCounter.objects.filter(day=now.date()).order_by("endpoint"):
            write(f"  {counter.endpoint:<26} {counter.count}")
        total = CallCounter.objects.filter(endpoint="*").aggregate(total=Sum("count"))["total"]
        write(f"Calls since the scenario was loaded: {total or 0}")
