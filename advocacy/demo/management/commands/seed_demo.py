from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from advocacy.demo.seeding import DEFAULT_PASSWORD, DEMO_SLUG, seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo organization (Nordlys Consulting A/S, /o/demo/) with a member for "
        "every role, content and campaigns. Safe to run again: it adds nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"The password of every demo login (default: {DEFAULT_PASSWORD}).",
        )

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        logins = seed_demo(password=password)
        self.stdout.write(self.style.SUCCESS("The demo is ready. Sign in as any of these:"))
        email_width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(
                f"  {login.email:<{email_width}}  {login.role:<11}  {password}  "
                f"({login.organization})"
            )
        self.stdout.write(f"Open: {settings.SITE_URL}/o/{DEMO_SLUG}/")
