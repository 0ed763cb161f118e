"""A notification run is screening's call list with a script version read instead of a
questionnaire asked: the households reached are counted."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fangkong.core.daily_figures import DayWindow
from fangkong.outreach import services
from fangkong.outreach.stats import count_daily
from fangkong.outreach.tests.factories import notification_script
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory
from fangkong.screening.choices import AssignmentStatus, CampaignKind, Outcome
from fangkong.screening.models import CallAssignment, ScreeningRecord
from fangkong.screening.services import do_record_call

pytestmark = pytest.mark.django_db


def _run(community: Any, officer: Any, script: Any) -> Any:
    today = community.local_today()
    return services.do_start_notification_run(
        area=community,
        version=script.current,
        by=officer,
        name="安心电话",
        starts_on=today,
        ends_on=today,
    )


def test_a_run_puts_every_household_on_the_call_list_and_counts_those_reached(
    community_a: Any, grid_a1: Any, officer_a: Any
) -> None:
    building = BuildingFactory(community=community_a, grid=grid_a1)
    households = [HouseholdFactory(building=building) for _ in range(3)]
    script = notification_script(community_a)

    campaign = _run(community_a, officer_a, script)

    assert campaign.kind == CampaignKind.NOTIFICATION
    assert campaign.script_version == script.current
    calls = {a.household_id: a for a in CallAssignment.objects.filter(campaign=campaign)}
    assert set(calls) == {h.pk for h in households}
    do_record_call(calls[households[0].pk], by=None, outcome=Outcome.ANSWERED)
    do_record_call(calls[households[1].pk], by=None, outcome=Outcome.NO_ANSWER)
    assert CallAssignment.objects.get(pk=calls[households[0].pk].pk).status == (
        AssignmentStatus.REACHED
    )
    assert not ScreeningRecord.objects.filter(campaign=campaign).exists()  # nothing asked
    today = community_a.local_today()
    start, end = services.day_bounds(community_a, today)
    counts = count_daily(DayWindow([community_a.pk], today, start, end))
    assert counts[community_a.pk]["outreach.notified"] == 1


def test_a_run_needs_a_script_the_area_may_use(
    district: Any, community_a: Any, officer_a: Any
) -> None:
    from fangkong.areas.tests.factories import AreaFactory

    elsewhere = AreaFactory(parent=AreaFactory(parent=district))
    foreign = notification_script(elsewhere)
    with pytest.raises(ValidationError):
        _run(community_a, None, foreign)


def test_the_call_screen_shows_the_script_with_the_households_fields(
    client: Any, community_a: Any, grid_a1: Any, officer_a: Any, grid_worker_a1: Any
) -> None:
    household = HouseholdFactory(building=BuildingFactory(community=community_a, grid=grid_a1))
    script = notification_script(community_a, text="{社区}的电话通知，今天是{日期}。")
    campaign = _run(community_a, officer_a, script)
    call = CallAssignment.objects.get(campaign=campaign, household=household)
    assert call.assignee == grid_worker_a1  # the grid's worker calls, as in screening
    client.force_login(grid_worker_a1)

    page = client.get(reverse("screening:call", args=[call.pk])).content.decode()

    today = community_a.local_today()
    assert f"{community_a.name}的电话通知，今天是{today.month}月{today.day}日。" in page
    answer = client.post(
        reverse("screening:call_outcome", args=[call.pk]),
        {"outcome": "answered", "version": call.version},
    )
    assert answer.status_code == 302
    call.refresh_from_db()
    assert call.status == AssignmentStatus.REACHED
