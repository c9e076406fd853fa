"""WSGI entry point: `gunicorn advocacy.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

application = get_wsgi_application()
