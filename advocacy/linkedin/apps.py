from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkedInConfig(AppConfig):
    """The LinkedIn client, connections with encrypted tokens, and rate limiting."""

    name = "advocacy.linkedin"
    label = "linkedin"
    verbose_name = _("LinkedIn")
