"""Retention of the registry: people 3 years after deactivation, households' phones 3 years
after they were vacated. A person another row still needs is anonymised, never deleted."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from fangkong.core.models import AccessEvent, ObjectChange
from fangkong.core.retention import cutoff, cutoff_date, purge_expired
from fangkong.core.tests.retention_helpers import DAY, exists
from fangkong.health.tests.factories import CaseFactory
from fangkong.registry.choices import PersonStatus, Sex
from fangkong.registry.models import Household, Person
from fangkong.registry.tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


def moved_out(person: Person, on: dt.date) -> Person:
    Person.objects.filter(pk=person.pk).update(
        status=PersonStatus.MOVED_OUT, status_date=on, status_reason="搬往外地"
    )
    person.refresh_from_db()
    return person


def test_a_person_is_kept_three_years_after_deactivation_and_deleted_the_day_after(
    grid_a1: Any,
) -> None:
    now = timezone.now()
    limit = cutoff_date(now, years=3)
    inside = moved_out(PersonFactory(household__building__grid=grid_a1), limit)
    past = moved_out(PersonFactory(household__building__grid=grid_a1), limit - DAY)

    purge_expired(now)

    assert exists(inside)
    assert not exists(past)


def test_an_active_person_is_never_purged_however_old_the_status_date(grid_a1: Any) -> None:
    person = PersonFactory(household__building__grid=grid_a1)
    Person.objects.filter(pk=person.pk).update(status_date=dt.date(2000, 1, 1))

    purge_expired(timezone.now())

    person.refresh_from_db()
    assert person.name
    assert person.id_number_cipher


def test_an_inactive_person_without_a_status_date_is_kept(grid_a1: Any) -> None:
    person = PersonFactory(household__building__grid=grid_a1)
    Person.objects.filter(pk=person.pk).update(status=PersonStatus.DIED, status_date=None)
    Person.objects.filter(pk=person.pk).update(updated=timezone.now() - dt.timedelta(days=9999))

    purge_expired(timezone.now())

    assert exists(person)


def test_an_expired_person_still_needed_by_a_case_is_anonymised_not_deleted(
    grid_a1: Any,
) -> None:
    # Given a person recorded as a case, who moved out more than 3 years ago
    now = timezone.now()
    person = PersonFactory(household__building__grid=grid_a1)
    case = CaseFactory(person=person)
    moved_out(person, cutoff_date(now, years=3) - DAY)

    # When the purge runs
    result = purge_expired(now)

    # Then the row stays (the case points at it) with nothing left that says who it was
    counts = next(o for o in result.outcomes if o.rule == "registry.person")
    assert (counts.deleted, counts.anonymised) == (0, 1)
    person.refresh_from_db()
    assert exists(case)
    assert (person.name, person.name_pinyin, person.name_initials, person.sex) == (
        "",
        "",
        "",
        Sex.UNKNOWN,
    )
    assert person.birth_date is None
    assert person.household_id is None
    assert person.id_number_cipher == person.id_number_index == person.id_number_mask == ""
    assert person.phone_cipher == person.phone_index == person.phone_last4_index == ""
    assert person.phone_mask == person.notes == person.tags == person.status_reason == ""
    # ...but still says why it is anonymous
    assert person.status == PersonStatus.MOVED_OUT
    assert person.status_date is not None


def test_an_anonymised_person_is_deleted_once_nothing_needs_it(grid_a1: Any) -> None:
    now = timezone.now()
    person = PersonFactory(household__building__grid=grid_a1)
    case = CaseFactory(person=person)
    moved_out(person, cutoff_date(now, years=3) - DAY)
    purge_expired(now)
    assert purge_expired(now).outcomes  # a second run: nothing more to do
    version = Person.objects.get(pk=person.pk).version

    # When what pointed at the person is gone (here by hand; the health rules in practice)
    case.changes.all().delete()
    case.delete()
    result = purge_expired(now)

    assert not exists(person)
    assert next(o for o in result.outcomes if o.rule == "registry.person").deleted == 1
    assert version == person.version + 1  # anonymising bumped the version: stale forms fail


def test_a_second_run_leaves_an_anonymised_person_alone(grid_a1: Any) -> None:
    now = timezone.now()
    person = PersonFactory(household__building__grid=grid_a1)
    CaseFactory(person=person)
    moved_out(person, cutoff_date(now, years=3) - DAY)
    purge_expired(now)

    again = purge_expired(now)

    counts = next(o for o in again.outcomes if o.rule == "registry.person")
    assert (counts.deleted, counts.anonymised) == (0, 0)


def test_a_purged_person_leaves_no_ciphertext_or_blind_index_behind(grid_a1: Any) -> None:
    now = timezone.now()
    deleted = PersonFactory(household__building__grid=grid_a1)
    kept = PersonFactory(household__building__grid=grid_a1)
    CaseFactory(person=kept)
    secrets = []
    for person in (deleted, kept):
        moved_out(person, cutoff_date(now, years=3) - DAY)
        secrets += [
            person.id_number_cipher,
            person.id_number_index,
            person.phone_cipher,
            person.phone_index,
            person.phone_last4_index,
        ]
    assert all(secrets)

    purge_expired(now)

    for value in secrets:
        assert not Person.objects.filter(id_number_cipher=value).exists()
        assert not Person.objects.filter(id_number_index=value).exists()
        assert not Person.objects.filter(phone_cipher=value).exists()
        assert not Person.objects.filter(phone_index=value).exists()
        assert not Person.objects.filter(phone_last4_index=value).exists()
    logged = json.dumps(
        [
            list(ObjectChange.objects.values("before", "after", "object_repr")),
            list(AccessEvent.objects.values("detail", "reason", "object_repr")),
        ],
        ensure_ascii=False,
        default=str,
    )
    assert not any(value in logged for value in secrets)


def test_the_head_of_a_household_who_is_deleted_leaves_the_household_headless(
    grid_a1: Any,
) -> None:
    now = timezone.now()
    household = HouseholdFactory(building__grid=grid_a1)
    head = PersonFactory(household=household)
    Household.objects.filter(pk=household.pk).update(head=head)
    moved_out(head, cutoff_date(now, years=3) - DAY)

    purge_expired(now)

    household.refresh_from_db()
    assert household.head_id is None


def test_the_purge_audit_row_for_people_holds_counts_only(grid_a1: Any) -> None:
    now = timezone.now()
    person = moved_out(
        PersonFactory(household__building__grid=grid_a1), cutoff_date(now, years=3) - DAY
    )

    purge_expired(now)

    row = ObjectChange.objects.get(after__rule="registry.person")
    assert row.after["deleted"] == 1
    text = json.dumps([row.after, row.object_repr], ensure_ascii=False)
    assert person.name not in text
    assert person.id_number_mask not in text


def test_a_vacant_households_phone_is_kept_three_years_and_blanked_after(grid_a1: Any) -> None:
    now = timezone.now()
    inside = HouseholdFactory(building__grid=grid_a1, phone="024-23456789")
    past = HouseholdFactory(building__grid=grid_a1, phone="024-23456780")
    occupied = HouseholdFactory(building__grid=grid_a1, phone="024-23456781")
    Household.objects.filter(pk__in=[inside.pk, past.pk]).update(is_active=False)
    Household.objects.filter(pk=inside.pk).update(updated=cutoff(now, years=3))
    Household.objects.filter(pk__in=[past.pk, occupied.pk]).update(
        updated=cutoff(now, years=3) - dt.timedelta(seconds=1)
    )

    result = purge_expired(now)

    assert next(o for o in result.outcomes if o.rule == "registry.household_phone").anonymised == 1
    for household in (inside, past, occupied):
        household.refresh_from_db()
    assert inside.phone_cipher
    assert inside.phone_index
    assert occupied.phone_cipher
    # The household stays (while its building exists); its phone goes.
    assert past.phone_cipher == past.phone_index == past.phone_last4_index == ""
    assert past.phone_mask == ""


def test_a_dry_run_neither_deletes_nor_anonymises_people(grid_a1: Any) -> None:
    now = timezone.now()
    gone = moved_out(
        PersonFactory(household__building__grid=grid_a1), cutoff_date(now, years=3) - DAY
    )
    needed = PersonFactory(household__building__grid=grid_a1)
    CaseFactory(person=needed)
    moved_out(needed, cutoff_date(now, years=3) - DAY)

    result = purge_expired(now, dry_run=True)

    counts = next(o for o in result.outcomes if o.rule == "registry.person")
    assert (counts.deleted, counts.anonymised) == (1, 1)
    assert exists(gone)
    needed.refresh_from_db()
    assert needed.name
    assert needed.id_number_index
