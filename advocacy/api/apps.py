from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "advocacy.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        # The bearer token's security scheme in the OpenAPI schema (registered on import).
        from . import schema  # noqa: F401
