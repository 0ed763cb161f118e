"""The health pages: the officer's today page, starting a quarantine (also from a screening
alert, prefilled), extending one with its reason, reports, approvals, contacts handed over,
the chains and the picture. Refusals are shown with the reason, never as a 500."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.access.models import Pass
from fangkong.access.tests.factories import issue_pass
from fangkong.health.choices import ChangeStatus, Classification
from fangkong.health.models import Contact, HealthReport, Quarantine, StatusChange
from fangkong.health.tests.factories import (
    NOTICE,
    CaseFactory,
    ContactFactory,
    QuarantineFactory,
    family,
    household_quarantine,
    members,
    open_alert,
    pending_start,
    reports_so_far_today,
)
from fangkong.registry.tests.factories import PersonFactory, next_id_number
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def quarantined_home(grid_a1: Any, health_a: Any) -> Any:
    """A household of three under home quarantine since yesterday, with a pass: one has
    reported so far today, one with a fever, one not at all."""
    household = family(grid_a1, 3)
    issue_pass(household)
    start = timezone.localdate() - dt.timedelta(days=1)
    household_quarantine(household, start_date=start)
    normal, feverish, silent = members(household)
    reports_so_far_today(normal)
    reports_so_far_today(feverish, temperature="38.4")
    return household, normal, feverish, silent


def test_the_officer_sees_todays_households_missing_reports_and_fevers(
    client: Client, officer_a: Any, quarantined_home: Any
) -> None:
    household, normal, feverish, silent = quarantined_home
    client.force_login(officer_a)
    response = _english(client).get(reverse("health:today"))
    assert response.status_code == 200
    rows = response.context["households"]
    assert [r["household"] for r in rows] == [household]
    assert rows[0]["pass"].status == "suspended"
    assert silent in {m.person for m in response.context["missing"]}
    assert normal not in {m.person for m in response.context["missing"]}
    assert [r.person for r in response.context["fevers"]] == [feverish]
    page = response.content.decode()
    assert "Pass suspended" in page
    # The community officer sees, but is not offered to change a status
    assert reverse("health:quarantine_end_date", args=[rows[0]["quarantine"].pk]) not in page


def test_the_health_officer_extends_a_quarantine_with_a_reason_and_the_pass_follows(
    client: Client, health_a: Any, quarantined_home: Any
) -> None:
    household, *_ = quarantined_home
    quarantine = Quarantine.objects.filter(household=household).first()
    later = quarantine.planned_end + dt.timedelta(days=7)
    client.force_login(health_a)
    url = reverse("health:quarantine_end_date", args=[quarantine.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "new_end": later.isoformat(),
            "reason": "new_exposure",
            **NOTICE,
            "version": quarantine.version,
        },
    )
    assert response.status_code == 302
    assert set(
        Quarantine.objects.filter(household=household).values_list("planned_end", flat=True)
    ) == {later}
    item = Pass.objects.get(household=household)
    assert timezone.localtime(item.suspended_until).date() == later + dt.timedelta(days=1)


def test_an_extension_without_evidence_is_refused_on_the_page(
    client: Client, health_a: Any, quarantined_home: Any
) -> None:
    household, *_ = quarantined_home
    quarantine = Quarantine.objects.filter(household=household).first()
    client.force_login(health_a)
    response = _english(client).post(
        reverse("health:quarantine_end_date", args=[quarantine.pk]),
        {
            "new_end": (quarantine.start_date - dt.timedelta(days=1)).isoformat(),
            "reason": "new_exposure",
            "evidence_kind": "official_notice",
            "evidence_ref": "",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["evidence_ref"]
    response = _english(client).post(
        reverse("health:quarantine_end_date", args=[quarantine.pk]),
        {
            "new_end": (quarantine.start_date - dt.timedelta(days=1)).isoformat(),
            "reason": "official_notice",
            **NOTICE,
        },
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()


def test_a_non_health_role_gets_the_reason_not_a_form(
    client: Client, officer_a: Any, grid_a1: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    client.force_login(officer_a)
    response = _english(client).post(
        reverse("health:quarantine_start", args=[person.pk]),
        {"kind": "home", "reason": "official_notice", **NOTICE},
    )
    assert response.status_code == 403
    assert "Only the health officer" in response.content.decode()
    assert not Quarantine.objects.exists()


def test_a_screening_alert_offers_a_prefilled_quarantine_and_is_marked_acted(
    client: Client, health_a: Any, grid_a1: Any
) -> None:
    from fangkong.screening.choices import AlertStatus

    household = family(grid_a1, 2)
    alert = open_alert(household)
    client.force_login(health_a)
    today = client.get(reverse("health:today"))
    assert alert in today.context["alerts"]
    url = reverse("health:alert_quarantine_start", args=[alert.pk])
    form = client.get(url).context["form"]
    assert form.initial["reason"] == "close_contact"
    assert form.initial["evidence_kind"] == "screening_alert"
    assert str(alert.pk) in form.initial["evidence_ref"]
    data = {**form.initial, "start_date": timezone.localdate().isoformat()}
    response = client.post(url, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302, response.context["form"].errors
    assert Quarantine.objects.filter(household=household, alert_id=alert.pk).count() == 2
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACTED
    assert alert.resolved_by == health_a


def test_the_grid_worker_enters_a_fever_and_an_urgent_task_follows(
    client: Client, grid_worker_a1: Any, quarantined_home: Any
) -> None:
    _household, _normal, _feverish, silent = quarantined_home
    client.force_login(grid_worker_a1)
    url = reverse("health:report_add", args=[silent.pk])
    response = client.post(
        url, {"temperature": "37.6", "symptoms": ["cough"], "next": reverse("health:today")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("health:today")
    report = HealthReport.objects.get(person=silent)
    assert Task.objects.get(pk=report.task_id).priority == "urgent"
    bad = client.post(url, {"temperature": "45"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["temperature"]


def test_approving_on_the_page_refuses_ones_own_and_applies_for_another_role(
    client: Client, health_a: Any, officer_a: Any, grid_a1: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    change = pending_start(person, by=health_a)
    client.force_login(health_a)
    detail = client.get(reverse("health:change_detail", args=[change.pk]))
    assert detail.context["own"]
    assert not detail.context["can_decide"]
    client.post(reverse("health:change_approve", args=[change.pk]))
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    client.force_login(officer_a)
    response = client.post(reverse("health:change_bulk_approve"), {"change": [change.pk]})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert Quarantine.objects.filter(person=person).exists()


def test_a_contact_of_another_community_is_handed_over_from_the_case_page(
    client: Client, health_a: Any, grid_a1: Any, grid_b1: Any, community_b: Any, officer_b: Any
) -> None:
    case = CaseFactory(
        person=PersonFactory(household=family(grid_a1, 0)), isolated_on=timezone.localdate()
    )
    number = next_id_number()
    there = PersonFactory(household=family(grid_b1, 0), id_number=number)
    client.force_login(health_a)
    url = reverse("health:contact_add", args=[case.pk])
    page = client.get(url)
    assert community_b in page.context["form"].fields["other_community"].queryset
    response = client.post(
        url,
        {
            "kind": "close",
            "last_exposure": timezone.localdate().isoformat(),
            "how": "同车",
            "other_community": community_b.pk,
            "name": there.name,
            "id_number": number,
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    assert contact.person == there
    assert contact.handed_over_to == community_b
    task = Task.objects.get(pk=contact.handover_task_id)
    assert task.assignee == officer_b
    # The case page lists them; A's officer is not given B's person's page
    detail = client.get(reverse("health:contact_detail", args=[contact.pk]))
    assert detail.context["sees_person"] is False
    assert reverse("health:person", args=[there.pk]) not in detail.content.decode()


def test_the_chain_shows_a_contact_who_became_a_case_under_the_first(
    client: Client, officer_a: Any, grid_a1: Any
) -> None:
    first = CaseFactory(person=PersonFactory(household=family(grid_a1, 0)))
    contact = ContactFactory(case=first, kind="close")
    second = CaseFactory(person=contact.person)
    ContactFactory(case=second)
    client.force_login(officer_a)
    trees = client.get(reverse("health:chains")).context["trees"]
    assert len(trees) == 1
    assert trees[0]["case"] == first
    assert trees[0]["size"] == 2
    assert trees[0]["contacts"][0]["child"]["case"] == second


def test_the_picture_is_drawn_on_the_server_without_inline_styles_or_scripts(
    client: Client, officer_a: Any, grid_a1: Any, quarantined_home: Any
) -> None:
    CaseFactory(
        person=PersonFactory(household=family(grid_a1, 0)),
        onset_date=timezone.localdate() - dt.timedelta(days=4),
    )
    CaseFactory(
        person=PersonFactory(household=family(grid_a1, 0)),
        classification=Classification.SUSPECTED,
        reason="symptoms",
    )
    client.force_login(officer_a)
    response = client.get(reverse("health:picture"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="bar-confirmed"') == 1
    assert html.count('class="bar-suspected"') == 1
    assert 'class="bar-home"' in html
    assert "style=" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert response.context["marked"] >= 1


def test_the_person_page_shows_what_the_person_would_see(
    client: Client, health_a: Any, grid_a1: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    QuarantineFactory(person=person, reason="official_notice", **NOTICE)
    client.force_login(health_a)
    response = _english(client).get(reverse("health:person", args=[person.pk]))
    assert response.context["status"]["status"] == "home"
    assert NOTICE["evidence_ref"] in response.content.decode()


def test_the_four_eyes_message_on_the_page_names_the_rule(
    client: Client, health_a: Any, grid_a1: Any
) -> None:
    household = family(grid_a1, 11)
    client.force_login(health_a)
    response = _english(client).post(
        reverse("health:household_quarantine_start", args=[household.pk]),
        {
            "kind": "home",
            "start_date": timezone.localdate().isoformat(),
            "reason": "household_contact",
            **NOTICE,
        },
        follow=True,
    )
    assert "waits for approval" in response.content.decode()
    assert StatusChange.objects.filter(status=ChangeStatus.PENDING).count() == 11
