"""The task list filters the same way on its page and in the API (one filterset), query for
query; only the page's default differs: a filtered page naming no status shows open tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fangkong.staff import services
from fangkong.staff.choices import TaskKind
from fangkong.staff.tests.factories import TaskFactory, TeamFactory

pytestmark = pytest.mark.django_db


def on_page(client: Any, query: dict[str, Any]) -> set[int]:
    response = client.get(reverse("staff:task_list"), query)
    assert response.status_code == 200
    return {task.pk for task in response.context["object_list"]}


def in_api(client: Any, query: dict[str, Any]) -> set[int]:
    response = client.get("/api/v1/tasks/", query)
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def tasks(community_a: Any, officer_a: Any) -> dict[str, Any]:
    team = TeamFactory(community=community_a)
    now = timezone.now()
    made = {
        "late": TaskFactory(
            community=community_a, title="逾期", due=now - dt.timedelta(hours=2), priority="urgent"
        ),
        "teams": TaskFactory(community=community_a, title="小组的", team=team),
        "fever": TaskFactory(community=community_a, title="发热回访", kind=TaskKind.HEALTH_FEVER),
        "done": TaskFactory(community=community_a, title="已完成"),
    }
    services.do_complete_task(made["done"], by=officer_a)
    return {"team": team, **{name: task.pk for name, task in made.items()}}


def test_the_task_list_filters_alike_on_its_page_and_in_the_api(
    client: Any, officer_a: Any, tasks: dict[str, Any]
) -> None:
    client.force_login(officer_a)
    everyone = {tasks[name] for name in ("late", "teams", "fever", "done")}
    cases = [
        ({"status": "any"}, everyone),
        ({"status": "still_open"}, everyone - {tasks["done"]}),
        ({"status": "done"}, {tasks["done"]}),
        ({"status": "any", "priority": "urgent"}, {tasks["late"]}),
        ({"status": "any", "kind": TaskKind.HEALTH_FEVER}, {tasks["fever"]}),
        ({"status": "any", "team": tasks["team"].pk}, {tasks["teams"]}),
        ({"status": "any", "overdue": "true"}, {tasks["late"]}),
        ({"status": "any", "q": "回访"}, {tasks["fever"]}),
    ]
    for query, expected in cases:
        assert on_page(client, query) == in_api(client, query) == expected, query


def test_a_filtered_page_naming_no_status_shows_open_tasks_and_the_api_every_task(
    client: Any, officer_a: Any, tasks: dict[str, Any]
) -> None:
    client.force_login(officer_a)

    assert tasks["done"] not in on_page(client, {"priority": "normal"})
    assert tasks["done"] in in_api(client, {"priority": "normal"})
    assert tasks["done"] in in_api(client, {"status": ["open", "done"]})
