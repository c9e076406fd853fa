"""The Celery application: workers and beat share Django's settings (namespace CELERY_)."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

app = Celery("advocacy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_postrun.connect
def release_database_connections(sender: Any = None, **kwargs: Any) -> None:
    """After a task on a worker, what Django does when a request ends: connections go back
    to the pool (or stay up to CONN_MAX_AGE), and a broken or misconfigured one is closed.
    Celery itself closes them only every CELERY_DB_REUSE_MAX tasks (settings.py)."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return  # an eager task runs inside its caller's request or test transaction
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="advocacy.ping", ignore_result=True, soft_time_limit=5, time_limit=10)
def ping(cache_key: str = "") -> str:
    """Prove a worker is consuming: answers "pong", and stores it under `cache_key` if given.

    Results are not kept (no result backend), so a caller that wants to see the answer names
    a cache key and reads it back. Used by the broker round-trip test and by hand:
    `celery -A advocacy call advocacy.ping`.
    """
    if cache_key:
        # Imported here: this module loads before Django's settings are ready.
        from django.core.cache import cache

        cache.set(cache_key, "pong", timeout=300)
    return "pong"
