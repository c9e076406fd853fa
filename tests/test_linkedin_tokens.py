"""Tokens at rest and over time: encryption, key rotation, expiry statuses, notices, refresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection as db
from django.utils import timezone

from advocacy.linkedin import crypto, errors, services
from advocacy.linkedin.models import Connection, PageConnection
from advocacy.linkedin.tasks import update_token_statuses

from .conftest import Cast
from .linkedin_browser import (
    SIXTY_DAYS,
    Sandbox,
    connect_through_sandbox,
    sandbox_scenario,
    serve_sandbox,
)


@pytest.fixture
def linkedin_sandbox(live_server, settings, cast, tmp_path) -> Iterator[Sandbox]:
    yield from serve_sandbox(live_server, settings, cast, tmp_path)


Status = Connection.Status


def raw_tokens(table: str, pk: int) -> tuple[str, str]:
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT access_token_encrypted, refresh_token_encrypted FROM {table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        row = cursor.fetchone()
    return row[0], row[1]


def connect(user, *, sub: str = "m-ann", refresh: bool = False, **kwargs) -> Connection:
    values = {
        "user": user,
        "sub": sub,
        "name": "Ann Berg",
        "email": "ann@acme.example",
        "scopes": "email,openid,profile,w_member_social",
        "access_token": f"AQX-access-{sub}-{timezone.now().timestamp()}",
        "expires_in": SIXTY_DAYS,
    }
    if refresh:
        values.update(refresh_token=f"AQW-refresh-{sub}", refresh_token_expires_in=365 * 86400)
    values.update(kwargs)
    return services.connect_member(**values)


# Encryption and keys -------------------------------------------------------------------------


def test_the_database_holds_only_ciphertext(cast: Cast):
    connection = connect(cast.emma, refresh=True, access_token="AQX-plain-secret")
    access, refresh = raw_tokens("linkedin_connection", connection.pk)
    assert "AQX-plain-secret" not in access
    assert "AQW-refresh" not in refresh
    assert crypto.decrypt(access) == "AQX-plain-secret"
    assert Connection.objects.get(pk=connection.pk).access_token == "AQX-plain-secret"


def test_scopes_are_parsed_from_commas_or_spaces(cast: Cast):
    connection = connect(cast.emma, scopes="openid, profile  w_member_social,email")
    assert connection.scopes == ["email", "openid", "profile", "w_member_social"]
    assert connection.can_publish
    assert not connection.has_analytics
    missing = {item.what for item in connection.unavailable_figures()}
    assert "Your follower count and its growth" in missing
    assert connection.member_urn == "urn:li:person:m-ann"


def test_rotation_re_encrypts_with_the_first_key_and_is_idempotent(cast: Cast, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old_key]
    member = connect(cast.emma, refresh=True, access_token="AQX-rotate-me")
    page = services.connect_page(
        organization=cast.acme,
        page_urn="urn:li:organization:2414183",
        connected_by=cast.alice,
        scopes="rw_organization_admin",
        access_token="AQX-page-token",
        expires_in=SIXTY_DAYS,
    )
    before = raw_tokens("linkedin_connection", member.pk)

    # The new key goes first; the old one still opens what is stored.
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]
    assert Connection.objects.get(pk=member.pk).access_token == "AQX-rotate-me"

    out = StringIO()
    call_command("rotate_token_keys", "--batch-size", "1", stdout=out)
    assert "member connections: 1 re-encrypted with the first key, 0 already were" in out.getvalue()
    assert "company page connections: 1 re-encrypted" in out.getvalue()
    after = raw_tokens("linkedin_connection", member.pk)
    assert after[0] != before[0]
    assert after[1] != before[1]
    assert crypto.is_current(after[0])
    assert crypto.is_current(after[1])

    again = StringIO()
    call_command("rotate_token_keys", stdout=again)
    assert (
        "member connections: 0 re-encrypted with the first key, 1 already were" in again.getvalue()
    )
    assert raw_tokens("linkedin_connection", member.pk) == after

    # The old key can now go.
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]
    assert Connection.objects.get(pk=member.pk).access_token == "AQX-rotate-me"
    assert Connection.objects.get(pk=member.pk).refresh_token == "AQW-refresh-m-ann"
    assert PageConnection.all_tenants.get(pk=page.pk).access_token == "AQX-page-token"


def test_rotation_stops_and_names_the_row_when_no_key_opens_a_token(cast: Cast, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    connect(cast.emma)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="Put the key it was encrypted with back"):
        call_command("rotate_token_keys", stdout=StringIO())


# Statuses and notices ------------------------------------------------------------------------


def test_statuses_follow_the_token_lifetime(cast: Cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        connection = connect(cast.emma)
    assert connection.status == Status.ACTIVE

    with time_machine.travel(start + timedelta(days=52), tick=False):
        assert services.update_token_statuses(timezone.now())["expiring_soon"] == 0
    connection.refresh_from_db()
    assert connection.status == Status.ACTIVE

    with time_machine.travel(start + timedelta(days=54), tick=False):
        counts = services.update_token_statuses(timezone.now())
    assert counts["expiring_soon"] == 1
    connection.refresh_from_db()
    assert connection.status == Status.EXPIRING_SOON

    with time_machine.travel(start + timedelta(days=60, seconds=1), tick=False):
        counts = services.update_token_statuses(timezone.now())
        with pytest.raises(errors.TokenExpired):
            services.fresh_access_token(connection)
    assert counts["expired"] == 1
    connection.refresh_from_db()
    assert connection.status == Status.EXPIRED
    assert "expired" in connection.last_error
    assert not connection.can_publish


def test_one_email_per_expiry_episode(cast: Cast, settings):
    settings.SITE_URL = "https://advocacy.example.com"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        connect(cast.emma)
    with time_machine.travel(start + timedelta(days=55), tick=False):
        update_token_statuses.delay()
        update_token_statuses.delay()
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["emma@acme.example"]
    assert "expires soon" in notice.subject
    assert "https://advocacy.example.com/accounts/profile/" in notice.body
    assert "Reconnect LinkedIn" in notice.body

    # Expiring soon, then expired: still the same episode, no second email.
    with time_machine.travel(start + timedelta(days=61), tick=False):
        update_token_statuses.delay()
    assert len(mail.outbox) == 1
    assert Connection.objects.get(user=cast.emma).status == Status.EXPIRED

    # Reconnecting ends the episode; the next one gets its own notice.
    with time_machine.travel(start + timedelta(days=62), tick=False):
        connect(cast.emma)
    assert Connection.objects.get(user=cast.emma).expiry_notified_at is None
    with time_machine.travel(start + timedelta(days=62 + 55), tick=False):
        update_token_statuses.delay()
    assert len(mail.outbox) == 2


def test_page_connection_expiry_tells_whoever_connected_it(cast: Cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.connect_page(
            organization=cast.acme,
            page_urn="2414183",
            connected_by=cast.carol,
            scopes=["rw_organization_admin"],
            access_token="AQX-page",
            expires_in=SIXTY_DAYS,
        )
    with time_machine.travel(start + timedelta(days=55), tick=False):
        update_token_statuses.delay()
        update_token_statuses.delay()
    assert [message.to for message in mail.outbox] == [["carol@acme.example"]]
    assert "/o/acme/settings/linkedin/" in mail.outbox[0].body
    page = PageConnection.objects.for_org(cast.acme).get()
    assert page.status == Status.EXPIRING_SOON


def test_failures_set_status_and_words_a_person_understands(cast: Cast, client_for):
    connection = connect(cast.emma)
    services.record_failure(connection, errors.RateLimited(status=429))
    connection.refresh_from_db()
    assert connection.status == Status.ACTIVE
    assert "slow down" in connection.last_error

    services.record_failure(connection, errors.TokenRevoked("revoked", status=401))
    connection.refresh_from_db()
    assert connection.status == Status.REVOKED
    assert "withdrawn" in connection.last_error
    with pytest.raises(errors.TokenRevoked):
        services.fresh_access_token(connection)

    # The banner says so on every page but the profile, where the section itself does.
    page = client_for(cast.emma).get("/o/acme/").content.decode()
    assert "LinkedIn withdrew the platform's access" in page
    assert 'href="/accounts/profile/#linkedin"' in page


def test_no_banner_for_a_healthy_connection_or_none(cast: Cast, client_for):
    connect(cast.emma)
    assert "linkedin-banner" not in client_for(cast.emma).get("/o/acme/").content.decode()
    assert "linkedin-banner" not in client_for(cast.leo).get("/o/acme/").content.decode()


def test_banner_warns_a_week_ahead(cast: Cast, client_for):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        connect(cast.emma)
    with time_machine.travel(start + timedelta(days=55), tick=False):
        services.update_token_statuses(timezone.now())
        page = client_for(cast.emma).get("/o/acme/").content.decode()
    assert "Your LinkedIn connection stops working on" in page


def test_a_linkedin_account_belongs_to_one_user(cast: Cast):
    connect(cast.emma, sub="m-ann")
    with pytest.raises(services.LinkedInAccountTaken):
        connect(cast.alice, sub="m-ann")
    assert not Connection.objects.filter(user=cast.alice).exists()
    assert Connection.objects.get(sub="m-ann").user == cast.emma


def test_connecting_again_is_idempotent_and_repoints_only_when_asked(cast: Cast):
    first = connect(cast.emma, sub="m-ann")
    again = connect(cast.emma, sub="m-ann")
    assert again.pk == first.pk
    assert again.public_id == first.public_id
    repointed = connect(cast.emma, sub="m-bo")
    assert repointed.pk == first.pk
    assert repointed.sub == "m-bo"
    assert repointed.member_urn == "urn:li:person:m-bo"
    assert Connection.objects.count() == 1


# Refresh against the sandbox -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_refresh_tokens_keep_a_connection_alive(linkedin_sandbox):
    cast = linkedin_sandbox.cast
    sandbox_scenario(linkedin_sandbox, refresh_tokens=True)
    start = timezone.now()
    with time_machine.travel(start, tick=True):
        connect_through_sandbox(linkedin_sandbox.browser(cast.emma), linkedin_sandbox, "m-ann")
    connection = Connection.objects.get(user=cast.emma)
    assert connection.has_refresh_token
    first_token = connection.access_token

    with time_machine.travel(start + timedelta(days=55), tick=True):
        counts = update_token_statuses.delay().get()
        connection.refresh_from_db()
        assert counts["refreshed"] == 1
        assert connection.access_token != first_token
        assert connection.access_token_expires_at > timezone.now() + timedelta(days=59)
        assert connection.status == Status.ACTIVE
        # The new token works at LinkedIn.
        from advocacy.linkedin import oauth

        assert oauth.userinfo(services.fresh_access_token(connection)).sub == "m-ann"
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_without_refresh_tokens_the_member_is_asked_to_reconnect(linkedin_sandbox):
    cast = linkedin_sandbox.cast
    sandbox_scenario(linkedin_sandbox, refresh_tokens=False)
    start = timezone.now()
    with time_machine.travel(start, tick=True):
        connect_through_sandbox(linkedin_sandbox.browser(cast.emma), linkedin_sandbox, "m-ann")
    connection = Connection.objects.get(user=cast.emma)
    assert not connection.has_refresh_token

    with time_machine.travel(start + timedelta(days=55), tick=True):
        counts = update_token_statuses.delay().get()
    assert counts["refreshed"] == 0
    connection.refresh_from_db()
    assert connection.status == Status.EXPIRING_SOON
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_refused_refresh_token_is_dropped(linkedin_sandbox):
    cast = linkedin_sandbox.cast
    start = timezone.now()
    with time_machine.travel(start, tick=True):
        connection = connect(cast.emma, refresh=True, refresh_token="AQW-not-issued-by-linkedin")
    with time_machine.travel(start + timedelta(days=55), tick=True):
        token = services.fresh_access_token(connection)
    assert token == connection.access_token
    connection.refresh_from_db()
    assert not connection.has_refresh_token
    assert connection.refresh_token_expires_at is None
