from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "advocacy.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from campaigns.signals import campaign_started
        from content.signals import content_created, post_failed, post_published

        from . import receivers

        post_published.connect(receivers.on_post_published, dispatch_uid="webhooks.published")
        post_failed.connect(receivers.on_post_failed, dispatch_uid="webhooks.failed")
        content_created.connect(receivers.on_content_created, dispatch_uid="webhooks.content")
        campaign_started.connect(receivers.on_campaign_started, dispatch_uid="webhooks.campaign")
