"""LinkedIn tokens at rest: Fernet with the keys of settings.TOKEN_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so a new key goes first and the old ones stay
listed until `manage.py rotate_token_keys` has re-encrypted every stored token with it.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class TokenDecryptionError(RuntimeError):
    """No key in TOKEN_ENCRYPTION_KEYS opens a stored token (was a key removed too early?)."""


@lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    fernets = [Fernet(key.encode()) for key in keys]
    return MultiFernet(fernets), fernets[0]


def _current() -> tuple[MultiFernet, Fernet]:
    # Keyed on the keys themselves, so a changed setting (a test, a reload) takes effect.
    return _fernets(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    """Ciphertext of `plaintext` under the first key; the empty string stays empty."""
    if not plaintext:
        return ""
    return _current()[0].encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """The plaintext, with whichever configured key opens it; the empty string stays empty."""
    if not ciphertext:
        return ""
    try:
        return _current()[0].decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise TokenDecryptionError(
            "A stored LinkedIn token cannot be decrypted with any key in TOKEN_ENCRYPTION_KEYS"
        ) from None


def is_current(ciphertext: str) -> bool:
    """Whether the first (newest) key alone opens this ciphertext."""
    if not ciphertext:
        return True
    try:
        _current()[1].decrypt(ciphertext.encode())
    except InvalidToken:
        return False
    return True


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the first key (MultiFernet.rotate keeps the original timestamp)."""
    if not ciphertext:
        return ""
    try:
        return _current()[0].rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise TokenDecryptionError(
            "A stored LinkedIn token cannot be decrypted with any key in TOKEN_ENCRYPTION_KEYS"
        ) from None
