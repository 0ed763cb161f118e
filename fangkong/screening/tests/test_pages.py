"""The screening pages as the officer and the grid worker use them (beyond the access walk)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fangkong.registry.models import Person
from fangkong.screening.choices import AssignmentStatus, CampaignStatus, CampaignUnit
from fangkong.screening.models import Campaign, MoveOutProposal, Questionnaire, ScreeningRecord
from fangkong.screening.services import current_specs
from fangkong.screening.tests.factories import (
    QuestionnaireFactory,
    assignment_of,
    started_campaign,
    street_of_households,
)

pytestmark = pytest.mark.django_db


def test_the_officer_creates_a_campaign_with_the_shipped_register(
    client: Any, community_a: Any, grid_a1: Any, officer_a: Any
) -> None:
    street_of_households(grid_a1, 2)
    client.force_login(officer_a)
    form = client.get(reverse("screening:campaign_add"))
    assert form.status_code == 200
    register = Questionnaire.objects.get(area=community_a, is_default=True)
    today = timezone.localdate()
    response = client.post(
        reverse("screening:campaign_add"),
        {
            "name": "第一轮电话排查",
            "questionnaire": register.pk,
            "unit": "household",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=7)).isoformat(),
            "retry_delay_minutes": 90,
            "max_attempts": 3,
            "grids": [grid_a1.pk],
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()
    assert list(campaign.grids.all()) == [grid_a1]
    assert campaign.status == CampaignStatus.DRAFT


def test_a_new_questionnaire_can_start_as_a_copy(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    source = QuestionnaireFactory(area=community_a, name="简表")
    client.force_login(officer_a)
    response = client.post(
        reverse("screening:questionnaire_add"),
        {"name": "复工人员排查表", "description": "", "start_from": str(source.pk)},
    )
    assert response.status_code == 302
    copy = Questionnaire.objects.get(name="复工人员排查表")
    assert [s.code for s in current_specs(copy)] == [s.code for s in current_specs(source)]


def test_a_per_person_campaign_asks_each_member_on_one_page(
    client: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    household = street_of_households(grid_a1, 1, people=2)[0]
    campaign = started_campaign(community_a, unit=CampaignUnit.PERSON)
    assignment = assignment_of(campaign, household)
    first, second = Person.objects.filter(household=household).order_by("pk")
    client.force_login(grid_worker_a1)
    url = reverse("screening:call_answers", args=[assignment.pk])
    page = client.get(url).content.decode()
    assert f'name="m{first.pk}-contact"' in page
    assert f'name="m{second.pk}-contact"' in page
    assert first.name not in page  # members are named by their masked names

    data = {"outcome": "answered", "version": assignment.version}
    for person, temperature in ((first, "36.4"), (second, "36.9")):
        data.update(
            {
                f"m{person.pk}-travelled": "no",
                f"m{person.pk}-contact": "no",
                f"m{person.pk}-temperature": temperature,
            }
        )
    response = client.post(url, data)
    assert response.status_code == 302
    records = ScreeningRecord.objects.filter(assignment=assignment).order_by("person_id")
    assert [(r.person, r.answers["temperature"]) for r in records] == [
        (first, "36.4"),
        (second, "36.9"),
    ]


def test_a_refused_answer_page_keeps_the_input_and_marks_the_question(
    client: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    household = street_of_households(grid_a1, 1)[0]
    campaign = started_campaign(community_a)
    assignment = assignment_of(campaign, household)
    client.force_login(grid_worker_a1)
    response = client.post(
        reverse("screening:call_answers", args=[assignment.pk]),
        {
            "outcome": "answered",
            "version": assignment.version,
            "travelled": "yes",
            "contact": "no",
            "temperature": "36.6",
            "notes": "家中有老人",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="scr-q has-error" data-name="return_date"' in body
    assert "家中有老人" in body
    assert not ScreeningRecord.objects.exists()


def test_moved_away_from_the_phone_then_confirmed_by_the_grid_worker(
    client: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    household = street_of_households(grid_a1, 1, people=2)[0]
    campaign = started_campaign(community_a)
    assignment = assignment_of(campaign, household)
    leaver = Person.objects.filter(household=household).first()
    client.force_login(grid_worker_a1)
    response = client.post(
        reverse("screening:call_moved", args=[assignment.pk]),
        {
            "people": [str(leaver.pk)],
            "date": timezone.localdate().isoformat(),
            "note": "已搬到女儿家",
            "version": assignment.version,
        },
    )
    assert response.status_code == 302
    assert assignment_of(campaign, household).status == AssignmentStatus.MOVED

    proposals = client.get(reverse("screening:proposal_list")).content.decode()
    assert "已搬到女儿家" in proposals
    proposal = MoveOutProposal.objects.get()
    client.post(reverse("screening:proposal_confirm", args=[proposal.pk]))
    leaver.refresh_from_db()
    assert leaver.status == "moved_out"


def test_the_outcome_buttons_record_and_open_the_next_household(
    client: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    first, second = street_of_households(grid_a1, 2)
    campaign = started_campaign(community_a)
    assignment = assignment_of(campaign, first)
    client.force_login(grid_worker_a1)
    response = client.post(
        reverse("screening:call_outcome", args=[assignment.pk]),
        {"outcome": "refused", "version": assignment.version},
    )
    assert response["Location"] == reverse(
        "screening:call", args=[assignment_of(campaign, second).pk]
    )
    # A stale button (the version moved on) is refused with a message, nothing recorded
    stale = client.post(
        reverse("screening:call_outcome", args=[assignment.pk]),
        {"outcome": "refused", "version": assignment.version},
    )
    assert stale["Location"] == reverse("screening:call", args=[assignment.pk])
    assert assignment_of(campaign, first).attempts == 1


def test_the_screening_link_is_in_the_menu_for_who_sees_screening(
    client: Any, officer_a: Any, checkpoint_a: Any
) -> None:
    client.force_login(officer_a)
    assert reverse("screening:home") in client.get(reverse("screening:home")).content.decode()
    client.force_login(checkpoint_a)
    assert reverse("screening:home") not in client.get(reverse("areas:tree")).content.decode()
