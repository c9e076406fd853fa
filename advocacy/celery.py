"""The Celery application: workers and beat share Django's settings (namespace CELERY_)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

app = Celery("advocacy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
