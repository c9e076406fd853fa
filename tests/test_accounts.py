"""Email accounts through django-allauth: one address, whatever its case, is one user."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.urls import reverse

from advocacy.accounts.models import User

from .conftest import Cast
from .factories import PASSWORD


def signup(client, email: str, name: str = "New Person"):
    return client.post(
        reverse("account_signup"),
        {"name": name, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_signup_creates_a_user_with_a_normalised_email_and_asks_for_verification(
    db, client, mailoutbox
):
    response = signup(client, "New.Person@Example.COM")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "new.person@example.com"
    assert user.name == "New Person"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.com"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body


def test_unverified_user_cannot_sign_in_until_confirmed(db, client, mailoutbox):
    signup(client, "new@example.com")
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_email_differing_only_in_case_is_the_same_user(cast: Cast, client, mailoutbox):
    users_before = User.objects.count()
    response = signup(client, "ALICE@Acme.Example")
    # No account is created, and the page does not reveal that one exists: the owner of the
    # address is told by mail instead.
    assert response.status_code == 302
    assert User.objects.count() == users_before
    assert User.objects.filter(email__iexact="alice@acme.example").count() == 1
    assert mailoutbox[0].to == ["alice@acme.example"]
    assert "already" in mailoutbox[0].body


def test_the_database_refuses_a_second_user_with_the_same_email_in_another_case(db):
    User.objects.create_user("someone@example.com", PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="SOMEONE@example.com")])


def test_sign_in_accepts_any_case_of_the_address(cast: Cast, client):
    response = client.post(
        reverse("account_login"), {"login": "Emma@ACME.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == cast.emma.pk
    assert client.get(response["Location"])["Location"] == "/o/acme/"


def test_wrong_password_is_refused_with_a_message(cast: Cast, client):
    response = client.post(
        reverse("account_login"), {"login": "emma@acme.example", "password": "not it"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "not correct" in response.content.decode()


def test_password_reset_sends_a_link(cast: Cast, client, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "emma@acme.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_sign_out_ends_the_session(cast: Cast, client_for):
    client = client_for(cast.emma)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get("/o/acme/").status_code == 302


def test_profile_updates_name_and_language(cast: Cast, client_for):
    client = client_for(cast.emma)
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    assert "Acme A/S" in page.content.decode()
    response = client.post(reverse("profile"), {"name": "Emma Holm", "language": "da"})
    assert response.status_code == 302
    cast.emma.refresh_from_db()
    assert (cast.emma.name, cast.emma.language) == ("Emma Holm", "da")


def test_profile_rejects_an_unknown_language(cast: Cast, client_for):
    response = client_for(cast.emma).post(reverse("profile"), {"name": "Emma", "language": "xx"})
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    cast.emma.refresh_from_db()
    assert cast.emma.language == ""


def test_pages_follow_the_members_language(cast: Cast, client_for):
    cast.emma.language = "da"
    cast.emma.save()
    response = client_for(cast.emma).get("/o/acme/")
    assert response.headers["Content-Language"] == "da"
    assert '<html lang="da">' in response.content.decode()


def test_the_stock_admin_is_for_platform_staff_only(cast: Cast, client_for):
    response = client_for(cast.alice).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
