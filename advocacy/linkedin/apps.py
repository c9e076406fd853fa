from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkedInConfig(AppConfig):
    """The LinkedIn client, connections with encrypted tokens, and rate limiting."""

    name = "advocacy.linkedin"
    label = "linkedin"
    verbose_name = _("LinkedIn")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import banner

        user_logged_in.connect(banner.warm_on_login, dispatch_uid="linkedin.banner.warm")
