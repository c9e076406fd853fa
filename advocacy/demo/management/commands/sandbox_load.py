from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from advocacy.demo.provisioning import provision_organization
from advocacy.sandbox.scenario import ScenarioError, load_scenario, read_scenario_file
from advocacy.tenancy.models import Organization


class Command(BaseCommand):
    """Replace the LinkedIn sandbox's state with a scenario file (docs/sandbox.md)."""

    help = (
        "Load a scenario into the LinkedIn sandbox, replacing its state. With --organization "
        "and --create-members, also make each scenario member a user, an opted-in member and a "
        "LinkedIn connection of that organization, record their scenario posts as published "
        "through the platform, and connect the first page as its company page. Safe to run "
        "again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenario", help="Path of the scenario JSON file.")
        parser.add_argument(
            "--organization", metavar="SLUG", help="The organization --create-members fills."
        )
        parser.add_argument(
            "--create-members",
            action="store_true",
            help="Create users, memberships and LinkedIn connections for the scenario members.",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD|now",
            help="Move every date of the scenario so that its `today` falls on this day.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["create_members"] and not options["organization"]:
            raise CommandError("--create-members needs --organization SLUG")
        organization = None
        if options["organization"]:
            organization = Organization.objects.filter(slug=options["organization"]).first()
            if organization is None:
                raise CommandError(f"No organization with the address {options['organization']!r}")
        today = _today(options["today"]) if options["today"] else None
        try:
            scenario = read_scenario_file(options["scenario"], today=today)
        except ScenarioError as problem:
            raise CommandError(f"The scenario is not valid: {problem}") from None
        with transaction.atomic():
            load_scenario(scenario)
            report = None
            if organization is not None and options["create_members"]:
                report = provision_organization(organization=organization)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {scenario.name!r}: today {scenario.today}, {len(scenario.members)} "
                f"members, {len(scenario.pages)} pages, {len(scenario.posts)} posts, "
                f"{len(scenario.faults)} faults."
            )
        )
        if report is not None and organization is not None:
            self.stdout.write(
                f"{organization.name}: {len(report.users_created)} users and "
                f"{len(report.memberships_created)} memberships created, "
                f"{len(report.members_connected)} LinkedIn connections made, "
                f"{report.posts_recorded} posts recorded"
                + (
                    f", company page {report.page_connected} connected."
                    if report.page_connected
                    else "."
                )
            )
            for warning in report.warnings:
                self.stdout.write(self.style.WARNING(warning))


def _today(value: str) -> date:
    if value == "now":
        return timezone.now().date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be YYYY-MM-DD or now, not {value!r}") from None
