from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from .models import normalize_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # An invitation opens sign-up even where open sign-up is switched off.
        if request.session.get("account_verified_email"):
            return True
        return settings.ACCOUNT_ALLOW_SIGNUPS

    def clean_email(self, email: str) -> str:
        return normalize_email(super().clean_email(email))
