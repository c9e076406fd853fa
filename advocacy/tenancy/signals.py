"""Sending the apps' signals once their change has committed, for the apps above them."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


def send_after_commit(signal: Signal, **kwargs: object) -> None:
    """Send `signal` once the current transaction commits (at once outside one). A receiver
    that fails is logged: the change is made, and whoever made it is not told otherwise."""

    def send() -> None:
        for receiver, result in signal.send_robust(sender=None, **kwargs):
            if isinstance(result, Exception):
                logger.error("A receiver of %s failed: %r", receiver, result, exc_info=result)

    transaction.on_commit(send)
