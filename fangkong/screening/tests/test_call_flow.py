"""The call list as the grid worker walks it: the third failure sends a household to a door
visit and says so, door visits come first with their attempts, "save, next" walks down the
list, and a fever heard on a call raises the same urgent task as a fever report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from fangkong.screening.choices import (
    AlertKind,
    AlertLevel,
    AssignmentStatus,
    CampaignUnit,
    Outcome,
    QuestionKind,
)
from fangkong.screening.models import Alert
from fangkong.screening.questionnaires import QuestionSpec
from fangkong.screening.services import do_record_call
from fangkong.screening.tests.factories import (
    QuestionnaireFactory,
    assignment_of,
    good_answers,
    short_questions,
    started_campaign,
    street_of_households,
)
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


def fever_questions() -> list[QuestionSpec]:
    """The register's two fever questions: one asked, one measured; both raise a fever."""
    return [
        QuestionSpec(
            "fever",
            "家中是否有人发热？",
            QuestionKind.YES_NO,
            required=True,
            alert_values=["yes"],
            alert_kind=AlertKind.FEVER,
            alert_level=AlertLevel.HIGH,
        ),
        QuestionSpec(
            "temperature",
            "今日体温（℃）",
            QuestionKind.TEMPERATURE,
            alert_kind=AlertKind.FEVER,
            alert_level=AlertLevel.HIGH,
        ),
        QuestionSpec(
            "cough",
            "是否咳嗽？",
            QuestionKind.YES_NO,
            alert_values=["yes"],
            alert_kind=AlertKind.SYMPTOMS,
            alert_level=AlertLevel.HIGH,
        ),
        *[q for q in short_questions() if q.code == "contact"],
    ]


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_third_failed_call_tells_the_worker_the_household_goes_to_a_door_visit(
    client: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    first, _second = street_of_households(grid_a1, 2)
    campaign = started_campaign(community_a)
    assert campaign.max_attempts == 3
    client.force_login(grid_worker_a1)
    said = []
    for _ in range(3):
        assignment = assignment_of(campaign, first)
        response = client.post(
            reverse("screening:call_outcome", args=[assignment.pk]),
            {"outcome": Outcome.NO_ANSWER, "version": assignment.version},
        )
        said.append(_messages(response)[-1])
    # The first two say only what happened; the third says where the household went.
    assert "上门" not in said[0]
    assert "上门" not in said[1]
    assert "上门走访" in said[2]
    assert "3" in said[2]
    assert assignment_of(campaign, first).status == AssignmentStatus.UNREACHABLE


def test_door_visits_are_listed_first_with_their_attempt_count(
    client: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    households = street_of_households(grid_a1, 3)
    campaign = started_campaign(community_a)
    last = assignment_of(campaign, households[2])
    for _ in range(3):
        last = do_record_call(last, by=grid_worker_a1, outcome=Outcome.NO_ANSWER).assignment
    client.force_login(grid_worker_a1)

    page = client.get(reverse("screening:call_list")).content.decode()

    door = page.index("上门走访")
    assert door < page.index(households[0].label)  # above the households still to call
    row = page[page.index(households[2].label, door) :]
    assert "3 次未成功" in row[: row.index("</li>")]


def test_save_next_opens_the_household_after_the_current_one_not_the_first(
    client: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    _first, second, third = street_of_households(grid_a1, 3)
    campaign = started_campaign(community_a)
    client.force_login(grid_worker_a1)
    current = assignment_of(campaign, second)

    response = client.post(
        reverse("screening:call_answers", args=[current.pk]),
        {"outcome": Outcome.ANSWERED, "version": current.version, **good_answers()},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "screening:call", args=[assignment_of(campaign, third).pk]
    )


def test_after_the_last_household_next_goes_back_to_the_first_still_due(
    client: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    first, _second, third = street_of_households(grid_a1, 3)
    campaign = started_campaign(community_a)
    do_record_call(
        assignment_of(campaign, _second),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(),
    )
    client.force_login(grid_worker_a1)
    current = assignment_of(campaign, third)

    response = client.post(
        reverse("screening:call_outcome", args=[current.pk]),
        {"outcome": Outcome.REFUSED, "version": current.version},
    )

    assert response["Location"] == reverse(
        "screening:call", args=[assignment_of(campaign, first).pk]
    )


def _call_in_chinese(assignment: Any, **kwargs: Any) -> Any:
    """A call made from a page: the answers' labels are stored in the page's language."""
    with translation.override("zh-hans"):
        return do_record_call(assignment, **kwargs)


def _fever_campaign(community: Any, **kwargs: Any) -> Any:
    questionnaire = QuestionnaireFactory(area=community, specs=fever_questions())
    return started_campaign(community, questionnaire=questionnaire, **kwargs)


def test_an_alert_reads_each_question_with_its_own_answer(
    community_a: Any, grid_a1: Any, grid_worker_a1: Any, officer_a: Any
) -> None:
    (household,) = street_of_households(grid_a1, 1)
    campaign = _fever_campaign(community_a)

    _call_in_chinese(
        assignment_of(campaign, household),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers={"fever": "yes", "temperature": "38.3", "contact": "no"},
    )

    alert = Alert.objects.get()
    assert alert.answer_pairs == [("家中是否有人发热？", "是"), ("今日体温（℃）", "38.3")]
    assert alert.summary == "家中是否有人发热？ 是；今日体温（℃） 38.3"
    officer_task = Task.objects.get(pk=alert.task_id)
    assert "家中是否有人发热？ 是；今日体温（℃） 38.3" in officer_task.description


def test_the_alert_page_shows_question_and_answer_side_by_side(
    client: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any, officer_a: Any
) -> None:
    (household,) = street_of_households(grid_a1, 1)
    campaign = _fever_campaign(community_a)
    _call_in_chinese(
        assignment_of(campaign, household),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers={"fever": "yes", "temperature": "38.3", "contact": "no"},
    )
    client.force_login(officer_a)

    page = client.get(reverse("screening:alert_detail", args=[Alert.objects.get().pk]))

    html = page.content.decode()
    assert "<dt>家中是否有人发热？</dt><dd>是</dd>" in html
    assert "<dt>今日体温（℃）</dt><dd>38.3</dd>" in html
    assert "家中是否有人发热？；今日体温" not in html


def test_a_fever_heard_on_a_call_raises_the_urgent_fever_task_for_the_grid_worker(
    community_a: Any, grid_a1: Any, grid_worker_a1: Any, officer_a: Any
) -> None:
    (household,) = street_of_households(grid_a1, 1, people=2)
    campaign = _fever_campaign(community_a, unit=CampaignUnit.PERSON)
    well, feverish = household.members.order_by("pk")
    calm = {"fever": "no", "contact": "no"}

    do_record_call(
        assignment_of(campaign, household),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        people_answers={well.pk: calm, feverish.pk: {**calm, "temperature": "38.3"}},
    )

    task = Task.objects.get(kind="health.fever")
    assert (task.priority, task.assignee, task.area) == ("urgent", grid_worker_a1, grid_a1)
    assert task.link == feverish
    assert task.reason == f"fever:{community_a.local_today().isoformat()}"
    assert "38.3" in task.title
    assert feverish.name not in task.title  # masked, as the health report's task
    assert task.due - timezone.now() <= dt.timedelta(hours=1)
    # The officer's alert task is still there beside it
    assert Task.objects.filter(kind="screening.alert").count() == 1


def test_symptoms_raise_an_urgent_follow_up_but_a_contact_stays_with_the_officer(
    community_a: Any, grid_a1: Any, grid_worker_a1: Any, officer_a: Any
) -> None:
    coughing, in_contact = street_of_households(grid_a1, 2)
    campaign = _fever_campaign(community_a)

    do_record_call(
        assignment_of(campaign, coughing),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers={"fever": "no", "cough": "yes", "contact": "no"},
    )
    do_record_call(
        assignment_of(campaign, in_contact),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers={"fever": "no", "contact": "yes"},
    )

    follow_up = Task.objects.get(kind="health.symptom")
    assert (follow_up.priority, follow_up.assignee) == ("urgent", grid_worker_a1)
    assert follow_up.link == coughing  # a household campaign: the household is followed up
    assert not Task.objects.filter(kind="health.fever").exists()
    assert Task.objects.filter(kind="screening.alert").count() == 2
