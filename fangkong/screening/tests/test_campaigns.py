"""Campaigns: starting assigns every household to its grid's worker; the officer moves
households between callers and gives helpers a share of a grid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.choices import Role
from fangkong.accounts.tests.factories import UserFactory
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import Job, ObjectChange
from fangkong.core.tests.audit_parity import (
    assert_changes_as_core_writes,
    assert_rows_as_orm_writes,
)
from fangkong.registry.services import do_update_household
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory
from fangkong.screening.choices import AssignmentStatus, CampaignStatus, Outcome
from fangkong.screening.models import CallAssignment, Campaign, CampaignHelper
from fangkong.screening.services import (
    do_add_helper,
    do_create_campaign,
    do_reassign,
    do_record_call,
    do_start_campaign,
)
from fangkong.screening.tests.factories import (
    CampaignFactory,
    QuestionnaireFactory,
    assignment_of,
    good_answers,
    started_campaign,
    street_of_households,
)
from fangkong.screening.views import campaigns as campaign_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_grids(grid_a1: Any, grid_a2: Any, grid_worker_a1: Any, grid_worker_a2: Any) -> dict:
    return {"a1": street_of_households(grid_a1, 4), "a2": street_of_households(grid_a2, 3)}


def test_starting_assigns_each_household_to_its_grids_worker(
    community_a: Any, two_grids: dict, grid_worker_a1: Any, grid_worker_a2: Any
) -> None:
    campaign = CampaignFactory(area=community_a)
    assert do_start_campaign(campaign, by=None) == 7
    rows = CallAssignment.objects.filter(campaign=campaign)
    assert {a.assignee for a in rows.filter(household__in=two_grids["a1"])} == {grid_worker_a1}
    assert {a.assignee for a in rows.filter(household__in=two_grids["a2"])} == {grid_worker_a2}
    assert set(rows.values_list("status", flat=True)) == {AssignmentStatus.PENDING}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    assert campaign.households_total == 7
    change = ObjectChange.objects.filter(
        content_type__model="campaign", object_id=str(campaign.pk)
    ).first()
    assert change.after["status"] == "running"


def test_a_household_without_a_grid_or_worker_waits_unassigned(
    community_a: Any, grid_a1: Any
) -> None:
    no_grid = HouseholdFactory(building=BuildingFactory(community=community_a, grid=None))
    no_worker = street_of_households(grid_a1, 1)[0]
    campaign = started_campaign(community_a)
    assert assignment_of(campaign, no_grid).assignee is None
    assert assignment_of(campaign, no_worker).assignee is None


def test_empty_flats_and_other_communities_are_left_out(
    community_a: Any, two_grids: dict, grid_b1: Any
) -> None:
    do_update_household(two_grids["a1"][0], by=None, is_active=False)
    street_of_households(grid_b1, 2)
    campaign = started_campaign(community_a)
    assert campaign.households_total == 6


def test_a_campaign_over_some_grids_or_buildings_takes_only_those(
    community_a: Any, grid_a1: Any, grid_a2: Any, two_grids: dict
) -> None:
    campaign = CampaignFactory(area=community_a, grids=[grid_a2])
    assert do_start_campaign(campaign, by=None) == 3
    building = two_grids["a1"][0].building
    campaign = CampaignFactory(
        area=community_a, buildings=[building], questionnaire=campaign.questionnaire
    )
    assert do_start_campaign(campaign, by=None) == 4


def test_a_campaign_starts_once(community_a: Any, two_grids: dict) -> None:
    campaign = started_campaign(community_a)
    with pytest.raises(ValidationError, match="already been started"):
        do_start_campaign(campaign, by=None)
    assert CallAssignment.objects.filter(campaign=campaign).count() == 7


def test_a_campaign_ending_before_it_starts_is_refused(community_a: Any) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        do_create_campaign(
            area=community_a,
            by=None,
            name="x",
            questionnaire=QuestionnaireFactory(area=community_a),
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
        )
    assert "cannot end before it starts" in str(exc.value)


def test_grid_workers_make_calls_but_do_not_run_campaigns(
    community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    today = timezone.localdate()
    with pytest.raises(PermissionDeniedError):
        do_create_campaign(
            area=grid_a1,
            by=grid_worker_a1,
            name="我的网格",
            questionnaire=QuestionnaireFactory(area=community_a),
            starts_on=today,
            ends_on=today,
        )


def test_the_officer_starts_the_campaign_from_its_page(
    client: Any, community_a: Any, two_grids: dict, officer_a: Any
) -> None:
    campaign = CampaignFactory(area=community_a)
    client.force_login(officer_a)
    response = client.post(reverse("screening:campaign_start", args=[campaign.pk]))
    assert response.status_code == 302
    assert CallAssignment.objects.filter(campaign=campaign).count() == 7


def test_a_district_sized_start_runs_as_a_job(
    client: Any,
    community_a: Any,
    two_grids: dict,
    officer_a: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(campaign_views, "START_INLINE_LIMIT", 5)
    campaign = CampaignFactory(area=community_a)
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("screening:campaign_start", args=[campaign.pk]))
    job = Job.objects.get(kind="screening.start_campaign")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.result == {"campaign": campaign.pk, "households": 7}


# --- Moving households between callers ------------------------------------------------------


def _helper(community: Any, username: str = "helper") -> Any:
    # The bureau's staff get grid-worker accounts on the community: they see all its grids.
    return UserFactory(username=username, role=Role.GRID_WORKER, area=community)


def test_the_officer_moves_households_to_another_caller(
    community_a: Any, two_grids: dict, officer_a: Any, grid_worker_a1: Any
) -> None:
    campaign = started_campaign(community_a)
    helper = _helper(community_a)
    mine = [assignment_of(campaign, h) for h in two_grids["a1"][:2]]
    do_record_call(mine[0], by=grid_worker_a1, outcome=Outcome.ANSWERED, answers=good_answers())

    moved = do_reassign(campaign, [a.pk for a in mine], to=helper, by=officer_a)

    assert moved == 1  # a reached household stays with who reached it
    assert assignment_of(campaign, two_grids["a1"][1]).assignee == helper
    assert assignment_of(campaign, two_grids["a1"][0]).assignee == grid_worker_a1
    assert ObjectChange.objects.filter(content_type__model="callassignment").count() >= 2


def test_households_go_only_to_someone_who_can_see_them(
    community_a: Any, two_grids: dict, officer_a: Any, grid_worker_a2: Any
) -> None:
    campaign = started_campaign(community_a)
    target = assignment_of(campaign, two_grids["a1"][0])
    with pytest.raises(ValidationError, match="works outside"):
        do_reassign(campaign, [target.pk], to=grid_worker_a2, by=officer_a)


def test_a_grid_worker_cannot_move_households(
    community_a: Any, two_grids: dict, grid_worker_a1: Any
) -> None:
    campaign = started_campaign(community_a)
    target = assignment_of(campaign, two_grids["a1"][0])
    with pytest.raises(Exception) as exc:  # noqa: PT011 - 404 outside the grid, 403 inside
        do_reassign(campaign, [target.pk], to=grid_worker_a1, by=grid_worker_a1)
    assert exc.type.__name__ in ("Http404", "PermissionDeniedError")


def test_a_helper_takes_the_last_households_nobody_has_called(
    community_a: Any, grid_a1: Any, two_grids: dict, officer_a: Any, grid_worker_a1: Any
) -> None:
    campaign = started_campaign(community_a)
    _first, second, third, fourth = (assignment_of(campaign, h) for h in two_grids["a1"])
    do_record_call(fourth, by=grid_worker_a1, outcome=Outcome.NO_ANSWER)
    helper = _helper(community_a)

    row = do_add_helper(campaign, grid=grid_a1, helper=helper, households=2, by=officer_a)

    assert row.households == 2
    assert {a.pk for a in CallAssignment.objects.filter(campaign=campaign, assignee=helper)} == {
        second.pk,
        third.pk,
    }
    assert CampaignHelper.objects.get().user == helper
    # The helper may call their share; the grid's worker still answers for the whole grid
    do_record_call(third, by=helper, outcome=Outcome.NO_ANSWER)
    do_record_call(second, by=grid_worker_a1, outcome=Outcome.NO_ANSWER)


def test_the_officer_moves_households_in_the_page(
    client: Any, community_a: Any, two_grids: dict, officer_a: Any
) -> None:
    campaign = started_campaign(community_a)
    helper = _helper(community_a)
    chosen = [assignment_of(campaign, h).pk for h in two_grids["a2"]]
    client.force_login(officer_a)
    url = reverse("screening:assignment_list", args=[campaign.pk])
    response = client.post(url, {"assignment": chosen, "to": helper.pk})
    assert response.status_code == 302
    assert CallAssignment.objects.filter(assignee=helper).count() == 3


def test_closing_stops_the_campaign(community_a: Any, two_grids: dict, officer_a: Any) -> None:
    from fangkong.screening.services import do_close_campaign

    campaign = started_campaign(community_a)
    do_close_campaign(campaign, by=officer_a)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED


def test_a_starts_assignments_are_the_rows_the_orm_writes_and_their_changes_core_audits(
    community_a: Any, two_grids: dict, officer_a: Any
) -> None:
    """The start writes its assignments through ``core.bulk`` and a move logs them through
    ``audit.record_changes``: the same rows as the ORM and ``core.audit`` write."""
    campaign = started_campaign(community_a)
    other = CampaignFactory(area=community_a, questionnaire=campaign.questionnaire)
    for assignment in CallAssignment.objects.filter(campaign=campaign):
        assert_rows_as_orm_writes(CallAssignment, assignment, campaign_id=other.pk)
    start = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    helper = _helper(community_a)
    mine = [assignment_of(campaign, h).pk for h in two_grids["a1"]]

    assert do_reassign(campaign, mine, to=helper, by=officer_a) == len(mine)

    changes = ObjectChange.objects.filter(pk__gt=start, content_type__model="callassignment")
    assert assert_changes_as_core_writes(changes.order_by("pk"), officer_a) == len(mine)
