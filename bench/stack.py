"""What a benchmark runs against: the environment, gunicorn, Celery workers, and their memory.

The processes run with production settings (DJANGO_DEBUG=0, hashed static files, the pool of
database connections) on the database and Redis of DATABASE_URL and REDIS_URL, which must be
PostgreSQL and Redis: the embedded defaults of `make run` measure nothing worth keeping.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# A key for the benchmark's own LinkedIn tokens (generated data, never a real account); the
# generator and every process of a run must share it, and a later run reuses the data.
BENCH_TOKEN_KEY = "xGSIRM23bsxg7H406_3KREg53UjmxnQo9uKhaecxpyY="  # noqa: S105


class Refused(Exception):
    """The benchmark cannot run here; the message says what to change."""


def require_services(environ: Mapping[str, str]) -> None:
    """PostgreSQL and Redis, or a clear refusal before anything is touched."""
    database = environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise Refused(
            "make bench needs PostgreSQL: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/advocacy_bench "
            "(SQLite, the default of make run, is not measured)."
        )
    if not environ.get("REDIS_URL", "").startswith(("redis://", "rediss://")):
        raise Refused(
            "make bench needs Redis: set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0."
        )


def bench_environment(environ: Mapping[str, str], *, port: int, var_dir: Path) -> dict[str, str]:
    """The environment of the benchmark and of every process it starts.

    Production settings with the benchmark's own secrets; LinkedIn is the sandbox served by
    the same gunicorn (allowed explicitly), with budgets that never make a worker wait: the
    benchmark measures the platform, not LinkedIn's quotas. What the caller set wins, except
    DJANGO_DEBUG, which is always off.
    """
    site = f"http://127.0.0.1:{port}"
    defaults = {
        "DJANGO_SECRET_KEY": "bench-secret-key-not-for-production-" + "x" * 24,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TOKEN_ENCRYPTION_KEYS": BENCH_TOKEN_KEY,
        "LINKEDIN_SANDBOX": "1",
        "LINKEDIN_ALLOW_SANDBOX": "1",
        "LINKEDIN_APP_DAILY_QUOTA": "100000000",
        "LINKEDIN_MEMBER_DAILY_QUOTA": "10000000",
        "LINKEDIN_RATE_LIMIT_AHEAD_SECONDS": "86400",
        "CACHE_KEY_PREFIX": "advocacy-bench",
        "STATIC_ROOT": str(var_dir / "static"),
        "MEDIA_ROOT": str(var_dir / "media"),
        "VAR_DIR": str(var_dir),
        "API_TOKEN_RATE": "100000/hour",
        "API_USER_RATE": "100000/hour",
        # A web process uses one connection at a time; a worker's publishing task one per
        # thread (PUBLISH_THREADS, 4) and its own.
        "DATABASE_POOL_MAX_SIZE": "6",
    }
    environment = {**defaults, **environ}
    environment.update(
        {
            "DJANGO_DEBUG": "0",
            "SITE_URL": site,
            # Plain HTTP on the loopback: no proxy in front, no redirect to https.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_BEHIND_PROXY": "0",
            "DJANGO_HSTS_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    environment.pop("LINKEDIN_API_URL", None)
    environment.pop("LINKEDIN_WWW_URL", None)
    return environment


def peak_rss(pid: int) -> int:
    """The process's peak resident memory in bytes (VmHWM), 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def children(pid: int) -> list[int]:
    """The process's children (Linux), e.g. gunicorn's or Celery's workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


@dataclass
class Process:
    role: str
    popen: subprocess.Popen[bytes]

    @property
    def pids(self) -> list[int]:
        """The processes that do the work: the workers of a master, or the process itself."""
        return children(self.popen.pid) or [self.popen.pid]


@dataclass
class Stack:
    """The running processes of one benchmark."""

    base_url: str
    environment: dict[str, str]
    log_dir: Path
    processes: list[Process] = field(default_factory=list)
    rss_seen: dict[str, int] = field(default_factory=dict)

    def start(self, role: str, command: list[str]) -> Process:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{role}.log").open("ab")
        popen = subprocess.Popen(  # noqa: S603 (our own commands)
            command,
            cwd=ROOT,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = Process(role, popen)
        self.processes.append(process)
        return process

    def start_web(self, *, workers: int) -> None:
        port = self.base_url.rsplit(":", 1)[1]
        self.start(
            "web",
            [
                str(BIN / "gunicorn"),
                "advocacy.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--backlog",
                "256",
                "--graceful-timeout",
                "5",
            ],
        )
        self.wait_for("/healthz", timeout=60)

    def start_worker(self, *, concurrency: int) -> None:
        self.start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "advocacy",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"bench-{os.getpid()}@%h",
            ],
        )

    def wait_for(self, path: str, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=5):  # noqa: S310
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise Refused(
                        f"{self.base_url}{path} did not answer in {timeout:.0f}s; "
                        f"see {self.log_dir}/web.log"
                    ) from None
                time.sleep(0.25)

    def sample_memory(self) -> None:
        """Note each role's largest peak RSS so far (a worker that was replaced keeps its)."""
        for process in self.processes:
            for pid in process.pids:
                self.rss_seen[process.role] = max(self.rss_seen.get(process.role, 0), peak_rss(pid))

    def stop(self) -> None:
        self.sample_memory()
        for process in self.processes:
            if process.popen.poll() is None:
                os.killpg(process.popen.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait()
        self.processes.clear()


@contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    try:
        yield stack
    finally:
        stack.stop()


def clear_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
