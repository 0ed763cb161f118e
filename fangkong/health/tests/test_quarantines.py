"""Quarantine date arithmetic and history, and the household's pass following it through the
real access service."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.access.choices import PassStatus
from fangkong.access.models import Pass, Suspension
from fangkong.access.tests.factories import issue_pass
from fangkong.health import services
from fangkong.health.choices import (
    ChangeAction,
    ChangeReason,
    ChangeStatus,
    QuarantineKind,
)
from fangkong.health.clock import end_of_day
from fangkong.health.models import Quarantine, StatusChange
from fangkong.health.tests.factories import (
    NOTICE,
    TEST,
    ContactFactory,
    QuarantineFactory,
    family,
    household_quarantine,
    members,
)
from fangkong.registry.tests.factories import PersonFactory
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


def test_the_planned_end_is_the_last_exposure_plus_the_period() -> None:
    start = dt.date(2020, 2, 13)
    assert services.planned_end(start, dt.date(2020, 2, 3), 14) == dt.date(2020, 2, 17)
    # Without a known exposure the period counts from the start.
    assert services.planned_end(start, None, 14) == dt.date(2020, 2, 27)


def test_a_quarantine_from_a_contact_ends_fourteen_days_after_the_last_exposure(
    grid_a1: Any, health_a: Any
) -> None:
    contact = ContactFactory(case__person=PersonFactory(household=family(grid_a1, 1)))
    quarantine = QuarantineFactory(
        person=contact.person,
        contact=contact,
        by=health_a,
        reason=ChangeReason.HOUSEHOLD_CONTACT,
        evidence_kind="",
        evidence_ref="",
    )
    assert quarantine.last_exposure == contact.last_exposure
    assert quarantine.period_days == 14
    assert quarantine.planned_end == contact.last_exposure + dt.timedelta(days=14)
    # The contact link is the evidence when no other is given.
    change = StatusChange.objects.get(quarantine=quarantine)
    assert change.evidence_kind == "contact_link"
    assert str(contact.pk) in change.evidence_ref


def test_the_period_follows_the_communitys_policy(
    grid_a1: Any, community_a: Any, health_a: Any
) -> None:
    services.do_update_policy(community_a, by=health_a, quarantine_days=21)
    quarantine = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 1)), by=health_a)
    assert quarantine.planned_end == quarantine.start_date + dt.timedelta(days=21)


def test_extensions_and_reductions_are_kept_as_history_with_reasons(
    grid_a1: Any, health_a: Any
) -> None:
    quarantine = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 1)), by=health_a)
    first_end = quarantine.planned_end

    services.do_change_quarantine_end(
        quarantine,
        new_end=first_end + dt.timedelta(days=7),
        by=health_a,
        reason=ChangeReason.SYMPTOMS,
        **TEST,
    )
    quarantine.refresh_from_db()
    services.do_change_quarantine_end(
        quarantine,
        new_end=first_end + dt.timedelta(days=3),
        by=health_a,
        reason=ChangeReason.OFFICIAL_NOTICE,
        **NOTICE,
    )
    quarantine.refresh_from_db()

    assert quarantine.planned_end == first_end + dt.timedelta(days=3)
    history = list(StatusChange.objects.filter(quarantine=quarantine).order_by("pk"))
    assert [c.action for c in history] == [
        ChangeAction.QUARANTINE_START,
        ChangeAction.QUARANTINE_EXTEND,
        ChangeAction.QUARANTINE_REDUCE,
    ]
    assert (history[1].from_value, history[1].to_value) == (
        first_end.isoformat(),
        (first_end + dt.timedelta(days=7)).isoformat(),
    )
    assert history[2].reason == ChangeReason.OFFICIAL_NOTICE
    assert all(c.status == ChangeStatus.APPLIED and c.proposed_by == health_a for c in history)


def test_a_quarantine_cannot_end_before_it_starts(grid_a1: Any, health_a: Any) -> None:
    quarantine = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 1)), by=health_a)
    before = quarantine.start_date - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as reduced:
        services.do_change_quarantine_end(
            quarantine, new_end=before, by=health_a, reason=ChangeReason.OFFICIAL_NOTICE, **NOTICE
        )
    assert "cannot end before it starts" in str(reduced.value.message_dict["new_end"])
    with pytest.raises(ValidationError) as ended:
        services.do_end_quarantine(
            quarantine, ended_on=before, by=health_a, reason=ChangeReason.OFFICIAL_NOTICE, **NOTICE
        )
    assert "cannot end before it starts" in str(ended.value.message_dict["ended_on"])
    # An exposure so long ago that the period is over before the start is refused too.
    with pytest.raises(ValidationError) as stale:
        QuarantineFactory(
            person=PersonFactory(household=family(grid_a1, 1)),
            by=health_a,
            last_exposure=timezone.localdate() - dt.timedelta(days=20),
        )
    assert "last_exposure" in stale.value.message_dict


def test_an_extension_needs_a_reason_that_fits_and_evidence(grid_a1: Any, health_a: Any) -> None:
    quarantine = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 1)), by=health_a)
    later = quarantine.planned_end + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as missing:
        services.do_change_quarantine_end(
            quarantine,
            new_end=later,
            by=health_a,
            reason=ChangeReason.SYMPTOMS,
            evidence_kind="",
            evidence_ref="",
        )
    assert {"evidence_kind", "evidence_ref"} <= set(missing.value.message_dict)
    with pytest.raises(ValidationError) as wrong:
        services.do_change_quarantine_end(
            quarantine, new_end=later, by=health_a, reason=ChangeReason.PERIOD_COMPLETED, **NOTICE
        )
    assert "reason" in wrong.value.message_dict


def test_a_household_quarantine_covers_every_member_but_the_case(
    grid_a1: Any, health_a: Any
) -> None:
    household = family(grid_a1, 4)
    people = members(household)
    from fangkong.health.tests.factories import CaseFactory

    CaseFactory(person=people[0])
    result = household_quarantine(household, by=health_a)
    rows = list(Quarantine.objects.filter(household=household).order_by("person_id"))
    assert [q.person_id for q in rows] == [p.pk for p in people[1:]]
    assert all(q.whole_household and q.batch == rows[0].batch for q in rows)
    assert result.people == 3

    # Extending one extends the household
    later = rows[0].planned_end + dt.timedelta(days=5)
    services.do_change_quarantine_end(
        rows[1], new_end=later, by=health_a, reason=ChangeReason.NEW_EXPOSURE, **NOTICE
    )
    assert set(
        Quarantine.objects.filter(household=household).values_list("planned_end", flat=True)
    ) == {later}


def test_home_quarantine_suspends_the_pass_and_ending_it_restores_it(
    grid_a1: Any, health_a: Any
) -> None:
    # Given a household with a working pass
    household = family(grid_a1, 2)
    item = issue_pass(household)
    assert item.status == PassStatus.ACTIVE

    # When the household is put under home quarantine
    result = household_quarantine(household, by=health_a)
    quarantine = result.obj

    # Then its pass is suspended by the health source until the midnight after the end,
    # with a neutral reason
    item.refresh_from_db()
    assert item.status == PassStatus.SUSPENDED
    assert item.suspended_until == end_of_day(quarantine.planned_end, household.community)
    suspension = Suspension.objects.get(household=household, lifted_at__isnull=True)
    assert suspension.source == "health"
    assert "quarantine" not in suspension.reason.lower()

    # And the pass follows an extension
    later = quarantine.planned_end + dt.timedelta(days=4)
    services.do_change_quarantine_end(
        quarantine, new_end=later, by=health_a, reason=ChangeReason.NEW_EXPOSURE, **NOTICE
    )
    item.refresh_from_db()
    assert item.suspended_until == end_of_day(later, household.community)

    # When the quarantine ends
    services.do_end_quarantine(quarantine, by=health_a, reason=ChangeReason.NEGATIVE_TESTS, **TEST)

    # Then the pass works again
    item.refresh_from_db()
    assert item.status == PassStatus.ACTIVE
    assert not Suspension.objects.filter(household=household, lifted_at__isnull=True).exists()


def test_a_pass_stays_suspended_while_the_office_also_holds_it(grid_a1: Any, health_a: Any) -> None:
    from fangkong.access.services import do_suspend_household_passes

    household = family(grid_a1, 1)
    item = issue_pass(household)
    quarantine = household_quarantine(household, by=health_a).obj
    do_suspend_household_passes(household, source="office", reason="核查", until=None, by=None)
    services.do_end_quarantine(
        quarantine, by=health_a, reason=ChangeReason.PERIOD_COMPLETED, **NOTICE
    )
    item.refresh_from_db()
    assert item.status == PassStatus.SUSPENDED


def test_reducing_the_end_into_the_past_lifts_the_suspension(grid_a1: Any, health_a: Any) -> None:
    household = family(grid_a1, 1)
    issue_pass(household)
    start = timezone.localdate() - dt.timedelta(days=3)
    quarantine = household_quarantine(household, by=health_a, start_date=start).obj
    services.do_change_quarantine_end(
        quarantine, new_end=start, by=health_a, reason=ChangeReason.NEGATIVE_TESTS, **TEST
    )
    assert Pass.objects.get(household=household).status == PassStatus.ACTIVE


def test_home_quarantine_creates_the_delivery_task_and_names_the_grid_worker(
    grid_a1: Any, grid_worker_a1: Any, health_a: Any
) -> None:
    household = family(grid_a1, 2)
    quarantine = household_quarantine(household, by=health_a).obj
    assert quarantine.grid_worker == grid_worker_a1
    task = Task.objects.get(kind="health.delivery")
    assert task.assignee == grid_worker_a1
    assert task.area == grid_a1
    assert task.link == household
    # A member quarantined later does not make a second task while the first is open
    QuarantineFactory(person=PersonFactory(household=household), by=health_a)
    assert Task.objects.filter(kind="health.delivery").count() == 1


def test_monitoring_and_centralised_quarantine_leave_the_pass_alone(
    grid_a1: Any, health_a: Any
) -> None:
    household = family(grid_a1, 2)
    item = issue_pass(household)
    people = members(household)
    QuarantineFactory(
        person=people[0], kind=QuarantineKind.MONITORING, reason=ChangeReason.RISK_AREA, by=health_a
    )
    QuarantineFactory(
        person=people[1], kind=QuarantineKind.CENTRALISED, site="浑南区隔离点", by=health_a
    )
    item.refresh_from_db()
    assert item.status == PassStatus.ACTIVE
    with pytest.raises(ValidationError) as no_site:
        QuarantineFactory(
            person=PersonFactory(household=household), kind=QuarantineKind.CENTRALISED, by=health_a
        )
    assert "site" in no_site.value.message_dict


def test_a_person_is_under_one_quarantine_at_a_time(grid_a1: Any, health_a: Any) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    QuarantineFactory(person=person, by=health_a)
    with pytest.raises(ValidationError):
        QuarantineFactory(person=person, by=health_a)
