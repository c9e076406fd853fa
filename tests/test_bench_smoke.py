"""`make bench` in miniature, so that it never rots: a tiny generated data set, and each step
run against the live test server (the platform and the LinkedIn sandbox over real HTTP),
with Celery eager instead of the workers. Timings mean nothing here; what is asserted is that
every step measures what it says and its figures add up."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from advocacy.sandbox import models as sandbox
from advocacy.tenancy.models import Organization
from analytics.growth import growth_report
from analytics.models import MemberFollowers
from analytics.rollups import today_of
from bench import report, run, stack, steps
from content.models import Post

from .publishing_support import use_live_sandbox

pytestmark = pytest.mark.django_db(transaction=True)


class EagerWorkers:
    """Celery runs eagerly in the tests: a submitted task has finished when submit returns."""

    def __init__(self) -> None:
        self.submitted: list[str] = []

    def submit(self, task: Any, *args: Any) -> None:
        self.submitted.append(task.name)
        task.delay(*args)

    def wait(self, timeout: float) -> None:
        return None


@pytest.fixture
def scale(live_server: Any, settings: Any) -> Organization:
    """A tiny scale data set, its LinkedIn side served by the live server's sandbox."""
    use_live_sandbox(live_server, settings)
    call_command(
        "generate_scale_data",
        organizations=2,
        members=12,
        days=20,
        posts=60,
        verbosity=0,
    )
    return Organization.objects.get(slug=run.LARGE)


def test_the_bench_refuses_sqlite_and_a_missing_redis_before_touching_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    output = tmp_path / "results.json"
    monkeypatch.setenv("DATABASE_URL", "")
    assert run.main(["--output", str(output)]) == 2
    assert "needs PostgreSQL" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x")
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert run.main(["--output", str(output)]) == 2
    assert "needs Redis" in capsys.readouterr().err
    assert not output.exists()


def test_an_unknown_step_is_refused(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        run.parse(["--steps", "pages,teleport"])
    assert "unknown steps teleport" in capsys.readouterr().err


def test_the_stack_runs_production_settings_on_the_sandbox(tmp_path: Path):
    environment = stack.bench_environment(
        {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://x/y"}, port=8123, var_dir=tmp_path
    )
    assert environment["DJANGO_DEBUG"] == "0"
    assert environment["SITE_URL"] == "http://127.0.0.1:8123"
    assert environment["DATABASE_URL"] == "postgres://x/y"
    assert environment["LINKEDIN_ALLOW_SANDBOX"] == "1"
    assert environment["DJANGO_SECURE_SSL_REDIRECT"] == "0"


def test_pages_and_tracked_links_are_measured_against_the_floor(
    scale: Organization, live_server: Any
):
    # The live server shares one connection between its threads on SQLite's in-memory test
    # database, so two requests at once can collide there (not in a deployment, where each
    # process has its own): one client on SQLite, two on PostgreSQL.
    clients = 2 if connection.vendor == "postgresql" else 1
    floors = steps.measure_floor(live_server.url, [clients], seconds=1)
    assert floors[clients].requests > 0
    assert floors[clients].rps > 0
    employee, comms = run.session_cookie(run.EMPLOYEE), run.session_cookie(run.COMMS)
    lines = steps.pages(
        live_server.url,
        {"dashboard": f"/o/{scale.slug}/", "content library": f"/o/{scale.slug}/manage/content/"},
        cookies={
            "dashboard": run.with_csrf_cookie(employee),
            "content library": run.with_csrf_cookie(comms),
        },
        rendered_cookies={"dashboard": employee},
        concurrencies=[clients],
        seconds=1,
        floors=floors,
    )
    throughput = [line for line in lines if line.unit == "req/s"]
    assert [line.measure for line in throughput] == [
        f"dashboard, rendered every time, {clients} clients: throughput",
        f"dashboard, {clients} clients: throughput",
        f"content library, {clients} clients: throughput",
    ]
    for line in throughput:
        assert (line.value or 0) > 0
        assert line.floor == floors[clients].rps
        assert line.ratio == pytest.approx(line.value / floors[clients].rps)
    rendered, *kept = throughput
    assert rendered.passed is None
    for line in kept:
        assert line.passed is (line.ratio >= steps.PAGE_RATIO_TARGET)
    paths = steps.tracked_paths(scale)
    assert paths
    clicks_before = scale_clicks(scale)
    [line] = steps.redirect(
        live_server.url, paths, concurrencies=[clients], seconds=1, floors=floors
    )
    assert (line.value or 0) > 0
    assert scale_clicks(scale) > clicks_before  # every redirect recorded its click


def scale_clicks(organization: Organization) -> int:
    from content.models import Click

    return Click.objects.for_org(organization).count()


def test_a_page_that_answers_wrong_fails_the_load_run_instead_of_counting(
    scale: Organization, live_server: Any
):
    with pytest.raises(steps.LoadFailed, match="answered 302"):
        # Not signed in: the dashboard sends the visitor to the login page.
        steps.run_load(live_server.url, [f"/o/{scale.slug}/"], users=1, seconds=1)


def test_the_growth_step_times_the_report_and_the_raw_sql_agrees_with_it(
    scale: Organization, live_server: Any
):
    end = today_of(scale)
    start = end - dt.timedelta(days=14)
    expected = growth_report(scale, start, end)
    (
        page_start,
        page_end,
        counted,
        new_followers,
        posts,
        impressions,
        engagements,
        clicks,
    ) = steps.raw_growth_sql(scale, start, end)
    assert page_start == expected.company_followers_start
    assert page_end == expected.company_followers_end
    assert counted == expected.employees_counted
    assert new_followers == expected.employee_new_followers
    assert posts == expected.posts
    assert impressions == expected.impressions
    assert engagements == expected.engagements
    assert clicks == expected.clicks

    lines = steps.growth(
        live_server.url,
        token=run.api_token(scale, run.COMMS),
        organization=scale,
        end=end,
        days=15,
        rounds=2,
    )
    assert [line.unit for line in lines] == ["ms p95", "ms p95"]
    assert all(line.value and line.value > 0 for line in lines)
    assert (lines[1].floor or 0) > 0
    assert lines[1].passed is (lines[1].ratio <= steps.GROWTH_RAW_FACTOR)


def test_the_collection_step_stores_through_the_sandbox_and_compares_with_copy(
    scale: Organization, settings: Any
):
    settings.ANALYTICS_COLLECT_BATCH = 2
    workers = EagerWorkers()
    day, first = steps.collection(scale, workers, first_connections=2)
    today = today_of(scale)
    collected = MemberFollowers.objects.for_org(scale).filter(day=today).count()
    assert collected > 2
    # The day's members two a task, and the two first connections in one more.
    assert workers.submitted.count("analytics.collect_members_followers") == (
        -(-collected // 2) + 1
    )
    assert "analytics.collect_member_posts" in workers.submitted
    for line in (day, first):
        assert line.unit == "rows/s"
        assert (line.value or 0) > 0
        assert (line.floor or 0) > 0
        assert line.passed is (line.ratio >= steps.COLLECTION_RATIO_TARGET)
    assert f"{collected} follower counts" in day.measure
    # A first connection's history: a year of days for each of the two members.
    assert "first connections: 2 members' history" in first.measure
    assert (
        MemberFollowers.objects.for_org(scale)
        .filter(day__lt=today - dt.timedelta(days=300))
        .exists()
    )


def test_the_publishing_step_publishes_every_post_once(scale: Organization):
    lines = steps.publishing(scale, EagerWorkers(), posts=8)
    late, duplicates = lines
    assert "8 published" in late.measure
    assert late.value is not None
    assert duplicates.value == 0
    assert duplicates.passed is True
    # What the step published it removes again, here and on LinkedIn's side.
    assert not Post.objects.for_org(scale).filter(text__contains="#bench-").exists()
    assert not sandbox.Post.objects.filter(commentary__contains="#bench-").exists()


def test_memory_is_judged_on_the_web_process_and_reported_for_the_worker():
    assert stack.peak_rss(os.getpid()) > 10 * 2**20
    web, worker = steps.memory({"web": 120 * 2**20, "worker": 300 * 2**20})
    assert (web.value, web.passed) == (120.0, True)
    assert (worker.value, worker.passed) == (300.0, None)
    [heavy] = steps.memory({"web": 400 * 2**20})
    assert heavy.passed is False


def test_the_table_and_the_results_file_say_what_passed(tmp_path: Path):
    lines = [
        steps.Line("pages", "dashboard", 80.0, "req/s", 100.0, 0.8, ">= 40%", True),
        steps.Line("growth report", "365 days", 420.0, "ms p95", target="< 300 ms", passed=False),
    ]
    printed = report.table(lines)
    assert "PASS" in printed
    assert "FAIL" in printed
    assert "80%" in printed
    document = report.results(lines, parameters={"members": 12}, data={"posts": 60})
    assert (document["passed"], document["failed"]) == (1, 1)
    assert document["machine"]["cpus"] == os.cpu_count()
    report.write(tmp_path / "results.json", document)
    assert '"growth report"' in (tmp_path / "results.json").read_text()
    assert "| pages | dashboard | 80.0 req/s | 100.0 | 80% | >= 40% | PASS |" in report.markdown(
        lines
    )


def test_a_step_that_cannot_finish_becomes_a_fail_line_and_the_run_goes_on(
    capsys: pytest.CaptureFixture[str],
):
    def stuck() -> list[steps.Line]:
        raise TimeoutError("the workers were still busy after 1800s")

    def unanswered() -> list[steps.Line]:
        raise steps.LoadFailed("no request to /o/x/ was answered:\n  connection refused")

    [timed_out] = run.measured("collection", stuck)
    [failed] = run.measured("pages", unanswered)
    assert (timed_out.step, timed_out.passed, timed_out.value) == ("collection", False, None)
    assert timed_out.measure == "did not finish: the workers were still busy after 1800s"
    assert failed.measure == "did not finish: no request to /o/x/ was answered: connection refused"
    assert "collection did not finish" in capsys.readouterr().out
    assert "FAIL" in report.table([timed_out, failed])
    finished = [steps.Line("redirect", "16 clients", 1.0, "req/s", passed=True)]
    assert run.measured("redirect", lambda: finished) == finished


def test_an_error_that_is_not_a_measurement_failure_still_stops_the_run():
    def broken() -> list[steps.Line]:
        raise KeyError("a bug in the step")

    with pytest.raises(KeyError):
        run.measured("growth", broken)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: the bench refuses SQLite"
)
def test_before_measuring_the_tables_are_vacuumed_and_analysed_as_autovacuum_would():
    def last_vacuumed() -> tuple[object, object]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = %s",
                [Post._meta.db_table],
            )
            return cursor.fetchone()

    began = timezone.now()
    run.vacuum_analyze()
    # The statistics collector reports a moment later.
    deadline = time.monotonic() + 10
    while not all(stamp and stamp >= began for stamp in last_vacuumed()):
        assert time.monotonic() < deadline, last_vacuumed()
        time.sleep(0.1)
