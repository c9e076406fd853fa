"""Queries built once per process (advocacy/tenancy/prepared.py) answer for the ids they are
run with, not the ids they were built with."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL

from advocacy.program.models import BuddyPair
from advocacy.program.waiting import waiting_for
from advocacy.tenancy.models import Membership, Organization, Role
from advocacy.tenancy.prepared import OnceBuilt

from .conftest import Cast


def test_a_query_built_once_answers_for_each_organization_it_is_run_for(cast: Cast):
    builds: list[dict[str, int]] = []

    def members(**ids: int) -> Any:
        builds.append(ids)
        return (
            Membership.objects.for_org(Organization(pk=ids["organization_id"]))
            .order_by()
            .values("organization_id")
            .annotate(members=Count("pk"), admins=Count("pk", filter=Q(role=Role.ADMIN)))
            .values("members", "admins")
        )

    query = OnceBuilt(members, "organization_id")
    # Acme: Alice, Carol, Leo, Emma and Fay; Globex: Greta, Gus and Fay.
    assert query.first(organization_id=cast.acme.pk) == {"members": 5, "admins": 1}
    assert query.first(organization_id=cast.globex.pk) == {"members": 3, "admins": 1}
    assert query.first(organization_id=cast.acme.pk) == {"members": 5, "admins": 1}
    assert query.first(organization_id=-1) is None
    assert len(builds) == 1


def test_an_id_written_into_the_sql_or_left_out_is_refused(cast: Cast):
    def inlined(**ids: int) -> Any:
        return Membership.objects.for_org(cast.acme).annotate(
            marker=RawSQL(str(ids["membership_id"]), [])  # noqa: S611 (on purpose)
        )

    with pytest.raises(ValueError, match="written into the SQL"):
        OnceBuilt(inlined, "membership_id").first(membership_id=1)

    def ignores_it(**ids: int) -> Any:
        return Membership.objects.for_org(cast.acme).values("pk")

    with pytest.raises(ValueError, match=r"does not use: \['membership_id'\]"):
        OnceBuilt(ignores_it, "membership_id").first(membership_id=1)


def test_what_waits_for_one_member_is_theirs_alone(cast: Cast):
    emma = cast.membership(cast.emma, cast.acme)
    carol = cast.membership(cast.carol, cast.acme)
    BuddyPair.objects.for_org(cast.acme).create(
        organization=cast.acme, first=carol, second=emma, status=BuddyPair.Status.INVITED
    )
    waiting = waiting_for(emma)
    assert (waiting.invitations, waiting.has_active_pair, waiting.ready_to_share) == (
        1,
        False,
        False,
    )
    # Carol sent it: nothing waits for her, and the same query now runs with her ids.
    assert waiting_for(carol).invitations == 0
    assert waiting_for(emma).invitations == 1
