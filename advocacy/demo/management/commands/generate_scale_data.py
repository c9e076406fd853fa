from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.demo.scale import (
    DEFAULT_PASSWORD,
    DEFAULT_SEED,
    LIMITS,
    ScaleError,
    ScaleOptions,
    generate_scale_data,
)


class Command(BaseCommand):
    """A large data set for benchmarks; the shape is described in advocacy/demo/scale.py."""

    help = (
        "Generate a large, realistic data set for benchmarks: one large organization "
        "(scale-large) and small ones (scale-01, ...), with members, LinkedIn connections known "
        "to the sandbox, content, campaigns, posts, clicks, daily snapshots and rollups. The "
        "same --seed on the same day gives the same rows. Refuses to run twice unless --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = ScaleOptions()
        for name, help_text in (
            ("organizations", "Organizations in all: the large one and the small ones."),
            ("members", "Members of the large organization (small ones get 1 %, at least 3)."),
            ("days", "Days of history, ending today."),
            ("posts", "Posts in all (about 80 % in the large organization)."),
        ):
            low, high = LIMITS[name]
            parser.add_argument(
                f"--{name}",
                type=int,
                default=getattr(defaults, name),
                help=f"{help_text} {low:,}-{high:,}; default {getattr(defaults, name):,}.",
            )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Default {DEFAULT_SEED}."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First remove every earlier scale organization, its users and sandbox rows.",
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"The password of every generated user (default: {DEFAULT_PASSWORD}).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the last line.")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"] or options["verbosity"] < 1
        scale = ScaleOptions(
            organizations=options["organizations"],
            members=options["members"],
            days=options["days"],
            posts=options["posts"],
            seed=options["seed"],
            password=options["password"],
        )

        def log(line: str) -> None:
            if not quiet:
                self.stdout.write(f"  {line}")

        started = time.monotonic()
        try:
            report = generate_scale_data(scale, reset=options["reset"], log=log)
        except ScaleError as problem:
            raise CommandError(str(problem)) from None
        seconds = time.monotonic() - started
        if not quiet:
            width = max(len(table) for table in report.counts)
            self.stdout.write("Rows written:")
            for table, count in sorted(report.counts.items()):
                self.stdout.write(f"  {table:<{width}}  {count:>12,}")
            self.stdout.write(f"Sign in with the password {report.password!r} as:")
            for login in report.logins:
                self.stdout.write(f"  {login.email:<34} {login.role:<11} /o/{login.organization}/")
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale data: {scale.organizations:,} organizations, "
                f"{report.counts.get('tenancy_membership', 0):,} members, "
                f"{report.counts.get('content_post', 0):,} posts, {report.rows:,} rows "
                f"in {seconds:.1f} s."
            )
        )
