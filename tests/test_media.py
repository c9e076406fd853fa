"""Uploaded and fetched images are served under MEDIA_URL, and nothing outside MEDIA_ROOT."""

from __future__ import annotations

from django.test import Client


def test_media_files_are_served_and_cached_for_good(settings, tmp_path, db):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "orgs" / "x").mkdir(parents=True)
    (tmp_path / "media" / "orgs" / "x" / "card.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "secret.txt").write_text("outside")
    client = Client()
    response = client.get("/media/orgs/x/card.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client.get("/media/orgs/x/missing.png").status_code == 404
    for escape in ("/media/../secret.txt", "/media/%2e%2e/secret.txt"):
        response = client.get(escape)
        assert response.status_code in {400, 404}
        assert b"outside" not in response.content
    assert client.post("/media/orgs/x/card.png").status_code == 405
