"""Shared fixtures: two organizations and the same cast of people in every test.

Acme: alice (admin), carol (comms), leo (leader), emma (employee), and the facilitator fay.
Globex: greta (admin), gus (employee), and fay again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from advocacy.accounts.models import User
from advocacy.tenancy import pagecache
from advocacy.tenancy.models import Membership, Organization, Team

from .factories import MembershipFactory, OrganizationFactory, TeamFactory, UserFactory
from .publishing_support import linkedin  # noqa: F401 (a fixture for every test module)

Role = Membership.Role


@dataclass
class Cast:
    acme: Organization
    globex: Organization
    acme_sales: Team
    globex_ops: Team
    alice: User
    carol: User
    leo: User
    emma: User
    fay: User
    greta: User
    gus: User

    def membership(self, user: User, organization: Organization) -> Membership:
        return Membership.objects.for_org(organization).get(user=user)


@pytest.fixture(scope="session", autouse=True)
def quick_flush_on_postgresql() -> Iterator[None]:
    """Empty tables with DELETE, not TRUNCATE, after each transactional test on PostgreSQL.

    Transactional tests (the live server's) end with a flush of every table. PostgreSQL's
    TRUNCATE of the ~90 tables costs half a second each time, a DELETE of the few rows a test
    left a few milliseconds; the end state is the same, every table empty (the foreign keys
    are deferred, so the order does not matter). Sequences are reset the usual way.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def delete(
        self: Any, style: Any, tables: Any, *, reset_sequences: bool = False, **kwargs: Any
    ) -> list[str]:
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, **kwargs)
        # Table names from the schema, quoted: no input reaches this SQL.
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", delete)
        yield


def besides_kept_pages(callbacks: list[Any]) -> list[Any]:
    """On-commit callbacks other than the kept pages' (advocacy/tenancy/pagecache.py)."""
    return [callback for callback in callbacks if not isinstance(callback, pagecache.AfterCommit)]


@pytest.fixture(autouse=True)
def own_kept_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept pages and their generations are each test's own: ids repeat between tests, and
    the cache (Redis in CI) outlives them."""
    tag = uuid.uuid4().hex[:12]
    monkeypatch.setattr(pagecache, "KEY_PREFIX", f"page-{tag}")
    monkeypatch.setattr(pagecache, "GENERATION_PREFIX", f"page-gen-{tag}")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness is a production property; tests hash thousands of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def eager_celery(settings: Any) -> None:
    """Tasks run inside the test that queues them.

    Otherwise a message would wait in the broker (with the default settings, the file-system
    broker in var/ that a `make run` worker reads). tests/test_celery.py goes through the real
    broker and a real worker on purpose.
    """
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Rollups at once after each collection: a test reads them right after. The delayed
    # recompute of the workers has its own tests (tests/test_collection.py).
    settings.ANALYTICS_ROLLUP_DELAY_SECONDS = 0


@pytest.fixture
def cast(db: None) -> Cast:
    acme = OrganizationFactory(name="Acme A/S", slug="acme")
    globex = OrganizationFactory(name="Globex ApS", slug="globex")
    acme_sales = TeamFactory(organization=acme, name="Sales")
    globex_ops = TeamFactory(organization=globex, name="Operations")
    people = {
        "alice": (acme, Role.ADMIN, None),
        "carol": (acme, Role.COMMS, None),
        "leo": (acme, Role.LEADER, None),
        "emma": (acme, Role.EMPLOYEE, acme_sales),
        "greta": (globex, Role.ADMIN, None),
        "gus": (globex, Role.EMPLOYEE, globex_ops),
    }
    users: dict[str, User] = {}
    for name, (organization, role, team) in people.items():
        users[name] = UserFactory(email=f"{name}@{organization.slug}.example", name=name.title())
        MembershipFactory(organization=organization, user=users[name], role=role, team=team)
    fay = UserFactory(email="fay@facilitators.example", name="Fay")
    for organization in (acme, globex):
        MembershipFactory(organization=organization, user=fay, role=Role.FACILITATOR)
    return Cast(
        acme=acme, globex=globex, acme_sales=acme_sales, globex_ops=globex_ops, fay=fay, **users
    )


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    """A test client signed in as the given user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
