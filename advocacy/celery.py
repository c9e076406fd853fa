"""The Celery application: workers and beat share Django's settings (namespace CELERY_)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

app = Celery("advocacy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
