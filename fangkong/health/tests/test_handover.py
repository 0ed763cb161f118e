"""Handing over a close contact who lives in another community, without an oracle.

The case's community types a name and an ID number or phone. The other community's registry
is searched (and the person recorded there when nobody matches), but the case's community
sees only what it typed and "handed over to <community>": the same page, fields, status,
wording and export whether or not a match exists. The receiving community's officer gets a
task pointing at the matched (or new) person.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent, ObjectChange
from fangkong.core.personal_data import mask_id_number, mask_phone
from fangkong.health import services
from fangkong.health.choices import ContactKind
from fangkong.health.models import Case, Contact
from fangkong.health.tests.factories import CaseFactory, family
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import PersonFactory, next_id_number, valid_mobile
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db

TYPED = "某某"  # what the case's community types: never the other community's record
REAL = "长白真名"  # the name B's registry holds for the matching person


@pytest.fixture
def cases(grid_a1: Any) -> list[Case]:
    """Two cases of community A alike in everything that a page shows."""
    today = timezone.localdate()
    return [
        CaseFactory(
            person=PersonFactory(household=family(grid_a1, 0), name="病例甲"),
            isolated_on=today,
            report_date=today - dt.timedelta(days=1),
        )
        for _ in range(2)
    ]


@pytest.fixture
def known(grid_b1: Any) -> tuple[Person, str, str]:
    """A person registered in community B, with their ID number and phone."""
    number, phone = next_id_number(), valid_mobile()
    person = PersonFactory(household=family(grid_b1, 0), id_number=number, phone=phone, name=REAL)
    return person, number, phone


def _form(community_b: Any, number: str = "", phone: str = "", name: str = TYPED) -> dict[str, Any]:
    return {
        "kind": "close",
        "last_exposure": timezone.localdate().isoformat(),
        "how": "同乘一辆出租车",
        "other_community": community_b.pk,
        "name": name,
        "id_number": number,
        "phone": phone,
    }


def _same(text: str) -> str:
    """A page or body with what legitimately differs between two hand-overs blanked: ids,
    case numbers and the typed numbers' masks (digits), and the CSRF token."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r"csrftoken=[^;]*", "", text)
    text = re.sub(r"(?<=[0-9*])X", "0", text)  # an ID number's check digit may be X
    return re.sub(r"\d", "0", text)


def _contacts_section(page: str) -> str:
    start = page.index('<ul class="hl-rows">')
    return page[start : page.index("</ul>", start)]


# --- The page -------------------------------------------------------------------------------


def test_the_case_page_shows_what_was_typed_not_the_other_communitys_record(
    client: Client,
    health_a: Any,
    cases: list[Case],
    community_b: Any,
    known: tuple[Person, str, str],
) -> None:
    there, number, _ = known
    client.force_login(health_a)

    response = client.post(
        reverse("health:contact_add", args=[cases[0].pk]), _form(community_b, number=number)
    )

    assert response.status_code == 302
    contact = Contact.objects.get(case=cases[0])
    assert contact.person == there  # B's record is linked, for B's officer
    for url in (
        cases[0].get_absolute_url(),
        contact.get_absolute_url(),
        reverse("health:contact_list"),
        reverse("health:chains"),
    ):
        page = client.get(url).content.decode()
        assert REAL not in page, url
        assert TYPED in page, url
        assert community_b.name in page, url
    detail = client.get(contact.get_absolute_url()).content.decode()
    assert mask_id_number(number) in detail  # what A typed, masked
    assert reverse("health:person", args=[there.pk]) not in detail


def test_a_match_and_no_match_give_the_same_answer_on_the_pages(
    client: Client,
    health_a: Any,
    cases: list[Case],
    community_b: Any,
    known: tuple[Person, str, str],
) -> None:
    _, number, _ = known
    unknown = next_id_number()
    client.force_login(health_a)

    # When A hands over one contact B knows and one B has never recorded
    answers = [
        client.post(
            reverse("health:contact_add", args=[case.pk]),
            _form(community_b, number=typed),
            follow=True,
        )
        for case, typed in zip(cases, (number, unknown), strict=True)
    ]

    # Then status, redirect chain, message and the case pages are the same
    assert [a.redirect_chain[0][1] for a in answers] == [302, 302]
    assert [_same(a.redirect_chain[0][0]) for a in answers] == [
        _same(cases[0].get_absolute_url())
    ] * 2
    messages = [[str(m) for m in a.context["messages"]] for a in answers]
    assert messages[0] == messages[1]
    assert _same(_contacts_section(answers[0].content.decode())) == _same(
        _contacts_section(answers[1].content.decode())
    )
    details = [
        client.get(c.get_absolute_url()).content.decode() for c in Contact.objects.order_by("pk")
    ]
    assert _same(details[0]) == _same(details[1])


def test_a_refused_hand_over_reads_the_same_with_or_without_a_match(
    client: Client,
    health_a: Any,
    cases: list[Case],
    community_b: Any,
    known: tuple[Person, str, str],
) -> None:
    _, number, _ = known
    client.force_login(health_a)
    url = reverse("health:contact_add", args=[cases[0].pk])

    # The same hand-over typed twice is refused the same way, match or not
    refusals = []
    for typed in (number, next_id_number()):
        assert client.post(url, _form(community_b, number=typed)).status_code == 302
        again = client.post(url, _form(community_b, number=typed))
        refusals.append((again.status_code, again.context["form"].errors))
    assert refusals[0] == refusals[1]


def test_two_typed_identities_of_one_person_are_two_hand_overs_not_an_error(
    health_a: Any, cases: list[Case], community_b: Any, known: tuple[Person, str, str]
) -> None:
    # Refusing the second as "already a contact" would tell A that the phone and name it
    # typed belong to the person of the ID number it typed first.
    there, number, phone = known
    case = cases[0]
    common = {
        "case": case,
        "kind": ContactKind.CLOSE,
        "by": health_a,
        "last_exposure": case.isolated_on,
        "other_community": community_b,
    }

    first = services.do_add_contact(name=TYPED, id_number=number, **common)
    second = services.do_add_contact(name=REAL, phone=phone, **common)

    assert first.person == second.person == there
    assert Contact.objects.filter(case=case).count() == 2


# --- The API --------------------------------------------------------------------------------


def _api_add(client: Client, case: Case, community_b: Any, **typed: str) -> Any:
    body = {
        "case": case.pk,
        "kind": "close",
        "last_exposure": case.isolated_on.isoformat(),
        "how": "同车",
        "other_community": community_b.pk,
        "name": TYPED,
        **typed,
    }
    return client.post(
        reverse("api:health-contact-list"), json.dumps(body), content_type="application/json"
    )


def test_the_api_hands_over_a_contact(
    client: Client,
    health_a: Any,
    cases: list[Case],
    community_b: Any,
    known: tuple[Person, str, str],
    officer_b: Any,
) -> None:
    there, number, _ = known
    client.force_login(health_a)

    response = _api_add(client, cases[0], community_b, id_number=number)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["handed_over_to"] == community_b.pk
    assert body["person"] is None  # B's record, fresh or old, is not A's to number
    assert body["name"] == TYPED
    assert body["id_number_mask"] == mask_id_number(number)
    assert REAL not in response.content.decode()
    assert number not in response.content.decode()
    task = Task.objects.get(community=community_b)
    assert task.link == there


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"other_community": None, "person": None}, "person"),
        ({"name": ""}, "name"),
        ({"id_number": "", "phone": ""}, "id_number"),
        ({"id_number": "110101199003071235"}, "id_number"),
    ],
)
def test_a_bad_hand_over_through_the_api_is_a_400_on_the_right_field(
    client: Client,
    health_a: Any,
    cases: list[Case],
    community_b: Any,
    body: dict[str, Any],
    field: str,
) -> None:
    client.force_login(health_a)
    data = {
        "case": cases[0].pk,
        "kind": "close",
        "last_exposure": cases[0].isolated_on.isoformat(),
        "other_community": community_b.pk,
        "name": TYPED,
        "id_number": next_id_number(),
    }
    data.update(body)
    data = {k: v for k, v in data.items() if v is not None}

    response = client.post(
        reverse("api:health-contact-list"), json.dumps(data), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def test_a_match_and_no_match_give_the_same_api_answer(
    client: Client,
    health_a: Any,
    cases: list[Case],
    community_b: Any,
    known: tuple[Person, str, str],
) -> None:
    _, number, _ = known
    client.force_login(health_a)

    answers = [
        _api_add(client, case, community_b, id_number=typed)
        for case, typed in zip(cases, (number, next_id_number()), strict=True)
    ]

    assert [a.status_code for a in answers] == [201, 201]
    bodies = [a.json() for a in answers]
    assert bodies[0].keys() == bodies[1].keys()
    assert _same(json.dumps(bodies[0], sort_keys=True)) == _same(
        json.dumps(bodies[1], sort_keys=True)
    )
    listed = client.get(reverse("api:health-contact-list")).json()["results"]
    assert _same(json.dumps(listed[0], sort_keys=True)) == _same(
        json.dumps(listed[1], sort_keys=True)
    )


def test_the_schema_says_what_a_local_contact_and_a_hand_over_require(
    client: Client, officer_a: Any
) -> None:
    client.force_login(officer_a)
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/health/contacts/"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]
    body = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    shapes = [schema["components"]["schemas"][s["$ref"].rsplit("/", 1)[1]] for s in body["oneOf"]]
    required = sorted(
        sorted(set(s["required"]) - {"case", "kind", "last_exposure"}) for s in shapes
    )
    assert required == [["name", "other_community"], ["person"]]


# --- The export -----------------------------------------------------------------------------


def test_the_contacts_export_carries_only_what_the_case_community_typed(
    client: Client,
    health_a: Any,
    cases: list[Case],
    community_b: Any,
    known: tuple[Person, str, str],
) -> None:
    _, number, phone = known
    unknown = next_id_number()
    client.force_login(health_a)
    for case, typed in zip(cases, (number, unknown), strict=True):
        client.post(reverse("health:contact_add", args=[case.pk]), _form(community_b, number=typed))

    response = client.post(reverse("health:export", args=["contacts"]), {"format": "csv-utf8"})

    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_mask = {row[header.index("身份证号")]: row for row in rows}
    matched, unmatched = by_mask[mask_id_number(number)], by_mask[mask_id_number(unknown)]
    text = response.content.decode("utf-8-sig")
    assert REAL not in text
    assert number not in text
    assert phone not in text
    assert matched[header.index("姓名")] == TYPED
    assert matched[header.index("身份证号")] == mask_id_number(number)
    for column in ("年龄", "楼栋", "单元", "房号"):
        assert matched[header.index(column)] == "", column
    assert matched[header.index("转交社区")] == community_b.name
    assert _same(",".join(matched[1:])) == _same(",".join(unmatched[1:]))


# --- The receiving side ---------------------------------------------------------------------


def test_the_receiving_officer_sees_the_hand_over_with_the_matched_person(
    client: Client,
    health_a: Any,
    cases: list[Case],
    community_b: Any,
    known: tuple[Person, str, str],
    officer_b: Any,
) -> None:
    there, number, _ = known
    contact = services.do_add_contact(
        case=cases[0],
        kind=ContactKind.CLOSE,
        last_exposure=cases[0].isolated_on,
        by=health_a,
        other_community=community_b,
        name=TYPED,
        id_number=number,
    )
    client.force_login(officer_b)

    task = Task.objects.get(pk=contact.handover_task_id)
    page = client.get(task.get_absolute_url()).content.decode()

    assert task.assignee == officer_b
    assert task.link == there
    assert there.get_absolute_url() in page  # B's own record of the person, one click away
    assert TYPED in task.description  # what A typed, to check the match
    assert cases[0].person.name not in page


def test_the_receiving_officer_finds_an_unmatched_contact_recorded_for_them(
    client: Client, health_a: Any, cases: list[Case], community_b: Any, officer_b: Any
) -> None:
    number, phone = next_id_number(), valid_mobile()
    contact = services.do_add_contact(
        case=cases[0],
        kind=ContactKind.CLOSE,
        last_exposure=cases[0].isolated_on,
        by=health_a,
        other_community=community_b,
        name=TYPED,
        id_number=number,
        phone=phone,
    )
    client.force_login(officer_b)

    task = Task.objects.get(pk=contact.handover_task_id)
    person = task.link
    page = client.get(person.get_absolute_url()).content.decode()

    assert person.community == community_b
    assert person.name == TYPED
    assert person.id_number_mask == mask_id_number(number)
    assert person.phone_mask == mask_phone(phone)
    assert "handed over" in person.notes
    assert TYPED in page


# --- The audit log --------------------------------------------------------------------------


def test_the_case_communitys_audit_log_does_not_number_the_other_communitys_record(
    client: Client,
    health_a: Any,
    officer_a: Any,
    cases: list[Case],
    community_b: Any,
    known: tuple[Person, str, str],
) -> None:
    there, number, _ = known
    contact = services.do_add_contact(
        case=cases[0],
        kind=ContactKind.CLOSE,
        last_exposure=cases[0].isolated_on,
        by=health_a,
        other_community=community_b,
        name=TYPED,
        id_number=number,
    )

    change = ObjectChange.objects.get(object_id=str(contact.pk), content_type__model="contact")
    assert change.person_id is None
    assert change.after["person"] is None
    assert change.after["handover_name"] == TYPED
    client.force_login(officer_a)
    page = client.get(reverse("core:audit_list"), {"person": there.pk})
    assert str(contact) not in page.content.decode()


# --- The search runs in the background ------------------------------------------------------


DEFERRED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_request_does_the_same_work_with_or_without_a_match(
    client: Client,
    health_a: Any,
    cases: list[Case],
    community_b: Any,
    known: tuple[Person, str, str],
    settings: Any,
) -> None:
    # Given tasks run by a worker, as in production
    settings.TASKS = DEFERRED
    _, number, _ = known
    client.force_login(health_a)

    # (once before, so that what a process caches on its first hand-over is cached)
    client.post(
        reverse("health:contact_add", args=[cases[0].pk]),
        _form(community_b, number=next_id_number(), name="预热"),
    )

    # When A hands over a contact B knows, and one B has never recorded
    statements = []
    for case, typed in zip(cases, (number, next_id_number()), strict=True):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                reverse("health:contact_add", args=[case.pk]), _form(community_b, number=typed)
            )
        assert response.status_code == 302
        # The statements with their values left out (ids, times, ciphertexts differ)
        statements.append(
            [re.sub(r"'[^']*'|\b\d+\b|_x\d+", "?", q["sql"]) for q in captured.captured_queries]
        )

    # Then the two requests ran the same statements: B's registry is not even searched yet
    assert statements[0] == statements[1]
    assert not any('"id_number_index" = ?' in sql for sql in statements[0])
    waiting = list(Contact.objects.order_by("pk"))
    assert [c.person_id for c in waiting] == [None, None, None]
    assert all(c.handover_id_cipher and number not in c.handover_id_cipher for c in waiting)
    assert DBTaskResult.objects.count() == 3


def test_the_background_task_links_the_person_and_forgets_the_numbers(
    health_a: Any,
    cases: list[Case],
    community_b: Any,
    known: tuple[Person, str, str],
    settings: Any,
) -> None:
    settings.TASKS = DEFERRED
    there, number, _ = known
    contact = services.do_add_contact(
        case=cases[0],
        kind=ContactKind.CLOSE,
        last_exposure=cases[0].isolated_on,
        by=health_a,
        other_community=community_b,
        name=TYPED,
        id_number=number,
    )
    assert contact.person_id is None
    assert not Task.objects.filter(community=community_b).exists()

    # When the worker runs the task (twice: a retry, or the periodic check, finds it done)
    services.do_link_handover(contact.pk)
    services.do_link_handover(contact.pk)

    contact.refresh_from_db()
    assert contact.person == there
    assert contact.handover_id_cipher == ""
    assert contact.handover_phone_cipher == ""
    assert Task.objects.filter(community=community_b).count() == 1
    assert Task.objects.get(pk=contact.handover_task_id).link == there
    # And the search of B's registry is in B's access log, not A's
    [search] = AccessEvent.objects.filter(kind=AccessKind.SEARCH)
    assert search.area_path == community_b.path
    assert search.person_id == there.pk
    assert search.detail == {
        "what": "health.handover",
        "from_community": cases[0].community_id,
        "found": True,
    }


def test_the_periodic_check_links_a_hand_over_no_worker_took(
    health_a: Any, cases: list[Case], community_b: Any, settings: Any
) -> None:
    settings.TASKS = DEFERRED
    contact = services.do_add_contact(
        case=cases[0],
        kind=ContactKind.CLOSE,
        last_exposure=cases[0].isolated_on,
        by=health_a,
        other_community=community_b,
        name=TYPED,
        id_number=next_id_number(),
    )

    assert services.link_waiting_handovers(timezone.now()) == 0  # within its grace
    linked = services.link_waiting_handovers(timezone.now() + dt.timedelta(minutes=3))

    contact.refresh_from_db()
    assert linked == 1
    assert contact.person.community == community_b
    assert contact.handover_task_id is not None
