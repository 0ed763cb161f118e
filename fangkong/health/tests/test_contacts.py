"""Close contacts: the exposure date rule, the chain kept when a contact becomes a case, and
the hand-over of a contact who lives in another community."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from fangkong.core.personal_data import id_number_index
from fangkong.health import services
from fangkong.health.choices import Classification, ContactKind
from fangkong.health.models import Case, Contact
from fangkong.health.tests.factories import CaseFactory, ContactFactory, family
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import PersonFactory, next_id_number, valid_mobile
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(grid_a1: Any, health_a: Any) -> Case:
    person = PersonFactory(household=family(grid_a1, 0))
    return CaseFactory(
        person=person, by=health_a, isolated_on=timezone.localdate() - dt.timedelta(days=1)
    )


def test_a_contact_date_after_the_cases_isolation_is_refused(case: Case, health_a: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        ContactFactory(
            case=case, by=health_a, last_exposure=case.isolated_on + dt.timedelta(days=1)
        )
    assert "isolated or admitted" in str(refused.value.message_dict["last_exposure"])
    contact = ContactFactory(case=case, by=health_a, last_exposure=case.isolated_on)
    assert contact.kind == ContactKind.HOUSEHOLD


def test_a_contact_who_becomes_a_case_keeps_the_link(case: Case, health_a: Any) -> None:
    contact = ContactFactory(case=case, by=health_a, kind=ContactKind.CLOSE)
    second = CaseFactory(
        person=contact.person, by=health_a, classification=Classification.CONFIRMED
    )
    assert second.source_contact == contact
    assert contact.became_case == second


def test_a_person_of_another_community_cannot_be_picked_directly(
    case: Case, health_a: Any, grid_b1: Any
) -> None:
    stranger = PersonFactory(household=family(grid_b1, 0))
    with pytest.raises(Http404):
        ContactFactory(case=case, person=stranger, by=health_a)


def test_a_contact_known_in_another_community_is_handed_over_to_its_officer(
    case: Case, health_a: Any, grid_b1: Any, officer_b: Any, community_b: Any
) -> None:
    # Given a person registered in community B
    number = next_id_number()
    there = PersonFactory(household=family(grid_b1, 0), id_number=number)

    # When A's health officer records them as a contact by their ID number
    contact = services.do_add_contact(
        case=case,
        kind=ContactKind.CLOSE,
        last_exposure=case.isolated_on,
        by=health_a,
        other_community=community_b,
        name="某某",
        id_number=number,
        how="同乘一辆出租车",
    )

    # Then the contact is B's person, found through the blind index, and stays A's row
    assert contact.person == there
    assert contact.community == case.community
    assert contact.handed_over_to == community_b
    # And B's officer has an urgent task pointing at the person, without the case's name
    task = Task.objects.get(pk=contact.handover_task_id)
    assert task.community == community_b
    assert task.assignee == officer_b
    assert task.link == there
    assert task.priority == "urgent"
    assert case.person.name not in task.title + task.description
    # And B's officer does not see A's contact row, nor A's officer B's person
    assert not Contact.objects.restrict(officer_b).exists()
    assert not Person.objects.restrict(health_a).filter(pk=there.pk).exists()


def test_an_unknown_contact_of_another_community_is_recorded_there(
    case: Case, health_a: Any, community_b: Any, officer_b: Any
) -> None:
    number = next_id_number()
    contact = services.do_add_contact(
        case=case,
        kind=ContactKind.SECONDARY,
        last_exposure=case.isolated_on,
        by=health_a,
        other_community=community_b,
        name="新接触",
        id_number=number,
        phone=valid_mobile(),
    )
    person = contact.person
    assert person.community == community_b
    assert person.household is None
    assert person.id_number_index == id_number_index(number)
    assert "handed over" in person.notes
    assert Person.objects.restrict(officer_b).filter(pk=person.pk).exists()
    # Recording the same contact for another case finds the same person, not a second one
    other = CaseFactory(person=PersonFactory(household=case.household), by=health_a)
    again = services.do_add_contact(
        case=other,
        kind=ContactKind.SECONDARY,
        last_exposure=other.report_date,
        by=health_a,
        other_community=community_b,
        name="新接触",
        id_number=number,
    )
    assert again.person == person


def test_a_hand_over_needs_a_name_and_a_way_to_find_them(
    case: Case, health_a: Any, community_b: Any
) -> None:
    with pytest.raises(ValidationError) as nothing:
        services.do_add_contact(
            case=case,
            kind=ContactKind.CLOSE,
            by=health_a,
            last_exposure=case.isolated_on,
            other_community=community_b,
            name="某某",
        )
    assert "id_number" in nothing.value.message_dict
    with pytest.raises(ValidationError) as bad:
        services.do_add_contact(
            case=case,
            kind=ContactKind.CLOSE,
            by=health_a,
            last_exposure=case.isolated_on,
            other_community=community_b,
            name="某某",
            id_number="110101199003071235",
        )
    assert "id_number" in bad.value.message_dict
