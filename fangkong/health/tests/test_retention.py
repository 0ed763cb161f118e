"""Retention of health data: each period of docs/data-dictionary.md, a row just inside it
kept and one just past it purged; cases and quarantines still needed by a status change are
anonymised, and go once the status changes have."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.core.models import ObjectChange
from fangkong.core.retention import cutoff, cutoff_date, purge_expired
from fangkong.core.tests.retention_helpers import DAY, SECOND, counts, exists
from fangkong.health.choices import ChangeStatus, Classification, Outcome
from fangkong.health.models import (
    Case,
    Contact,
    Disinfection,
    HealthReport,
    Quarantine,
    StatusChange,
)
from fangkong.health.tests.factories import (
    CaseFactory,
    ContactFactory,
    DisinfectionFactory,
    QuarantineFactory,
    ReportFactory,
    family,
    pending_start,
)
from fangkong.registry.tests.factories import BuildingFactory, PersonFactory

pytestmark = pytest.mark.django_db


def ended(quarantine: Quarantine, on: dt.date) -> Quarantine:
    Quarantine.objects.filter(pk=quarantine.pk).update(
        start_date=on - dt.timedelta(days=14), planned_end=on, ended_on=on
    )
    quarantine.refresh_from_db()
    return quarantine


def closed(case: Case, on: dt.date, updated: dt.datetime) -> Case:
    Case.objects.filter(pk=case.pk).update(
        outcome=Outcome.RECOVERED, outcome_date=on, updated=updated
    )
    case.refresh_from_db()
    return case


def dated_changes(moment: dt.datetime, **lookup: Any) -> None:
    StatusChange.objects.filter(**lookup).update(created=moment)


def test_a_health_report_is_kept_a_year_after_the_quarantine_ends_and_deleted_after(
    grid_a1: Any,
) -> None:
    now = timezone.now()
    limit = cutoff_date(now, years=1)
    inside = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0)))
    past = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0)))
    kept, gone = ReportFactory(person=inside.person), ReportFactory(person=past.person)
    ended(inside, limit)
    ended(past, limit - DAY)

    result = purge_expired(now)

    assert counts(result, "health.health_report") == (1, 0)
    assert exists(kept)
    assert not exists(gone)


def test_a_report_of_a_running_quarantine_is_never_purged(grid_a1: Any) -> None:
    quarantine = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0)))
    report = ReportFactory(person=quarantine.person)
    HealthReport.objects.filter(pk=report.pk).update(taken_at=timezone.now() - 9 * 365 * DAY)

    purge_expired(timezone.now())

    assert exists(report)


def test_a_contact_is_kept_two_years_after_the_last_exposure_and_deleted_after(
    grid_a1: Any,
) -> None:
    now = timezone.now()
    limit = cutoff_date(now, years=2)
    case = CaseFactory(person=PersonFactory(household=family(grid_a1, 0)))
    inside, past = ContactFactory(case=case), ContactFactory(case=case)
    Contact.objects.filter(pk=inside.pk).update(last_exposure=limit)
    Contact.objects.filter(pk=past.pk).update(last_exposure=limit - DAY)

    result = purge_expired(now)

    assert counts(result, "health.contact") == (1, 0)
    assert exists(inside)
    assert not exists(past)
    assert exists(case)


def test_a_quarantine_past_its_period_but_still_in_a_status_change_is_anonymised(
    grid_a1: Any,
    health_a: Any,
) -> None:
    now = timezone.now()
    limit = cutoff_date(now, years=2)
    inside = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0)), site="某酒店")
    past = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0)), site="某酒店")
    Quarantine.objects.filter(pk__in=[inside.pk, past.pk]).update(grid_worker=health_a)
    ended(inside, limit)
    ended(past, limit - DAY)

    result = purge_expired(now)

    # Its start is a status change, kept 5 years: the quarantine stays, without its details
    assert counts(result, "health.quarantine") == (0, 1)
    inside.refresh_from_db()
    past.refresh_from_db()
    assert (inside.site, inside.grid_worker_id) == ("某酒店", health_a.pk)
    assert (past.site, past.grid_worker_id, past.contact_id) == ("", None, None)
    assert past.ended_on == limit - DAY  # dates stay for the figures


def test_quarantines_and_cases_go_once_their_status_changes_have_gone(grid_a1: Any) -> None:
    # Given a closed case and an ended quarantine whose status changes are over 5 years old
    now = timezone.now()
    long_ago = cutoff(now, years=5) - SECOND
    case = CaseFactory(person=PersonFactory(household=family(grid_a1, 0)))
    closed(case, long_ago.date(), long_ago)
    quarantine = ended(
        QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0))), long_ago.date()
    )
    dated_changes(long_ago, person__in=[case.person_id, quarantine.person_id])

    # When the purge runs: the status changes go first, then what they pointed at
    result = purge_expired(now)

    assert counts(result, "health.status_change") == (2, 0)
    assert not exists(case)
    assert not exists(quarantine)
    assert counts(result, "health.case") == (1, 0)


def test_a_status_change_is_kept_five_years_and_deleted_after(grid_a1: Any) -> None:
    now = timezone.now()
    limit = cutoff(now, years=5)
    inside = ended(
        QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0))), limit.date() - DAY
    )
    past = ended(
        QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0))), limit.date() - DAY
    )
    dated_changes(limit, quarantine=inside)
    dated_changes(limit - SECOND, quarantine=past)

    purge_expired(now)

    assert StatusChange.objects.filter(quarantine=inside).exists()
    assert not StatusChange.objects.filter(quarantine=past.pk).exists()


def test_a_pending_or_still_running_status_change_is_never_purged(
    grid_a1: Any,
    health_a: Any,
) -> None:
    now = timezone.now()
    pending = pending_start(PersonFactory(household=family(grid_a1, 0)), by=health_a)
    running = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0)))
    open_case = CaseFactory(person=PersonFactory(household=family(grid_a1, 0)))
    dated_changes(now - 9 * 365 * DAY)

    purge_expired(now)

    assert StatusChange.objects.filter(pk=pending.pk, status=ChangeStatus.PENDING).exists()
    assert StatusChange.objects.filter(quarantine=running).exists()
    assert StatusChange.objects.filter(case=open_case).exists()


def test_a_case_is_kept_three_years_after_it_is_closed(grid_a1: Any) -> None:
    now = timezone.now()
    limit_day, limit = cutoff_date(now, years=3), cutoff(now, years=3)
    recovered_inside = closed(
        CaseFactory(person=PersonFactory(household=family(grid_a1, 0)), notes="住院"),
        limit_day,
        limit,
    )
    recovered_past = closed(
        CaseFactory(person=PersonFactory(household=family(grid_a1, 0)), notes="住院"),
        limit_day - DAY,
        limit - SECOND,
    )
    # Closed long ago by its outcome date, but edited since: counted from the last edit.
    edited = closed(
        CaseFactory(person=PersonFactory(household=family(grid_a1, 0))),
        limit_day - 300 * DAY,
        limit,
    )
    open_case = CaseFactory(person=PersonFactory(household=family(grid_a1, 0)), notes="住院")
    Case.objects.filter(pk=open_case.pk).update(
        report_date=dt.date(2020, 1, 1), updated=limit - 900 * DAY
    )

    result = purge_expired(now)

    # Its opening is a status change (5 years): the case stays, anonymised
    assert counts(result, "health.case") == (0, 1)
    for case in (recovered_inside, recovered_past, edited, open_case):
        case.refresh_from_db()
    assert recovered_past.notes == ""
    assert recovered_past.household_id is None
    assert recovered_past.classification == Classification.CONFIRMED  # figures keep it
    assert recovered_inside.notes == "住院"
    assert open_case.notes == "住院"
    assert edited.household_id is not None


def test_an_excluded_case_counts_from_its_last_change(grid_a1: Any) -> None:
    now = timezone.now()
    case = CaseFactory(person=PersonFactory(household=family(grid_a1, 0)), notes="排除")
    Case.objects.filter(pk=case.pk).update(
        classification=Classification.EXCLUDED, updated=cutoff(now, years=3) - SECOND
    )

    purge_expired(now)

    case.refresh_from_db()
    assert case.notes == ""


def test_a_disinfection_keeps_its_place_and_time_and_loses_who_did_it_after_three_years(
    grid_a1: Any,
) -> None:
    now = timezone.now()
    building = BuildingFactory(grid=grid_a1)
    inside = DisinfectionFactory(building=building, done_at=cutoff(now, years=3), notes="三楼")
    past = DisinfectionFactory(
        building=building, done_at=cutoff(now, years=3) - SECOND, notes="三楼"
    )

    result = purge_expired(now)

    assert counts(result, "health.disinfection") == (0, 1)
    inside.refresh_from_db()
    past.refresh_from_db()
    assert (inside.operator, inside.notes) == ("消杀队", "三楼")
    assert (past.operator, past.notes, past.recorded_by_id) == ("", "", None)
    assert past.building_id == building.pk
    assert past.done_at == cutoff(now, years=3) - SECOND
    assert Disinfection.objects.count() == 2


def test_a_second_health_purge_changes_nothing(grid_a1: Any) -> None:
    now = timezone.now()
    case = CaseFactory(person=PersonFactory(household=family(grid_a1, 0)), notes="住院")
    closed(case, cutoff_date(now, years=3) - DAY, cutoff(now, years=3) - SECOND)
    DisinfectionFactory(
        building=BuildingFactory(grid=grid_a1), done_at=cutoff(now, years=3) - SECOND
    )
    purge_expired(now)
    logged = ObjectChange.objects.count()

    again = purge_expired(now)

    assert all(o.deleted == o.anonymised == 0 for o in again.outcomes)
    assert ObjectChange.objects.count() == logged


def test_a_dry_run_leaves_health_rows_as_they_were(grid_a1: Any) -> None:
    now = timezone.now()
    case = CaseFactory(person=PersonFactory(household=family(grid_a1, 0)))
    contact = ContactFactory(case=case)
    Contact.objects.filter(pk=contact.pk).update(last_exposure=cutoff_date(now, years=2) - DAY)

    result = purge_expired(now, dry_run=True)

    assert counts(result, "health.contact") == (1, 0)
    assert exists(contact)
