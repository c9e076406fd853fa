from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.tenancy.models import Organization
from advocacy.tenancy.scope import tenant_scope
from analytics.growth import RangeError, growth_report, parse_range

LABELS = {
    "company_followers_start": "Company page followers on the start day",
    "company_followers_end": "Company page followers on the end day",
    "company_follower_growth_pct": "Company follower growth (%)",
    "employees_counted": "Employees counted",
    "employee_follower_growth_pct_avg": "Average employee follower growth (%)",
    "employee_new_followers": "New followers of the employees counted",
    "posts": "Posts",
    "new_followers_per_post": "New followers per post",
    "impressions": "Impressions",
    "members_reached": "Members reached",
    "reactions": "Reactions",
    "comments": "Comments",
    "reshares": "Reshares",
    "engagements": "Engagements",
    "engagement_rate_pct": "Engagement rate (%)",
    "clicks": "Clicks",
    "unique_clicks": "Unique clicks",
    "emv": "Earned media value",
    "participants": "Participants",
    "participation_pct": "Participation (%)",
    "company_content_pct": "Company content (%)",
}


class Command(BaseCommand):
    """`report growth`: the growth report of docs/metrics.md, as JSON or as a table."""

    help = (
        "Print a report. `report growth --organization SLUG --start YYYY-MM-DD --end "
        "YYYY-MM-DD [--json]` prints the growth report (docs/metrics.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["growth"], help="The report: growth.")
        parser.add_argument("--organization", metavar="SLUG", required=True)
        parser.add_argument("--start", metavar="YYYY-MM-DD", required=True)
        parser.add_argument("--end", metavar="YYYY-MM-DD", required=True)
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(f"No organization with the address {options['organization']!r}")
        try:
            start, end = parse_range(options["start"], options["end"])
        except RangeError as problem:
            raise CommandError(str(problem)) from None
        with tenant_scope(organization):
            report = growth_report(organization, start, end).as_json()
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"{organization.name}: {report['start']} to {report['end']}")
        width = max(len(label) for label in LABELS.values())
        for key, label in LABELS.items():
            value = report[key]
            shown = "n/a" if value is None else str(value)
            if key == "emv" and value is not None:
                shown = f"{value} {organization.currency}"
            self.stdout.write(f"  {label.ljust(width)}  {shown}")
