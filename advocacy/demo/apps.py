from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organization (`manage.py seed_demo`). Nothing imports this app."""

    name = "advocacy.demo"
    label = "demo"
