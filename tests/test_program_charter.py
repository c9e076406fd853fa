"""The program's charter: every member reads it, comms, admins and the facilitator edit it,
and every change (the charter, the targets, the agenda, the roadmap) is a numbered version
with who, when and what it was before."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.linkedin.services import connect_member
from advocacy.program.charter import describe_changes
from advocacy.program.models import AgendaTopic, Charter, CharterVersion, Milestone
from advocacy.tenancy.models import AuditEntry, Organization
from content.models import Topic

from .conftest import Cast
from .factories import (
    AgendaTopicFactory,
    MembershipFactory,
    MilestoneFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name: str, org: str = "acme", **kwargs: Any) -> str:
    return reverse(f"program:{name}", kwargs={"org_slug": org, **kwargs})


def charter_form(cast: Cast, org: Organization | None = None, **overrides: Any) -> dict[str, Any]:
    org = org or cast.acme
    data: dict[str, Any] = {
        "purpose": "recruitment",
        "purpose_why": "We need engineers the job boards do not reach.",
        "why_statement": "Sharing what we do is welcome here: people trust people.",
        "why_by": str(cast.membership(cast.leo, cast.acme).public_id) if org == cast.acme else "",
        "tone": "Plain and personal.",
        "dos": "Write about your day's work.",
        "donts": "No sales pitches.",
        "never_share": "Clients' names without their consent; anything confidential.",
        "posts_per_week_target": "1.5",
        "company_content_target_pct": "25",
    }
    data.update(overrides)
    return data


def versions(org: Organization) -> list[CharterVersion]:
    return list(CharterVersion.all_tenants.filter(organization=org).order_by("number"))


def milestone_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Kick-off workshop",
        "due_on": "2027-02-01",
        "owner": "",
        "status": "planned",
        "notes": "",
    }
    data.update(overrides)
    return data


# Reading -----------------------------------------------------------------------------------


def test_every_member_reads_the_charter(cast: Cast, client_for):
    client_for(cast.carol).post(url("charter_edit"), charter_form(cast))
    for user in (cast.emma, cast.leo, cast.alice, cast.fay):
        response = client_for(user).get(url("charter"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "We need engineers the job boards do not reach." in page
        assert "Clients&#x27; names without their consent" in page
        assert "Recruitment" in page


def test_an_unwritten_charter_says_so_and_writes_nothing(cast: Cast, client_for):
    response = client_for(cast.emma).get(url("charter"))
    assert "The charter has not been written yet." in response.content.decode()
    assert not Charter.all_tenants.exists()
    assert not CharterVersion.all_tenants.exists()


def test_the_nav_links_every_member_to_the_program(cast: Cast, client_for):
    page = client_for(cast.emma).get("/o/acme/").content.decode()
    assert f'href="{url("charter")}"' in page


# Editing and versions ----------------------------------------------------------------------


def test_saving_writes_a_version_with_before_and_after(cast: Cast, client_for):
    response = client_for(cast.carol).post(url("charter_edit"), charter_form(cast))
    assert response.status_code == 302
    [first] = versions(cast.acme)
    assert first.number == 1
    assert first.changed_by == cast.carol
    assert first.changes["purpose"] == ["brand", "recruitment"]
    assert first.changes["why_by"] == [None, "Leo"]
    # The organization's targets are part of the charter, and versioned with it.
    assert first.changes["posts_per_week_target"] == ["1.0", "1.5"]
    assert first.changes["company_content_target_pct"] == [20, 25]
    cast.acme.refresh_from_db()
    assert (cast.acme.posts_per_week_target, cast.acme.company_content_target_pct) == (
        Decimal("1.5"),
        25,
    )
    entry = AuditEntry.all_tenants.get(organization=cast.acme, action="charter.updated")
    assert entry.actor == cast.carol
    assert entry.data["version"] == 1

    client_for(cast.fay).post(
        url("charter_edit"), charter_form(cast, tone="Warm.", company_content_target_pct="20")
    )
    second = versions(cast.acme)[-1]
    assert second.number == 2
    assert second.changed_by == cast.fay
    assert second.changes == {
        "tone": ["Plain and personal.", "Warm."],
        "company_content_target_pct": [25, 20],
    }


def test_saving_nothing_new_writes_no_version(cast: Cast, client_for):
    client = client_for(cast.alice)
    client.post(url("charter_edit"), charter_form(cast))
    response = client.post(url("charter_edit"), charter_form(cast), follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert len(versions(cast.acme)) == 1


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_only_comms_admins_and_the_facilitator_edit(cast: Cast, client_for, persona: str):
    client = client_for(getattr(cast, persona))
    assert client.get(url("charter_edit")).status_code == 403
    assert client.post(url("charter_edit"), charter_form(cast)).status_code == 403
    milestone = MilestoneFactory(organization=cast.acme)
    assert client.post(url("milestone_new"), milestone_form()).status_code == 403
    assert (
        client.post(
            url("milestone_status", milestone_id=milestone.public_id), {"status": "done"}
        ).status_code
        == 403
    )
    assert client.post(url("agenda_add"), {"name": "Hiring"}).status_code == 403
    assert not Charter.all_tenants.exists()
    assert not CharterVersion.all_tenants.exists()
    milestone.refresh_from_db()
    assert milestone.status == "planned"


def test_the_why_is_said_by_a_leader_or_an_admin(cast: Cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    response = client_for(cast.carol).post(
        url("charter_edit"), charter_form(cast, why_by=str(emma.public_id))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["why_by"]
    choices = [str(m.public_id) for m in response.context["form"].fields["why_by"].queryset]
    assert sorted(choices) == sorted(
        str(cast.membership(user, cast.acme).public_id) for user in (cast.alice, cast.leo)
    )
    assert not versions(cast.acme)


def test_cannot_name_another_orgs_leader_as_saying_the_why(cast: Cast, client_for):
    greta = cast.membership(cast.greta, cast.globex)
    response = client_for(cast.fay).post(
        url("charter_edit"), charter_form(cast, why_by=str(greta.public_id))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["why_by"]
    assert not versions(cast.acme)


def test_targets_out_of_range_are_refused_at_their_field(cast: Cast, client_for):
    response = client_for(cast.carol).post(
        url("charter_edit"),
        charter_form(cast, company_content_target_pct="120", posts_per_week_target="0"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "company_content_target_pct" in errors
    assert "posts_per_week_target" in errors
    cast.acme.refresh_from_db()
    assert cast.acme.company_content_target_pct == 20
    assert not versions(cast.acme)


def test_the_history_lists_every_change_with_before_and_after(cast: Cast, client_for):
    client_for(cast.carol).post(url("charter_edit"), charter_form(cast))
    client_for(cast.carol).post(url("charter_edit"), charter_form(cast, purpose="sales"))
    response = client_for(cast.emma).get(url("history"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Version 2" in page
    assert "Version 1" in page
    assert "Recruitment" in page
    assert "Sales" in page
    [(latest, lines), _first] = response.context["rows"]
    assert latest.number == 2
    assert [(line.label, line.before, line.after) for line in lines] == [
        ("purpose", "Recruitment", "Sales")
    ]


def test_history_query_count_does_not_grow_with_versions(
    cast: Cast, client_for, django_assert_num_queries
):
    client = client_for(cast.carol)
    client.post(url("charter_edit"), charter_form(cast))
    client.get(url("history"))
    with CaptureQueriesContext(connection) as baseline:
        client.get(url("history"))
    # Read now: every request clears the connection's query log.
    baseline_count = len(baseline.captured_queries)
    for n in range(6):
        client.post(url("charter_edit"), charter_form(cast, tone=f"Tone {n}"))
        client.post(url("milestone_new"), milestone_form(title=f"Step {n}"))
    with django_assert_num_queries(baseline_count):
        response = client.get(url("history"))
    assert len(response.context["rows"]) == 13


# The agenda --------------------------------------------------------------------------------


def test_adding_to_the_agenda_reuses_the_library_topic_and_is_versioned(cast: Cast, client_for):
    hiring = TopicFactory(organization=cast.acme, name="Hiring")
    client = client_for(cast.carol)
    client.post(url("agenda_add"), {"name": "  hiring "})
    client.post(url("agenda_add"), {"name": "Our workshop"})
    agenda = list(AgendaTopic.all_tenants.filter(organization=cast.acme).order_by("position"))
    assert [entry.topic for entry in agenda[:1]] == [hiring]
    assert [entry.topic.name for entry in agenda] == ["Hiring", "Our workshop"]
    assert Topic.all_tenants.filter(organization=cast.acme).count() == 2
    assert [v.changes for v in versions(cast.acme)] == [
        {"agenda": [[], ["Hiring"]]},
        {"agenda": [["Hiring"], ["Hiring", "Our workshop"]]},
    ]
    page = client_for(cast.emma).get(url("charter")).content.decode()
    assert "Our workshop" in page


def test_a_topic_on_the_agenda_twice_is_refused(cast: Cast, client_for):
    client = client_for(cast.carol)
    client.post(url("agenda_add"), {"name": "Hiring"})
    response = client.post(url("agenda_add"), {"name": "HIRING"}, follow=True)
    assert "“Hiring” is on the agenda already." in response.content.decode()
    assert AgendaTopic.all_tenants.filter(organization=cast.acme).count() == 1
    assert len(versions(cast.acme)) == 1


def test_taking_a_topic_off_the_agenda_keeps_the_library_topic(cast: Cast, client_for):
    entry = AgendaTopicFactory(topic=TopicFactory(organization=cast.acme, name="Hiring"))
    client_for(cast.alice).post(url("agenda_remove", agenda_topic_id=entry.public_id))
    assert not AgendaTopic.all_tenants.filter(organization=cast.acme).exists()
    assert Topic.all_tenants.filter(organization=cast.acme, name="Hiring").exists()
    [version] = versions(cast.acme)
    assert version.changes == {"agenda": [["Hiring"], []]}


# The roadmap -------------------------------------------------------------------------------


def test_milestones_are_added_edited_and_moved_with_versions(cast: Cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    client = client_for(cast.carol)
    client.post(url("milestone_new"), milestone_form(owner=str(emma.public_id)))
    milestone = Milestone.all_tenants.get(organization=cast.acme)
    assert (milestone.owner, milestone.due_on) == (emma, datetime.date(2027, 2, 1))
    client.post(
        url("milestone_edit", milestone_id=milestone.public_id),
        milestone_form(owner=str(emma.public_id), due_on="2027-02-15"),
    )
    client.post(url("milestone_status", milestone_id=milestone.public_id), {"status": "done"})
    added, moved, done = versions(cast.acme)
    assert added.changes == {
        "milestone.title": [None, "Kick-off workshop"],
        "milestone.due_on": [None, "2027-02-01"],
        "milestone.owner": [None, "Emma"],
        "milestone.status": [None, "planned"],
    }
    assert moved.changes == {"milestone.due_on": ["2027-02-01", "2027-02-15"]}
    assert done.changes == {"milestone.status": ["planned", "done"]}
    assert [line.after for line in describe_changes(done.changes)] == ["Done"]
    page = client_for(cast.emma).get(url("charter")).content.decode()
    assert "Kick-off workshop" in page
    assert "Done" in page


def test_a_milestones_owner_is_a_member_of_the_organization(cast: Cast, client_for):
    gus = cast.membership(cast.gus, cast.globex)
    response = client_for(cast.fay).post(
        url("milestone_new"), milestone_form(owner=str(gus.public_id))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    assert not Milestone.all_tenants.exists()
    assert not versions(cast.acme)


def test_a_milestone_without_a_title_or_date_is_refused(cast: Cast, client_for):
    response = client_for(cast.carol).post(
        url("milestone_new"), milestone_form(title="", due_on="")
    )
    assert set(response.context["form"].errors) == {"title", "due_on"}
    assert not Milestone.all_tenants.exists()


# Two organizations -------------------------------------------------------------------------


def test_the_facilitator_sees_each_program_on_its_own(cast: Cast, client_for):
    fay = client_for(cast.fay)
    fay.post(url("charter_edit"), charter_form(cast, purpose_why="Acme's own reason."))
    fay.post(
        url("charter_edit", org="globex"),
        charter_form(cast, org=cast.globex, purpose="sales", purpose_why="Globex sells."),
    )
    fay.post(url("milestone_new"), milestone_form(title="Acme's workshop"))
    acme_page = fay.get(url("charter")).content.decode()
    globex_page = fay.get(url("charter", org="globex")).content.decode()
    assert "Acme&#x27;s own reason." in acme_page
    assert "Acme&#x27;s workshop" in acme_page
    assert "Globex sells." not in acme_page
    assert "Globex sells." in globex_page
    assert "Acme&#x27;s" not in globex_page
    # Each organization numbers its own versions.
    assert [v.number for v in versions(cast.acme)] == [1, 2]
    assert [v.number for v in versions(cast.globex)] == [1]
    globex_history = fay.get(url("history", org="globex")).content.decode()
    assert "Acme" not in globex_history.replace("Acme A/S", "")


def test_cannot_get_other_org_milestone_or_agenda_entry(cast: Cast, client_for):
    milestone = MilestoneFactory(organization=cast.acme)
    entry = AgendaTopicFactory(topic=TopicFactory(organization=cast.acme))
    fay = client_for(cast.fay)
    # Fay belongs to both, yet Acme's ids are unknown inside Globex.
    assert (
        fay.get(url("milestone_edit", org="globex", milestone_id=milestone.public_id)).status_code
        == 404
    )
    assert (
        fay.post(
            url("milestone_status", org="globex", milestone_id=milestone.public_id),
            {"status": "done"},
        ).status_code
        == 404
    )
    assert (
        fay.post(url("agenda_remove", org="globex", agenda_topic_id=entry.public_id)).status_code
        == 404
    )
    milestone.refresh_from_db()
    assert milestone.status == "planned"
    assert AgendaTopic.all_tenants.filter(pk=entry.pk).exists()
    assert not CharterVersion.all_tenants.exists()


# The WHY -----------------------------------------------------------------------------------


def test_the_why_is_on_every_dashboard_with_the_leaders_name_and_initials(cast: Cast, client_for):
    client_for(cast.carol).post(url("charter_edit"), charter_form(cast))
    for user in (cast.emma, cast.carol):
        page = client_for(user).get("/o/acme/").content.decode()
        assert "Sharing what we do is welcome here: people trust people." in page
        assert "<strong>Leo</strong>" in page
        assert 'class="avatar avatar--initials" aria-hidden="true">L</span>' in page
    # Globex has no WHY: nothing of Acme's shows there.
    assert "people trust people" not in client_for(cast.gus).get("/o/globex/").content.decode()


def test_the_why_shows_the_leaders_linkedin_photo(cast: Cast, client_for):
    connect_member(
        user=cast.leo,
        sub="m-leo",
        picture_url="https://media.licdn.example/leo.jpg",
        scopes="openid,profile",
        access_token="token-leo",
        expires_in=5_000_000,
    )
    client_for(cast.carol).post(url("charter_edit"), charter_form(cast))
    page = client_for(cast.emma).get("/o/acme/").content.decode()
    assert '<img src="https://media.licdn.example/leo.jpg"' in page
    assert "avatar--initials" not in page


def test_the_why_of_a_leader_with_a_title(cast: Cast, client_for):
    leader = MembershipFactory(
        organization=cast.acme,
        user=UserFactory(name="Ada Lovelace"),
        role="leader",
        title="Chief executive",
    )
    client_for(cast.carol).post(
        url("charter_edit"), charter_form(cast, why_by=str(leader.public_id))
    )
    page = client_for(cast.emma).get("/o/acme/").content.decode()
    assert "<strong>Ada Lovelace</strong>" in page
    assert "Chief executive" in page
    assert ">AL</span>" in page
