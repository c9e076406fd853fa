"""Signals of the campaigns app, for the apps above it (which this app must not import).

Sent once the transaction that made the change has committed. The webhooks app listens.
"""

from django.dispatch import Signal

# Sent with `organization_id` and `campaign_ids` when campaigns went live (created live, or
# moved to live from another status).
campaign_started = Signal()
