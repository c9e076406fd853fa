from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.tenancy.models import Organization
from analytics.collection import Collected, backfill_limit, collect_organization
from analytics.rollups import today_of


class Command(BaseCommand):
    """Collect an organization's figures from LinkedIn now, as the workers do (SANDBOX.md)."""

    help = (
        "Collect the company page's followers and each participant's followers and post "
        "figures from LinkedIn now, in the foreground, as the Celery workers do. With --since, "
        "also fill in their history from that day, as far back as the API allows "
        "(ANALYTICS_BACKFILL_DAYS). Safe to run again: each subject has one row per day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organization", metavar="SLUG", required=True, help="The organization's address."
        )
        parser.add_argument(
            "--since", metavar="YYYY-MM-DD", help="Fill in history from this day on."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(f"No organization with the address {options['organization']!r}")
        today = today_of(organization)
        since = _since(options["since"], today) if options["since"] else None
        self.stdout.write(
            f"Collecting figures of {organization.name} for {today.isoformat()}"
            + (f", with history since {since.isoformat()}" if since else "")
            + "."
        )
        report = collect_organization(organization=organization, since=since, progress=self.show)
        self.stdout.write(self.style.SUCCESS("Summary:"))
        rows = report.rows
        for table in sorted(rows):
            self.stdout.write(f"  {table}: {rows[table]} rows written")
        if not rows:
            self.stdout.write("  no rows written")
        self.stdout.write(f"  posts collected: {report.posts}")
        skipped = report.skipped()
        if skipped:
            self.stdout.write(self.style.WARNING("Skipped:"))
        for (subject, why), figures in skipped.items():
            self.stdout.write(f"  {subject}: {why} ({', '.join(figures)})")
        unavailable = report.unavailable()
        if unavailable:
            self.stdout.write(self.style.WARNING("Unavailable (not failed):"))
        for (figure, why), subjects in unavailable.items():
            self.stdout.write(f"  {figure} ({', '.join(subjects)}): {why}")
        failed = report.failed()
        if failed:
            self.stdout.write(self.style.ERROR("Failed (run again later):"))
        for unit in failed:
            self.stdout.write(f"  {unit.subject}, {unit.figure}: {unit.failed}")

    def show(self, collected: Collected) -> None:
        """One line of progress per member (or page) and figure."""
        line = f"{collected.subject}: {collected.summary()}"
        if collected.failed:
            self.stdout.write(self.style.ERROR(line))
        else:
            self.stdout.write(line)


def _since(value: str, today: date) -> date:
    try:
        since = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since must be a date, YYYY-MM-DD, not {value!r}") from None
    if since > today:
        raise CommandError(f"--since {since} is in the future (today is {today}).")
    limit = backfill_limit(today)
    if since < limit:
        raise CommandError(
            f"--since {since} is before {limit}: LinkedIn serves history for "
            f"ANALYTICS_BACKFILL_DAYS days at most."
        )
    return since
