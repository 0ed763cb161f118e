"""Retention of access data: each period of docs/data-dictionary.md, a row just inside it
kept and one just past it purged or anonymised; visitors leave no ciphertext or blind index
behind; a pass a gate event still needs is anonymised, and goes once the event lets go."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from fangkong.access import services
from fangkong.access.choices import ExemptionKind, PassStatus, SuspensionSource, VisitorStatus
from fangkong.access.models import Exemption, GateEvent, Pass, Suspension, Visitor
from fangkong.access.tests.factories import VisitorFactory, scan
from fangkong.core.models import AccessEvent, ObjectChange
from fangkong.core.retention import cutoff, cutoff_date, purge_expired
from fangkong.core.tests.retention_helpers import DAY, SECOND, counts, exists

pytestmark = pytest.mark.django_db


def event_at(gate: Any, pass_: Pass, moment: dt.datetime) -> GateEvent:
    scan(gate, pass_.serial, temperature="36.6")
    event = GateEvent.objects.latest("pk")
    GateEvent.objects.filter(pk=event.pk).update(time=moment)
    event.refresh_from_db()
    return event


def visitor_at(
    gate: Any, household: Any, *, time_in: dt.datetime, time_out: dt.datetime | None
) -> Visitor:
    visitor = VisitorFactory(
        checkpoint=gate, household=household, id_number="110101199003071234", plate="辽A12345"
    )
    Visitor.objects.filter(pk=visitor.pk).update(
        time_in=time_in,
        time_out=time_out,
        confirmed_by="户主",
        status=VisitorStatus.LEFT if time_out else VisitorStatus.CONFIRMED,
    )
    visitor.refresh_from_db()
    return visitor


def test_a_visitor_is_anonymised_thirty_days_after_leaving_and_still_counted(
    gate_a: Any,
    home_a: Any,
) -> None:
    now = timezone.now()
    household, _ = home_a
    limit = cutoff(now, days=30)
    inside = visitor_at(gate_a, household, time_in=limit - DAY, time_out=limit)
    past = visitor_at(gate_a, household, time_in=limit - DAY, time_out=limit - SECOND)

    result = purge_expired(now)

    assert counts(result, "access.visitor") == (0, 1)
    inside.refresh_from_db()
    past.refresh_from_db()
    assert (inside.name, inside.plate, inside.confirmed_by) != ("", "", "")
    assert inside.phone_cipher
    assert inside.id_number_index
    assert (past.name, past.purpose, past.plate, past.confirmed_by) == ("", "", "", "")
    assert past.phone_mask == past.id_number_mask == ""
    # ...but still counted: the gate, the day and the status stay
    assert Visitor.objects.filter(checkpoint=gate_a, time_in=limit - DAY).count() == 2
    assert past.status == VisitorStatus.LEFT
    assert past.temperature == Decimal("36.4")


def test_a_visitor_never_checked_out_counts_from_coming_in(gate_a: Any, home_a: Any) -> None:
    now = timezone.now()
    household, _ = home_a
    limit = cutoff(now, days=30)
    inside = visitor_at(gate_a, household, time_in=limit, time_out=None)
    past = visitor_at(gate_a, household, time_in=limit - SECOND, time_out=None)

    purge_expired(now)

    inside.refresh_from_db()
    past.refresh_from_db()
    assert inside.name
    assert past.name == ""


def test_a_purged_visitor_leaves_no_ciphertext_or_blind_index_behind(
    gate_a: Any,
    home_a: Any,
) -> None:
    now = timezone.now()
    household, _ = home_a
    past = visitor_at(gate_a, household, time_in=now - 40 * DAY, time_out=now - 39 * DAY)
    secrets = [
        past.phone_cipher,
        past.phone_index,
        past.phone_last4_index,
        past.id_number_cipher,
        past.id_number_index,
    ]
    assert all(secrets)

    purge_expired(now)

    for value in secrets:
        assert not Visitor.objects.filter(phone_cipher=value).exists()
        assert not Visitor.objects.filter(phone_index=value).exists()
        assert not Visitor.objects.filter(phone_last4_index=value).exists()
        assert not Visitor.objects.filter(id_number_cipher=value).exists()
        assert not Visitor.objects.filter(id_number_index=value).exists()
    logged = json.dumps(
        [
            list(ObjectChange.objects.values("before", "after", "object_repr")),
            list(AccessEvent.objects.values("detail", "reason", "object_repr")),
        ],
        ensure_ascii=False,
        default=str,
    )
    assert not any(value in logged for value in secrets)
    past.refresh_from_db()
    assert past.version > 1  # an edit form opened before the purge cannot write it back


def test_a_gate_temperature_goes_after_thirty_days_the_event_after_a_year(
    gate_a: Any,
    home_a: Any,
) -> None:
    now = timezone.now()
    household, pass_ = home_a
    fresh = event_at(gate_a, pass_, cutoff(now, days=30))
    month_old = event_at(gate_a, pass_, cutoff(now, days=30) - SECOND)
    year_inside = event_at(gate_a, pass_, cutoff(now, years=1))
    year_past = event_at(gate_a, pass_, cutoff(now, years=1) - SECOND)

    result = purge_expired(now)

    assert counts(result, "access.gate_temperature") == (0, 3)
    assert counts(result, "access.gate_event") == (0, 1)
    for event in (fresh, month_old, year_inside, year_past):
        event.refresh_from_db()
    assert fresh.temperature == Decimal("36.6")
    assert month_old.temperature is None
    assert (month_old.household_id, month_old.pass_obj_id) == (household.pk, pass_.pk)
    assert (year_inside.household_id, year_inside.pass_obj_id) == (household.pk, pass_.pk)
    assert (year_past.household_id, year_past.pass_obj_id, year_past.temperature) == (
        None,
        None,
        None,
    )
    # Still counted per gate and direction
    assert (year_past.checkpoint_id, year_past.direction, year_past.decision) == (
        gate_a.pk,
        fresh.direction,
        fresh.decision,
    )
    assert GateEvent.objects.filter(checkpoint=gate_a).count() == 4


def test_an_exemption_goes_ninety_days_after_it_ends_or_is_revoked(home_a: Any) -> None:
    now = timezone.now()
    household, _ = home_a
    limit = cutoff_date(now, days=90)

    def exemption(ends_on: dt.date) -> Exemption:
        return services.do_create_exemption(
            household=household,
            by=None,
            kind=ExemptionKind.MEDICAL,
            document="医院预约单",
            starts_on=ends_on - 10 * DAY,
            ends_on=ends_on,
        )

    inside, past = exemption(limit), exemption(limit - DAY)
    revoked = exemption(timezone.localdate(now) + 30 * DAY)
    Exemption.objects.filter(pk=revoked.pk).update(revoked_at=cutoff(now, days=90) - SECOND)

    result = purge_expired(now)

    assert counts(result, "access.exemption") == (2, 0)
    assert exists(inside)
    assert not exists(past)
    assert not exists(revoked)


def test_a_suspension_goes_a_year_after_it_is_lifted_never_while_in_force(
    home_a: Any,
) -> None:
    now = timezone.now()
    household, _ = home_a
    lifted = services.do_suspend_household_passes(
        household, source=SuspensionSource.OFFICE, reason="拒不配合", until=None, by=None
    )
    services.do_lift_suspension(household, source=SuspensionSource.OFFICE, by=None)
    recent = services.do_suspend_household_passes(
        household, source=SuspensionSource.OFFICE, reason="拒不配合", until=None, by=None
    )
    services.do_lift_suspension(household, source=SuspensionSource.OFFICE, by=None)
    in_force = services.do_suspend_household_passes(
        household, source=SuspensionSource.HEALTH, reason="社区卫生专员安排", until=None, by=None
    )
    Suspension.objects.filter(pk=lifted.pk).update(lifted_at=cutoff(now, years=1) - SECOND)
    Suspension.objects.filter(pk=recent.pk).update(lifted_at=cutoff(now, years=1))
    Suspension.objects.filter(pk=in_force.pk).update(created=now - 900 * DAY)

    result = purge_expired(now)

    assert counts(result, "access.suspension") == (1, 0)
    assert not exists(lifted)
    assert exists(recent)
    assert exists(in_force)


def test_a_void_pass_a_gate_event_still_needs_is_anonymised_then_deleted(
    gate_a: Any,
    home_a: Any,
) -> None:
    # Given a pass voided over a year ago and scanned (refused) since
    now = timezone.now()
    household, pass_ = home_a
    holder = household.members.first()
    services.do_void_pass(pass_, by=None, reason="搬离本社区")
    Pass.objects.filter(pk=pass_.pk).update(person=holder)
    event = event_at(gate_a, pass_, now - 100 * DAY)
    Pass.objects.filter(pk=pass_.pk).update(updated=cutoff(now, years=1) - SECOND)

    # When the purge runs: the event (PROTECT) keeps the pass, without who held it
    result = purge_expired(now)

    assert counts(result, "access.pass") == (0, 1)
    pass_.refresh_from_db()
    assert (pass_.person_id, pass_.void_reason, pass_.status) == (None, "", PassStatus.VOID)
    assert again_changes_nothing(now)

    # Once the event has let go of it (a year after the scan), the pass goes
    GateEvent.objects.filter(pk=event.pk).update(time=cutoff(now, years=1) - SECOND)
    result = purge_expired(now)

    assert counts(result, "access.pass") == (1, 0)
    assert not exists(pass_)
    assert exists(event)


def test_an_active_or_recently_voided_pass_is_kept(gate_a: Any, home_a: Any) -> None:
    now = timezone.now()
    _household, active = home_a
    Pass.objects.filter(pk=active.pk).update(updated=now - 900 * DAY)
    successor = services.do_replace_pass(active, by=None, reason="遗失")
    Pass.objects.filter(pk=active.pk).update(updated=cutoff(now, years=1))

    purge_expired(now)

    assert exists(active)
    assert exists(successor)


def again_changes_nothing(now: dt.datetime) -> bool:
    logged = ObjectChange.objects.count()
    again = purge_expired(now)
    access = [o for o in again.outcomes if o.rule.startswith("access.")]
    return all(o.deleted == o.anonymised == 0 for o in access) and (
        ObjectChange.objects.count() == logged
    )


def test_a_second_access_purge_changes_nothing(gate_a: Any, home_a: Any) -> None:
    now = timezone.now()
    household, pass_ = home_a
    visitor_at(gate_a, household, time_in=now - 40 * DAY, time_out=now - 39 * DAY)
    event_at(gate_a, pass_, now - 400 * DAY)
    event_at(gate_a, pass_, now - 40 * DAY)
    purge_expired(now)

    assert again_changes_nothing(now)


def test_a_dry_run_leaves_visitors_and_events_as_they_were(gate_a: Any, home_a: Any) -> None:
    now = timezone.now()
    household, pass_ = home_a
    visitor = visitor_at(gate_a, household, time_in=now - 40 * DAY, time_out=now - 39 * DAY)
    event = event_at(gate_a, pass_, now - 400 * DAY)

    result = purge_expired(now, dry_run=True)

    assert counts(result, "access.visitor") == (0, 1)
    assert counts(result, "access.gate_event") == (0, 1)
    visitor.refresh_from_db()
    event.refresh_from_db()
    assert visitor.id_number_cipher
    assert event.household_id == household.pk
