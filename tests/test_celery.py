"""A real round trip through the configured broker: Redis with REDIS_URL, else the file system."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache
from kombu import Exchange, Queue

from advocacy.celery import app, ping


def wait_for_cache(key: str, timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cache.get(key)
        if value is not None:
            return value
        time.sleep(0.1)
    return None


def keep_django_logging(**kwargs: object) -> None:
    """A setup_logging receiver: its presence stops the worker from reconfiguring logging."""


@pytest.fixture
def private_queue() -> Iterator[str]:
    """A queue only this test's worker consumes.

    The file-system broker in var/ is shared with a `make run` worker on the same checkout: on
    the default queue that worker could take the test's message (and the test's worker the
    worker's). Selecting a queue changes the app's consumer set, so it is restored afterwards.
    """
    name = f"test-{uuid.uuid4().hex}"
    queues = app.amqp.queues
    # Bound to the default exchange, which exists anyway, so nothing is left behind.
    exchange = Exchange(app.conf.task_default_exchange, app.conf.task_default_exchange_type)
    queues.add(Queue(name, exchange, routing_key=name))
    with app.connection_for_write() as connection:
        # Bound before anything is sent: a message routed before the worker has declared
        # its queue would find no binding and be dropped.
        app.amqp.queues[name].bind(connection.default_channel).declare()
    consume_from = queues._consume_from
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # an eager task would never touch the broker
    signals.setup_logging.connect(keep_django_logging)
    try:
        yield name
    finally:
        signals.setup_logging.disconnect(keep_django_logging)
        app.conf.task_always_eager = eager
        queues._consume_from = consume_from
        with app.connection_for_write() as connection:
            # Declared on this channel so that the transport knows which binding to remove.
            queue = app.amqp.queues[name].bind(connection.default_channel)
            queue.declare()
            queue.delete()
        queues.pop(name, None)


def test_the_broker_is_the_configured_one() -> None:
    expected = "redis" if settings.REDIS_URL else "filesystem"
    with app.connection_for_write() as connection:
        assert connection.transport.driver_type == expected


def test_a_task_goes_through_the_broker_to_a_worker_and_runs(private_queue: str) -> None:
    key = f"test-ping-{uuid.uuid4().hex}"
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=[private_queue], shutdown_timeout=30
    ):
        ping.apply_async(args=[key], queue=private_queue)
        assert wait_for_cache(key) == "pong"
    cache.delete(key)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not settings.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    reason="the connection pool is PostgreSQL's (SQLite opens a file, nothing to keep)",
)
def test_a_prefork_worker_keeps_its_connection_pool_from_one_task_to_the_next() -> None:
    """Celery closes a prefork worker's connections, and Django's pool with them, around
    every task unless told to reuse them: thousands of new PostgreSQL connections for one
    day's collection. With CELERY_DB_REUSE_MAX the pool stays, and after each task the
    connection goes back to it as at the end of a request."""
    from types import SimpleNamespace

    from celery.fixups.django import DjangoWorkerFixup
    from django.db import connection

    from advocacy.celery import release_database_connections

    fixup = DjangoWorkerFixup(app)
    fixup.worker = SimpleNamespace(pool_cls="prefork")
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    connection.ensure_connection()
    pool = connection.pool
    for _ in range(5):
        fixup.on_task_prerun(sender=task)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        fixup.on_task_postrun(sender=task)
        release_database_connections(sender=task)
        assert connection.connection is None  # handed back to the pool
        assert connection.pool is pool
    connection.ensure_connection()
    assert connection.pool is pool
