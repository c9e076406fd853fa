"""What can go wrong talking to LinkedIn, as types the callers act on.

Each error keeps LinkedIn's status, code and message for the logs, and says in `explanation`
what it means for the person whose connection or post it concerns.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class LinkedInError(Exception):
    """Any failed call. `retryable` says whether trying again later can help."""

    retryable = False
    explanation = _("LinkedIn answered with an error.")

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str = "",
        service_error_code: int | None = None,
        request_id: str = "",
    ) -> None:
        super().__init__(message or str(self.explanation))
        self.message = message
        self.status = status
        self.code = code
        self.service_error_code = service_error_code
        self.request_id = request_id

    def __str__(self) -> str:
        parts = [self.message or str(self.explanation)]
        if self.status:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(self.code)
        if self.request_id:
            parts.append(f"request {self.request_id}")
        return " · ".join(parts)


class TransportError(LinkedInError):
    """No answer: a timeout, a refused connection, a broken response.

    `request_sent` is False only when the request certainly never left (the connection did
    not open); after a timeout or a broken answer LinkedIn may have acted on it.
    """

    retryable = True
    explanation = _("LinkedIn could not be reached. We will try again.")

    def __init__(self, message: str = "", *, request_sent: bool = True, **kwargs: object):
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.request_sent = request_sent


class TokenExpired(LinkedInError):
    explanation = _("Your LinkedIn connection has expired. Connect your account again to continue.")


class TokenRevoked(LinkedInError):
    explanation = _(
        "LinkedIn says access was withdrawn (in LinkedIn's settings, or by LinkedIn). "
        "Connect your account again to continue."
    )


class PermissionDenied(LinkedInError):
    explanation = _(
        "LinkedIn did not allow this: the connection lacks the permission it needs, or the "
        "application has not been approved for it."
    )


class RateLimited(LinkedInError):
    """Too many calls today (or LinkedIn protecting itself); wait before trying again."""

    retryable = True
    explanation = _("LinkedIn asked us to slow down. We will try again later.")

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs: object):
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class NotFound(LinkedInError):
    explanation = _("LinkedIn does not know this item (it may have been deleted).")


class Invalid(LinkedInError):
    explanation = _("LinkedIn refused the request as invalid.")


class DuplicatePost(Invalid):
    """LinkedIn already has a post with this text; `existing_urn` names it when it says so."""

    explanation = _("LinkedIn already has a post with exactly this text.")

    def __init__(self, message: str = "", *, existing_urn: str = "", **kwargs: object):
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.existing_urn = existing_urn


class VersionRetired(LinkedInError):
    """LinkedIn no longer serves the API version in settings.LINKEDIN_VERSION."""

    explanation = _(
        "The LinkedIn API version this installation uses has been retired. An administrator "
        "must update LINKEDIN_VERSION."
    )


class ServerError(LinkedInError):
    retryable = True
    explanation = _("LinkedIn had a problem on its side. We will try again.")


class OAuthError(LinkedInError):
    """The OAuth endpoints' own errors (`error`, `error_description`), e.g. a reused code."""

    explanation = _("LinkedIn did not complete the sign-in. Please try connecting again.")

    def __init__(self, error: str, description: str = "", *, status: int | None = None) -> None:
        super().__init__(description or error, status=status, code=error)
        self.error = error
        self.description = description
