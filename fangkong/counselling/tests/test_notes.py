"""Counselling notes: read by the counsellor and the community officer only, every read
logged (page and API); others with the view right see that a case exists, not its notes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from fangkong.accounts.choices import Role
from fangkong.accounts.tests.factories import UserFactory
from fangkong.core.choices import AccessKind
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import AccessEvent, ObjectChange
from fangkong.counselling.models import CounsellingCase, CounsellingSession
from fangkong.counselling.services import read_notes
from fangkong.counselling.tests.factories import CaseFactory, SessionFactory
from fangkong.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOTES = "独居老人，夜里睡不着，担心被感染。"


@pytest.fixture
def other_health(community_a: Any) -> Any:
    """A second health officer of the community: sees cases, counsels none of this one."""
    return UserFactory(role=Role.HEALTH_OFFICER, area=community_a)


@pytest.fixture
def case(grid_a1: Any, health_a: Any) -> CounsellingCase:
    person = PersonFactory(household__building__grid=grid_a1)
    opened = CaseFactory(person=person, counsellor=health_a)
    SessionFactory(case=opened, notes=NOTES, by=health_a)
    return opened


def _reads(case: CounsellingCase) -> Any:
    return AccessEvent.objects.filter(
        kind=AccessKind.REVEAL,
        content_type=ContentType.objects.get_for_model(CounsellingCase),
        object_id=str(case.pk),
    )


def test_the_counsellor_reads_the_notes_and_the_read_is_logged(
    case: CounsellingCase, health_a: Any
) -> None:
    sessions = read_notes(case, by=health_a)

    assert [s.notes for s in sessions] == [NOTES]
    event = _reads(case).get()
    assert event.actor == health_a
    assert event.person_id == case.person_id
    assert event.detail == {"what": "counselling_notes", "sessions": 1, "via": "page"}
    assert NOTES not in str(event.detail) + event.reason


def test_the_community_officer_reads_any_cases_notes(case: CounsellingCase, officer_a: Any) -> None:
    assert [s.notes for s in read_notes(case, by=officer_a)] == [NOTES]
    assert _reads(case).filter(actor=officer_a).count() == 1


def test_another_health_officer_is_refused_the_notes_with_the_reason(
    case: CounsellingCase, other_health: Any
) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        read_notes(case, by=other_health)
    assert "疏导员" in str(refused.value.message)
    assert not _reads(case).exists()


def test_the_notes_never_enter_the_change_log(case: CounsellingCase) -> None:
    rows = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(CounsellingSession)
    )
    assert rows.exists()
    assert all(NOTES not in str(row.after) for row in rows)


def test_another_health_officer_sees_the_case_page_but_not_its_notes(
    client: Any, case: CounsellingCase, other_health: Any
) -> None:
    client.force_login(other_health)
    client.cookies["django_language"] = "zh-hans"

    page = client.get(reverse("counselling:case_detail", args=[case.pk]))
    notes = client.get(reverse("counselling:case_notes", args=[case.pk]))

    assert page.status_code == 200
    assert NOTES not in page.content.decode()
    assert reverse("counselling:case_notes", args=[case.pk]) not in page.content.decode()
    assert notes.status_code == 403
    assert NOTES not in notes.content.decode()
    assert "只有本个案的疏导员" in notes.content.decode()
    assert not _reads(case).exists()


def test_the_counsellors_notes_page_shows_them_and_logs_each_visit(
    client: Any, case: CounsellingCase, health_a: Any
) -> None:
    client.force_login(health_a)
    url = reverse("counselling:case_notes", args=[case.pk])

    first, second = client.get(url), client.get(url)

    assert first.status_code == second.status_code == 200
    assert NOTES in first.content.decode()
    assert _reads(case).count() == 2


def test_the_api_gives_the_notes_to_the_counsellor_only_and_logs_the_read(
    client: Any, case: CounsellingCase, health_a: Any, other_health: Any
) -> None:
    url = reverse("api:counselling-case-notes", args=[case.pk])
    detail = reverse("api:counselling-case-detail", args=[case.pk])

    client.force_login(other_health)
    refused = client.get(url)
    seen = client.get(detail)
    client.force_login(health_a)
    given = client.get(url)

    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert seen.status_code == 200
    assert NOTES not in seen.content.decode()
    assert len(seen.json()["sessions"]) == 1
    assert given.status_code == 200
    assert given.json()[0]["notes"] == NOTES
    event = _reads(case).get()
    assert event.actor == health_a
    assert event.detail["via"] == "api"


def test_a_grid_worker_finds_no_counselling_case(
    client: Any, case: CounsellingCase, grid_worker_a1: Any
) -> None:
    client.force_login(grid_worker_a1)
    assert client.get(reverse("counselling:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("api:counselling-case-notes", args=[case.pk])).status_code == 404
