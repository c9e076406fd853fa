"""Settings come from the environment; production refuses to start on a missing or bad value.

The production checks run `manage.py check` in a child process, the way a deployment starts.
Each one spawns Django, so they are kept to the contract: the deploy check passes, and each
required or malformed variable is named when the process refuses.
"""

from __future__ import annotations

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections

from advocacy.celery import app

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "advocacy" / "settings.py"
# Where the process runs, not what it is: the child keeps the database and Redis of this run.
PASSED_THROUGH = {"DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX"}
REQUIRED_IN_PRODUCTION = [
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "TOKEN_ENCRYPTION_KEYS",
    "SITE_URL",
]


def settings_variables() -> list[str]:
    """Every environment variable settings.py reads, in the order it reads them."""
    source = SETTINGS_FILE.read_text()
    found = re.findall(r"(?:env_\w+|os\.environ\.get|os\.getenv)\(\s*\"([A-Z][A-Z0-9_]*)\"", source)
    return list(dict.fromkeys(found))


def production_environment(var_dir: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name in PASSED_THROUGH or name not in settings_variables()
    }
    env.update(
        DJANGO_SETTINGS_MODULE="advocacy.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="advocacy.example.com",
        TOKEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SITE_URL="https://advocacy.example.com",
        VAR_DIR=str(var_dir),
    )
    return env


def manage_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_settings(monkeypatch: pytest.MonkeyPatch, var_dir: Path, **env: str) -> dict[str, Any]:
    """settings.py evaluated in-process with exactly `env` (plus VAR_DIR) set."""
    for name in settings_variables():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAR_DIR", str(var_dir))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = manage_check(production_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize("name", REQUIRED_IN_PRODUCTION)
def test_production_refuses_to_start_without(name: str, tmp_path: Path) -> None:
    env = production_environment(tmp_path)
    del env[name]
    result = manage_check(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("TOKEN_ENCRYPTION_KEYS", "c2hvcnQtYW5kLW5vdC1hLWZlcm5ldC1rZXk="),
        ("DATABASE_URL", "postgress://advocacy@db.example:5432/advocacy"),
    ],
)
def test_a_malformed_value_is_refused_by_name(name: str, value: str, tmp_path: Path) -> None:
    env = production_environment(tmp_path)
    env[name] = value
    result = manage_check(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


@pytest.mark.django_db
def test_the_sqlite_default_uses_wal_and_waits_for_locks(tmp_path: Path) -> None:
    if settings.DATABASE_URL:
        pytest.skip("DATABASE_URL is set (PostgreSQL in CI): the SQLite default is not in use")
    # The test database is in memory, which has no WAL; open the same settings on a file.
    default = connections["default"]
    probe = type(default)({**default.settings_dict, "NAME": str(tmp_path / "db.sqlite3")})
    try:
        with probe.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
    finally:
        probe.close()


def test_a_postgres_url_gets_a_connection_pool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded = load_settings(
        monkeypatch,
        tmp_path,
        DATABASE_URL="postgres://advocacy:secret@db.example:5432/advocacy",
        DATABASE_POOL_MAX_SIZE="20",
    )
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "advocacy"
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 20, "timeout": 10}
    # Django refuses persistent connections together with its pool.
    assert database["CONN_MAX_AGE"] == 0


def test_publishing_threads_must_leave_a_pooled_connection_for_the_task(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "postgres://advocacy@db.example:5432/advocacy"
    loaded = load_settings(monkeypatch, tmp_path, DATABASE_URL=url, PUBLISH_THREADS="9")
    assert loaded["PUBLISH_THREADS"] == 9
    with pytest.raises(ImproperlyConfigured, match="PUBLISH_THREADS"):
        load_settings(monkeypatch, tmp_path, DATABASE_URL=url, PUBLISH_THREADS="10")
    loaded = load_settings(
        monkeypatch, tmp_path, DATABASE_URL=url, PUBLISH_THREADS="10", DATABASE_POOL="0"
    )
    assert loaded["PUBLISH_THREADS"] == 10


def test_collection_threads_must_leave_a_pooled_connection_for_the_task_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "postgres://advocacy@db.example:5432/advocacy"
    loaded = load_settings(monkeypatch, tmp_path, DATABASE_URL=url)
    assert (loaded["ANALYTICS_COLLECT_THREADS"], loaded["ANALYTICS_COLLECT_BATCH"]) == (4, 50)
    with pytest.raises(ImproperlyConfigured, match="ANALYTICS_COLLECT_THREADS"):
        load_settings(monkeypatch, tmp_path, DATABASE_URL=url, ANALYTICS_COLLECT_THREADS="10")
    with pytest.raises(ImproperlyConfigured, match="ANALYTICS_COLLECT_BATCH"):
        load_settings(monkeypatch, tmp_path, ANALYTICS_COLLECT_BATCH="0")


def test_pages_are_kept_only_with_a_shared_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert load_settings(monkeypatch, tmp_path)["PAGE_CACHE_SECONDS"] == 0
    redis = "redis://127.0.0.1:6379/0"
    assert load_settings(monkeypatch, tmp_path, REDIS_URL=redis)["PAGE_CACHE_SECONDS"] == 60
    loaded = load_settings(monkeypatch, tmp_path, REDIS_URL=redis, PAGE_CACHE_SECONDS="0")
    assert loaded["PAGE_CACHE_SECONDS"] == 0
    with pytest.raises(ImproperlyConfigured, match="PAGE_CACHE_SECONDS needs REDIS_URL"):
        load_settings(monkeypatch, tmp_path, PAGE_CACHE_SECONDS="60")
    with pytest.raises(ImproperlyConfigured, match="PAGE_CACHE_SECONDS"):
        load_settings(monkeypatch, tmp_path, REDIS_URL=redis, PAGE_CACHE_SECONDS="-1")


def test_postgres_jit_is_off_unless_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "postgres://advocacy@db.example:5432/advocacy"
    loaded = load_settings(monkeypatch, tmp_path, DATABASE_URL=url)
    assert loaded["DATABASES"]["default"]["OPTIONS"]["options"] == "-c jit=off"
    loaded = load_settings(monkeypatch, tmp_path, DATABASE_URL=url, DATABASE_JIT="1")
    assert "options" not in loaded["DATABASES"]["default"]["OPTIONS"]


@pytest.mark.django_db
def test_the_running_postgres_connection_has_jit_off() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the suite runs on the SQLite default")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_without_the_pool_connections_persist(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded = load_settings(
        monkeypatch,
        tmp_path,
        DATABASE_URL="postgres://advocacy@db.example:5432/advocacy",
        DATABASE_POOL="0",
    )
    database = loaded["DATABASES"]["default"]
    assert "pool" not in database.get("OPTIONS", {})
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
def test_the_running_postgres_database_is_pooled() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the suite runs on the SQLite default")
    connection.ensure_connection()
    assert connection.pool is not None


def test_every_variable_is_documented() -> None:
    names = settings_variables()
    assert "DJANGO_SECRET_KEY" in names  # the pattern still finds what settings.py reads
    for document in ("README.md", ".env.example"):
        text = (ROOT / document).read_text()
        missing = [name for name in names if not re.search(rf"\b{name}\b", text)]
        assert not missing, f"{document} does not mention {', '.join(missing)}"


def test_development_talks_to_the_sandbox_of_this_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    development = load_settings(monkeypatch, tmp_path, SITE_URL="http://127.0.0.1:8765")
    assert development["LINKEDIN_SANDBOX"] is True
    assert development["LINKEDIN_WWW_URL"] == "http://127.0.0.1:8765/sandbox/linkedin"
    assert development["LINKEDIN_API_URL"] == "http://127.0.0.1:8765/sandbox/linkedin"


def test_production_talks_to_linkedin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    production = load_settings(
        monkeypatch, tmp_path, **{**production_environment(tmp_path), "VAR_DIR": str(tmp_path)}
    )
    assert production["LINKEDIN_SANDBOX"] is False
    assert production["LINKEDIN_WWW_URL"] == "https://www.linkedin.com"
    assert production["LINKEDIN_API_URL"] == "https://api.linkedin.com"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LINKEDIN_SANDBOX", "1"),
        ("LINKEDIN_API_URL", "https://advocacy.example.com/sandbox/linkedin"),
    ],
)
def test_production_refuses_the_sandbox_unless_allowed(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env = {**production_environment(tmp_path), name: value}
    with pytest.raises(ImproperlyConfigured, match=name):
        load_settings(monkeypatch, tmp_path, **env)
    allowed = load_settings(monkeypatch, tmp_path, **env, LINKEDIN_ALLOW_SANDBOX="1")
    assert "/sandbox/linkedin" in allowed["LINKEDIN_API_URL"]


def test_the_follow_up_rhythm_is_a_positive_whole_number(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert load_settings(monkeypatch, tmp_path)["PROGRAM_FOLLOW_UP_EVERY_DAYS"] == 30
    weekly = load_settings(monkeypatch, tmp_path, PROGRAM_FOLLOW_UP_EVERY_DAYS="14")
    assert weekly["PROGRAM_FOLLOW_UP_EVERY_DAYS"] == 14
    for bad in ("monthly", "0"):
        with pytest.raises(ImproperlyConfigured, match="PROGRAM_FOLLOW_UP_EVERY_DAYS"):
            load_settings(monkeypatch, tmp_path, PROGRAM_FOLLOW_UP_EVERY_DAYS=bad)


def test_periodic_tasks_exist_and_avoid_minute_zero() -> None:
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"{name} names no registered task"
        schedule = entry["schedule"]
        if isinstance(schedule, crontab):
            assert 0 not in schedule.minute, f"{name} runs at minute 0"
