"""`make bench`: generate the data (or reuse it), start the stack, measure, report.

    python -m bench.run [--quick] [--reuse-data] [--steps pages,growth,...] [--output FILE]

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) and refuses otherwise. The results
are written after every step, so a run cut short still leaves what it measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from .stack import ROOT, Refused, Stack, bench_environment, clear_dir, require_services, running

STEPS = ("pages", "growth", "collection", "publishing", "redirect", "memory")
LARGE = "scale-large"
EMPLOYEE = "employee@scale-large.example"
COMMS = "comms@scale-large.example"

# The full run (issue targets) and a quick one to try the machinery in a few minutes.
PROFILES: dict[str, dict[str, Any]] = {
    "full": {
        "organizations": 50,
        "members": 5000,
        "days": 730,
        "posts": 100_000,
        "publish": 5000,
        "seconds": 15.0,
        "concurrencies": [1, 8, 16],
    },
    "quick": {
        "organizations": 5,
        "members": 300,
        "days": 60,
        "posts": 3000,
        "publish": 300,
        "seconds": 4.0,
        "concurrencies": [1, 16],
    },
}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="Small data, short runs.")
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="Keep the scale data already in the database instead of generating it again.",
    )
    parser.add_argument("--steps", default=",".join(STEPS), help="Which steps, comma-separated.")
    parser.add_argument("--port", type=int, default=8899)
    parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--seconds", type=float, help="Length of each load run.")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    arguments = parser.parse_args(argv)
    unknown = set(arguments.steps.split(",")) - set(STEPS)
    if unknown:
        parser.error(
            f"unknown steps {', '.join(sorted(unknown))}; the steps are {', '.join(STEPS)}"
        )
    return arguments


def measured(step: str, measure: Callable[[], list[Any]]) -> list[Any]:
    """The step's lines, or, if it could not finish (a timeout, a load run that failed),
    one FAIL line that says why, so the run goes on to the next step."""
    from .steps import Line, LoadFailed

    try:
        return measure()
    except (TimeoutError, LoadFailed, OSError) as failure:
        reason = " ".join(str(failure).split())[:300] or type(failure).__name__
        sys.stdout.write(f"   {step} did not finish: {reason}\n")
        return [Line(step, f"did not finish: {reason}", None, "", target="finishes", passed=False)]


class CeleryWorkers:
    """Tasks through Redis to the stack's workers; `wait` returns once nothing is queued,
    reserved, scheduled (a retry) or running, twice in a row."""

    def submit(self, task: Any, *args: Any) -> None:
        task.delay(*args)

    def wait(self, timeout: float) -> None:
        from amqp.exceptions import ChannelError

        from advocacy.celery import app

        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the workers were still busy after {timeout:.0f}s")
            with app.connection_for_read() as connection:
                try:
                    queued = connection.default_channel.queue_declare(
                        queue="celery", passive=True
                    ).message_count
                except ChannelError:  # Redis keeps no key for an empty queue
                    queued = 0
            busy = queued
            if not queued:
                inspect = app.control.inspect(timeout=1.0)
                for answer in (inspect.active(), inspect.reserved(), inspect.scheduled()):
                    busy += sum(len(tasks) for tasks in (answer or {}).values())
            quiet = quiet + 1 if not busy else 0
            time.sleep(0.5)

    def settle(self, timeout: float = 300) -> None:
        """After a worker step: drop whatever it left queued (a step that gave up leaves
        tasks behind) and let the running ones end, so the next step measures only its own
        work. After a step that finished, nothing is left and this returns at once."""
        from advocacy.celery import app

        app.control.purge()
        try:
            self.wait(timeout)
        except TimeoutError:
            sys.stdout.write(f"   the workers were still busy {timeout:.0f}s after the step\n")


def session_cookie(email: str) -> str:
    """A signed-in session for the user, as the login page would make it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from advocacy.accounts.models import User

    user = User.objects.get(email=email)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def with_csrf_cookie(cookie: str) -> str:
    """The cookies plus the CSRF cookie a browser keeps from its first page. Without it,
    each request is a first visit: a new CSRF secret, so a page rendered afresh."""
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return f"{cookie}; {settings.CSRF_COOKIE_NAME}={secret}"


def api_token(organization: Any, email: str) -> str:
    from django.utils import timezone

    from advocacy.api.models import ApiToken
    from advocacy.api.tokens import create_api_token
    from advocacy.tenancy.models import Membership

    membership = Membership.objects.for_org(organization).get(user__email=email)
    ApiToken.objects.for_org(organization).filter(membership=membership).delete()
    made = create_api_token(
        membership=membership,
        name="benchmark",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return made.raw


def prepare_data(profile: dict[str, Any], reuse: bool) -> dict[str, Any]:
    from django.core.management import call_command

    from advocacy.tenancy.models import Organization

    if not (reuse and Organization.objects.filter(slug=LARGE).exists()):
        began = time.perf_counter()
        call_command(
            "generate_scale_data",
            organizations=profile["organizations"],
            members=profile["members"],
            days=profile["days"],
            posts=profile["posts"],
            reset=True,
            verbosity=1,
        )
        profile["generated_in_seconds"] = round(time.perf_counter() - began, 1)
    vacuum_analyze()
    return data_facts()


def vacuum_analyze() -> None:
    """Bring the tables to the state autovacuum keeps a live database in: fresh planner
    statistics and the visibility map set (which index-only scans need), whatever earlier
    runs wrote and deleted. A development PostgreSQL may run with autovacuum off."""
    from django.db import connection

    if connection.vendor != "postgresql":  # the bench runs on PostgreSQL only
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def data_facts() -> dict[str, Any]:
    """How big the data measured on is."""
    from advocacy.tenancy.models import Membership, Organization
    from analytics.models import MemberFollowers, PostMetrics
    from content.models import Click, Post

    large = Organization.objects.get(slug=LARGE)
    return {
        "organizations": Organization.objects.filter(slug__startswith="scale-").count(),
        "large_tenant_members": Membership.objects.for_org(large).count(),
        "posts": Post.all_tenants.count(),
        "member_follower_snapshots": MemberFollowers.all_tenants.count(),
        "post_metric_snapshots": PostMetrics.all_tenants.count(),
        "clicks": Click.all_tenants.count(),
    }


def main(argv: list[str] | None = None) -> int:
    arguments = parse(argv)
    try:
        require_services(os.environ)
    except Refused as refusal:
        print(refusal, file=sys.stderr)  # noqa: T201
        return 2
    profile = dict(PROFILES["quick" if arguments.quick else "full"])
    if arguments.seconds:
        profile["seconds"] = arguments.seconds
    var_dir = ROOT / "var" / "bench"
    environment = bench_environment(os.environ, port=arguments.port, var_dir=var_dir)
    os.environ.update(environment)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

    import django

    django.setup()
    from django.core.management import call_command

    from advocacy.tenancy.models import Organization
    from analytics.rollups import today_of

    from . import report, steps

    out = sys.stdout.write
    out("Migrating and collecting static files...\n")
    call_command("migrate", verbosity=0)
    clear_dir(var_dir / "logs")
    call_command("collectstatic", interactive=False, verbosity=0)
    out("Preparing the data (generate_scale_data)...\n")
    data = prepare_data(profile, arguments.reuse_data)
    out(f"Data: {data}\n")
    organization = Organization.objects.get(slug=LARGE)
    wanted = arguments.steps.split(",")
    lines: list[steps.Line] = []
    parameters = {
        **profile,
        "web_workers": arguments.web_workers,
        "worker_concurrency": arguments.worker_concurrency,
        "steps": wanted,
    }

    def save(complete: bool) -> None:
        document = report.results(lines, parameters=parameters, data=data)
        document["complete"] = complete
        report.write(arguments.output, document)

    stack = Stack(f"http://127.0.0.1:{arguments.port}", environment, var_dir / "logs")
    seconds, concurrencies = profile["seconds"], profile["concurrencies"]
    with running(stack):
        out(f"Starting gunicorn ({arguments.web_workers} workers)...\n")
        stack.start_web(workers=arguments.web_workers)
        base = stack.base_url
        slug = organization.slug
        if "pages" in wanted:
            out("1. pages against the floor...\n")
            employee, comms = session_cookie(EMPLOYEE), session_cookie(COMMS)

            def pages() -> list[steps.Line]:
                return steps.pages(
                    base,
                    {
                        "dashboard": f"/o/{slug}/",
                        "my posts": f"/o/{slug}/posts/",
                        "content library": f"/o/{slug}/manage/content/",
                    },
                    cookies={
                        "dashboard": with_csrf_cookie(employee),
                        "my posts": with_csrf_cookie(employee),
                        "content library": with_csrf_cookie(comms),
                    },
                    rendered_cookies={
                        "dashboard": employee,
                        "my posts": employee,
                        "content library": comms,
                    },
                    concurrencies=concurrencies,
                    seconds=seconds,
                    floors=steps.measure_floor(base, concurrencies, seconds),
                )

            lines += measured("pages", pages)
            stack.sample_memory()
            save(False)
        if "growth" in wanted:
            out("2. the growth report against raw SQL...\n")
            token = api_token(organization, COMMS)
            lines += measured(
                "growth",
                lambda: steps.growth(
                    base, token=token, organization=organization, end=today_of(organization)
                ),
            )
            stack.sample_memory()
            save(False)
        if "collection" in wanted or "publishing" in wanted:
            out(f"Starting a Celery worker ({arguments.worker_concurrency} processes)...\n")
            from advocacy.celery import app

            app.control.purge()
            stack.start_worker(concurrency=arguments.worker_concurrency)
            workers = CeleryWorkers()
            if "collection" in wanted:
                out("3. collection against COPY...\n")
                lines += measured("collection", lambda: steps.collection(organization, workers))
                workers.settle()
                # It rewrote tens of thousands of rows: what autovacuum would do next, before
                # the next step measures.
                vacuum_analyze()
                stack.sample_memory()
                save(False)
            if "publishing" in wanted:
                out(f"4. publishing {profile['publish']} posts due at once...\n")
                lines += measured(
                    "publishing",
                    lambda: steps.publishing(organization, workers, posts=profile["publish"]),
                )
                workers.settle()
                stack.sample_memory()
                save(False)
        if "redirect" in wanted:
            out("5. tracked links against the floor...\n")
            paths = steps.tracked_paths(organization)

            def redirect() -> list[steps.Line]:
                floors = steps.measure_floor(base, concurrencies, seconds)
                return steps.redirect(
                    base, paths, concurrencies=concurrencies, seconds=seconds, floors=floors
                )

            lines += measured("redirect", redirect)
            stack.sample_memory()
            save(False)
    if "memory" in wanted:
        lines += steps.memory(stack.rss_seen)
    save(True)
    out("\n" + report.table(lines) + "\n\n")
    failed = sum(1 for line in lines if line.passed is False)
    out(
        f"{sum(1 for line in lines if line.passed)} targets met, {failed} missed; "
        f"results in {arguments.output}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
