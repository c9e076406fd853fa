from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from advocacy.linkedin.signals import member_connected

        from .tasks import on_member_connected

        member_connected.connect(on_member_connected, dispatch_uid="analytics.backfill")
