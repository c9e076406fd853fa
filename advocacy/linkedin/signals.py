"""Signals of the LinkedIn app, for the apps above it (which the LinkedIn app must not import).

`member_connected` is sent after the transaction that stored a member's new connection (a
first connection, or a connection to another LinkedIn account) has committed: the analytics
app listens, to fill in the member's history at once.
"""

from django.dispatch import Signal

# Sent with `connection` (advocacy.linkedin.models.Connection) and `user`.
member_connected = Signal()
