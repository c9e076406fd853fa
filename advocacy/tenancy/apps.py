from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "advocacy.tenancy"
    label = "tenancy"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from . import pagecache

        pagecache.connect_signals()
