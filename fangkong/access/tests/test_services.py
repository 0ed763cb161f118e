"""Passes, suspensions from several sources, exemptions and the policy, through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from fangkong.access import services
from fangkong.access.choices import PassScope, PassStatus, ReasonCode
from fangkong.access.models import Pass, PassPolicy, Suspension
from fangkong.access.pass_tokens import normalise_serial
from fangkong.access.tests.factories import household_with_pass, issue_pass, scan
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_passes_are_issued_for_a_whole_building_at_once_and_never_twice(
    community_a: Any, grid_a1: Any, officer_a: Any
) -> None:
    building = BuildingFactory(community=community_a, grid=grid_a1)
    households = [HouseholdFactory(building=building) for _ in range(5)]
    other = HouseholdFactory(building=BuildingFactory(community=community_a, grid=grid_a1))

    result = services.do_issue_passes(community=community_a, building=building, by=officer_a)

    assert len(result.passes) == 5
    assert {p.household_id for p in result.passes} == {h.pk for h in households}
    assert not Pass.objects.filter(household=other).exists()
    serials = [p.serial for p in result.passes]
    assert len(set(serials)) == 5
    assert all(normalise_serial(s) == s for s in serials)
    assert ObjectChange.objects.filter(content_type__model="pass").count() == 5
    again = services.do_issue_passes(community=community_a, by=officer_a)
    assert len(again.passes) == 1  # only the other building's household
    assert again.skipped == 5


def test_issuing_passes_takes_as_many_queries_for_forty_households_as_for_two(
    community_a: Any, grid_a1: Any, officer_a: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 2, 40):  # the first makes the community's policy row
        building = BuildingFactory(community=community_a, grid=grid_a1)
        for _ in range(size):
            HouseholdFactory(building=building)
        with CaptureQueriesContext(connection) as captured:
            result = services.do_issue_passes(
                community=community_a, building=building, by=officer_a
            )
        assert len(result.passes) == size
        counts.append(len(captured.captured_queries))
    assert counts[1] == counts[2]


def test_per_person_passes_go_to_each_active_member(
    community_a: Any, grid_a1: Any, officer_a: Any
) -> None:
    services.do_update_policy(community_a, by=officer_a, pass_scope=PassScope.PERSON)
    household = HouseholdFactory(building=BuildingFactory(community=community_a, grid=grid_a1))
    members = [PersonFactory(household=household) for _ in range(3)]
    result = services.do_issue_passes(community=community_a, by=officer_a)
    assert {p.person_id for p in result.passes} == {m.pk for m in members}


def test_a_checkpoint_worker_cannot_issue_and_an_outsider_does_not_see(
    community_a: Any, checkpoint_a: Any, officer_b: Any
) -> None:
    with pytest.raises(PermissionDeniedError):
        services.do_issue_passes(community=community_a, by=checkpoint_a)
    with pytest.raises(Http404):
        services.do_issue_passes(community=community_a, by=officer_b)


def test_a_replaced_pass_stops_at_once_and_the_new_one_works(
    gate_a: Any, home_a: Any, officer_a: Any
) -> None:
    _household, old = home_a
    old_token = old.token
    new = services.do_replace_pass(old, by=officer_a, reason="丢失")
    old.refresh_from_db()
    assert old.status == PassStatus.REPLACED
    assert old.replaced_by == new
    assert new.serial != old.serial
    assert scan(gate_a, old_token).reason_code == ReasonCode.REPLACED
    assert scan(gate_a, old.serial).reason_code == ReasonCode.REPLACED
    assert scan(gate_a, new.token).reason_code == ReasonCode.OK


def test_a_void_pass_is_refused(gate_a: Any, home_a: Any, officer_a: Any) -> None:
    _, item = home_a
    services.do_void_pass(item, by=officer_a, reason="搬离")
    assert scan(gate_a, item.token).reason_code == ReasonCode.VOID


def test_a_pass_works_again_only_when_every_source_has_lifted(
    gate_a: Any, home_a: Any, officer_a: Any
) -> None:
    household, item = home_a
    # Given the health module and the office both suspend the household
    services.do_suspend_household_passes(
        household, source="health", reason="居家隔离", until=None, by=None
    )
    services.do_suspend_household_passes(
        household, source="office", reason="核查", until=None, by=officer_a
    )
    item.refresh_from_db()
    assert item.status == PassStatus.SUSPENDED
    # When the office lifts its own
    services.do_lift_suspension(household, source="office", by=officer_a)
    item.refresh_from_db()
    # Then the health module's still holds
    assert item.status == PassStatus.SUSPENDED
    answer = scan(gate_a, item.token)
    assert (answer.decision, answer.reason_code) == ("deny", ReasonCode.SUSPENDED)
    assert "quarantine" not in answer.reason.lower()
    # And when the health module lifts too, the pass works
    services.do_lift_suspension(household, source="health", by=None)
    item.refresh_from_db()
    assert item.status == PassStatus.ACTIVE
    assert scan(gate_a, item.token).reason_code == ReasonCode.OK


def test_suspending_again_from_the_same_source_updates_its_suspension(home_a: Any) -> None:
    household, item = home_a
    first = services.do_suspend_household_passes(
        household, source="health", reason="a", until=None, by=None
    )
    until = timezone.now() + dt.timedelta(days=14)
    second = services.do_suspend_household_passes(
        household, source="health", reason="b", until=until, by=None
    )
    assert first.pk == second.pk
    item.refresh_from_db()
    assert item.suspended_until == until
    assert Suspension.objects.filter(household=household, lifted_at__isnull=True).count() == 1


def test_a_suspension_ends_by_itself_at_its_end(gate_a: Any, home_a: Any) -> None:
    household, item = home_a
    until = timezone.now() + dt.timedelta(hours=1)
    services.do_suspend_household_passes(
        household, source="health", reason="a", until=until, by=None
    )
    assert services.lift_expired_suspensions(until + dt.timedelta(seconds=1)) == 1
    item.refresh_from_db()
    assert item.status == PassStatus.ACTIVE


def test_lifting_what_is_not_there_changes_nothing(home_a: Any) -> None:
    household, item = home_a
    assert services.do_lift_suspension(household, source="health", by=None) is None
    item.refresh_from_db()
    assert item.status == PassStatus.ACTIVE


def test_a_pass_issued_while_suspended_starts_suspended(community_a: Any, grid_a1: Any) -> None:
    household = HouseholdFactory(building=BuildingFactory(community=community_a, grid=grid_a1))
    services.do_suspend_household_passes(
        household, source="health", reason="a", until=None, by=None
    )
    assert issue_pass(household).status == PassStatus.SUSPENDED


def test_an_exemption_lets_a_commuter_out_every_day(
    gate_a: Any, home_a: Any, officer_a: Any
) -> None:
    household, item = home_a
    assert scan(gate_a, item.token, "out").decision == "allow"
    assert scan(gate_a, item.token, "in").decision == "allow"
    assert scan(gate_a, item.token, "out").reason_code == ReasonCode.QUOTA_USED
    services.do_create_exemption(
        household=household,
        by=officer_a,
        kind="commuter",
        document="单位证明",
        ends_on=timezone.localdate(),
    )
    answer = scan(gate_a, item.token, "out")
    assert answer.decision == "allow"
    assert answer.quota_left is None


def test_a_policy_change_applies_from_the_next_scan_and_is_audited(
    gate_a: Any, home_a: Any, officer_a: Any
) -> None:
    _, item = home_a
    scan(gate_a, item.token, "out")
    scan(gate_a, item.token, "in")
    assert scan(gate_a, item.token, "out").reason_code == ReasonCode.QUOTA_USED
    policy = services.do_update_policy(gate_a.community, by=officer_a, outings=3)
    assert scan(gate_a, item.token, "out").decision == "allow"
    change = ObjectChange.objects.filter(content_type__model="passpolicy").first()
    assert change.actor == officer_a
    assert change.after["outings"] == 3
    assert PassPolicy.objects.get(pk=policy.pk).version >= 1


def test_a_household_of_another_grid_is_scoped_like_the_registry(
    community_a: Any, grid_a2: Any, grid_worker_a1: Any
) -> None:
    _household, item = household_with_pass(community_a, grid_a2)
    assert not Pass.objects.restrict(grid_worker_a1).filter(pk=item.pk).exists()


def test_reviewing_a_flagged_event_is_in_the_change_log_once(
    gate_a: Any, home_a: Any, officer_a: Any
) -> None:
    event = scan(gate_a, home_a[1].token, "in").event  # an entry without exit: flagged
    assert event.flag

    services.do_review_event(event, by=officer_a)
    services.do_review_event(event, by=officer_a)  # already reviewed: nothing changes

    rows = ObjectChange.objects.filter(content_type__model="gateevent", object_id=str(event.pk))
    assert rows.count() == 1
    row = rows.get()
    assert (row.action, row.actor, row.community_id) == ("update", officer_a, event.community_id)
    assert row.before["reviewed_at"] is None
    assert row.after["reviewed_at"] == event.reviewed_at.isoformat()
    assert row.after["flag"] == event.flag


def test_checkpoint_staff_may_not_review_events(
    gate_a: Any, home_a: Any, checkpoint_a: Any
) -> None:
    event = scan(gate_a, home_a[1].token, "in").event
    with pytest.raises(PermissionDeniedError):
        services.do_review_event(event, by=checkpoint_a)
    assert not ObjectChange.objects.filter(content_type__model="gateevent").exists()
