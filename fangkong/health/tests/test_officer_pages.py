"""The health officer's pages as issue 14 found them: a contact outside the household is
picked by name, pinyin or room (never by an ID number the officer only sees masked), the
quarantine filter asks what the officer knows, and a change names the person who made it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from fangkong.health.filtersets import QuarantineFilterSet
from fangkong.health.models import Contact, Quarantine, StatusChange
from fangkong.health.tests.factories import CaseFactory, QuarantineFactory, ReportFactory, family
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import PersonFactory
from fangkong.screening.choices import Outcome
from fangkong.screening.services import do_record_call
from fangkong.screening.tests.factories import assignment_of, good_answers, started_campaign
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(grid_a1: Any) -> Any:
    return CaseFactory(
        person=PersonFactory(household=family(grid_a1, 0)), isolated_on=timezone.localdate()
    )


def _pick(client: Client, case: Any, query: str) -> Any:
    return client.get(reverse("health:contact_add", args=[case.pk]), {"q": query})


def _offered(page: Any) -> list[int]:
    form = page.context["form"]
    if "person" not in form.fields:
        return []
    return [int(value) for value, _label in form.fields["person"].widget.choices]


def test_the_health_officer_picks_a_contact_outside_the_household_by_name(
    client: Client, health_a: Any, grid_a1: Any, case: Any
) -> None:
    neighbour = PersonFactory(household=family(grid_a1, 0), name="欧阳娜娜")
    client.force_login(health_a)

    page = _pick(client, case, "欧阳娜娜")
    assert _offered(page) == [neighbour.pk]
    response = client.post(
        reverse("health:contact_add", args=[case.pk]) + "?q=欧阳娜娜",
        {
            "person": neighbour.pk,
            "kind": "close",
            "last_exposure": timezone.localdate().isoformat(),
            "how": "同乘电梯",
        },
    )

    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    assert contact.person == neighbour


def test_the_picker_finds_by_pinyin_and_by_room(
    client: Client, health_a: Any, grid_a1: Any, case: Any
) -> None:
    neighbour = PersonFactory(household=family(grid_a1, 0), name="欧阳娜娜")
    household = neighbour.household
    client.force_login(health_a)

    assert neighbour.pk in _offered(_pick(client, case, "ouyang"))
    assert neighbour.pk in _offered(_pick(client, case, "oynn"))
    room = f"{household.building.number}-{household.unit}-{household.room}"
    assert neighbour.pk in _offered(_pick(client, case, room))


def test_the_picker_shows_id_numbers_masked_and_never_whole(
    client: Client, health_a: Any, grid_a1: Any, case: Any
) -> None:
    neighbour = PersonFactory(household=family(grid_a1, 0), name="欧阳娜娜")
    client.force_login(health_a)

    html = _pick(client, case, "欧阳娜娜").content.decode()

    assert neighbour.id_number_mask in html
    full = Person.objects.get(pk=neighbour.pk)
    assert full.id_number_mask.replace("*", "") != full.id_number_mask  # it is a mask
    assert neighbour.household.label in html


def test_the_picker_offers_nobody_outside_the_users_scope_and_refuses_them_if_posted(
    client: Client, health_a: Any, grid_a1: Any, grid_b1: Any, case: Any
) -> None:
    elsewhere = PersonFactory(household=family(grid_b1, 0), name="欧阳娜娜")
    client.force_login(health_a)

    page = _pick(client, case, "欧阳娜娜")
    assert _offered(page) == []
    assert "本社区没有找到匹配的人" in page.content.decode()
    PersonFactory(household=family(grid_a1, 0), name="欧阳娜娜")  # one of A, so the field shows
    response = client.post(
        reverse("health:contact_add", args=[case.pk]) + "?q=欧阳娜娜",
        {
            "person": elsewhere.pk,
            "kind": "close",
            "last_exposure": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_a_whole_id_number_typed_in_the_picker_is_neither_searched_nor_shown(
    client: Client, health_a: Any, grid_a1: Any, case: Any
) -> None:
    neighbour = PersonFactory(household=family(grid_a1, 0))
    number = Person.objects.get(pk=neighbour.pk)
    client.force_login(health_a)
    typed = "110101199003074514"

    response = client.get(reverse("health:contact_add", args=[case.pk]), {"q": typed})

    # The middleware refuses a URL holding an ID number; either way nothing is echoed.
    assert typed not in response.content.decode()
    assert number.pk not in (_offered(response) if response.status_code == 200 else [])


def test_the_quarantine_filter_asks_a_name_or_a_building_not_internal_ids(
    client: Client, health_a: Any
) -> None:
    client.force_login(health_a)

    page = client.get(reverse("health:quarantine_list"))

    filterset = page.context["filterset"]
    assert [f.name for f in filterset.page_form] == ["q", "active", "kind", "building"]
    html = page.content.decode()
    for internal in ("人员编号", "住户编号", "楼栋 ID"):
        assert internal not in html
    active = str(filterset.page_form[1])
    assert "不详" not in active
    for choice in (">全部<", ">是<", ">否<"):
        assert choice in active
    chosen = client.get(reverse("health:quarantine_list"), {"active": "true"})
    select = str(chosen.context["filterset"].page_form[1])
    assert select.count("selected") == 1
    assert '<option value="true" selected>' in select


def test_the_quarantine_list_finds_people_by_name_and_by_building(
    health_a: Any, grid_a1: Any, community_a: Any
) -> None:
    first = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0), name="欧阳娜娜"))
    second = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0), name="王秀英"))
    quarantines = Quarantine.objects.restrict(health_a)

    by_name = QuarantineFilterSet({"q": "欧阳"}, queryset=quarantines).qs
    assert list(by_name) == [first]
    building = second.household.building
    by_building = QuarantineFilterSet({"building": building.pk}, queryset=quarantines).qs
    assert second in by_building
    still_on = QuarantineFilterSet({"active": "true"}, queryset=quarantines).qs
    assert {first, second} <= set(still_on)


def test_a_change_names_the_person_who_made_it_not_their_login(
    client: Client, health_a: Any, grid_a1: Any
) -> None:
    health_a.full_name = "刘卫健"
    health_a.save(update_fields=["full_name"])
    QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0)), by=health_a)

    change = StatusChange.objects.get()
    assert change.proposed_by_name == "刘卫健"
    client.force_login(health_a)
    html = client.get(reverse("health:change_detail", args=[change.pk])).content.decode()
    main = html[html.index("<main") :]  # the header's log-out button names the login
    assert "刘卫健" in main
    assert "health_a" not in main


def test_a_fever_heard_on_a_call_and_a_fever_report_the_same_day_are_one_urgent_task(
    community_a: Any, grid_a1: Any, grid_worker_a1: Any, health_a: Any, officer_a: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    quarantine = QuarantineFactory(person=person, by=health_a)
    campaign = started_campaign(community_a, unit="person")
    with translation.override("zh-hans"):
        do_record_call(
            assignment_of(campaign, person.household),
            by=grid_worker_a1,
            outcome=Outcome.ANSWERED,
            people_answers={person.pk: good_answers(temperature="38.3")},
        )
    fever = Task.objects.get(kind="health.fever")
    assert (fever.priority, fever.assignee, fever.link) == ("urgent", grid_worker_a1, person)

    report = ReportFactory(person=quarantine.person, temperature="38.5", by=grid_worker_a1)

    assert report.task_id == fever.pk  # the same task, not a second one
    assert Task.objects.filter(kind="health.fever").count() == 1
