"""/healthz: what load balancers and the container health check ask."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.test import Client, override_settings

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "advocacy" / "settings.py"


@pytest.mark.django_db
def test_healthz_answers_ok_without_signing_in(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_exempt_from_the_https_redirect_in_production(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The container health check speaks plain HTTP to gunicorn; everything else is redirected.
    for name, value in {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SITE_URL": "https://testserver",
        "VAR_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(name, value)
    production: dict[str, Any] = runpy.run_path(str(SETTINGS_FILE))
    with override_settings(
        SECURE_SSL_REDIRECT=production["SECURE_SSL_REDIRECT"],
        SECURE_REDIRECT_EXEMPT=production["SECURE_REDIRECT_EXEMPT"],
    ):
        assert client.get("/healthz").status_code == 200
        redirected = client.get("/")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/"
