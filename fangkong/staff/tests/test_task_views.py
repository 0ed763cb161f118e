"""Task pages as workers and officers use them: my tasks, the list and its export, a task's
buttons, creating a task. Requests run in Chinese (the default); expected messages are
looked up in the catalogue rather than written out here."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent
from fangkong.staff.choices import TaskStatus
from fangkong.staff.models import Task
from fangkong.staff.tests.factories import StaffMemberFactory, TaskFactory, TeamFactory

pytestmark = pytest.mark.django_db


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def test_my_tasks_are_sorted_by_due_time_and_overdue_ones_stand_out(
    client: Any, community_a: Any, grid_worker_a1: Any
) -> None:
    now = timezone.now()
    later = TaskFactory(
        community=community_a,
        assignee=grid_worker_a1,
        title="后天的",
        due=now + dt.timedelta(days=2),
    )
    late = TaskFactory(
        community=community_a,
        assignee=grid_worker_a1,
        title="昨天的",
        due=now - dt.timedelta(days=1),
    )
    soon = TaskFactory(
        community=community_a,
        assignee=grid_worker_a1,
        title="一小时后",
        due=now + dt.timedelta(hours=1),
    )
    someone_elses = TaskFactory(community=community_a, title="别人的")
    client.force_login(grid_worker_a1)

    response = client.get(reverse("staff:my_tasks"))

    assert response.status_code == 200
    assert [t.pk for t in response.context["tasks"]] == [late.pk, soon.pk, later.pk]
    assert response.context["overdue"] == 1
    body = response.content.decode()
    assert someone_elses.title not in body
    assert body.count("task-card overdue") == 1


def test_my_tasks_include_my_teams_tasks(client: Any, community_a: Any, volunteer_a: Any) -> None:
    team = TeamFactory(
        community=community_a, members=[StaffMemberFactory(community=community_a, user=volunteer_a)]
    )
    task = TaskFactory(community=community_a, team=team, title="小组任务")
    client.force_login(volunteer_a)

    response = client.get(reverse("staff:my_tasks"))

    assert [t.pk for t in response.context["tasks"]] == [task.pk]


def test_the_my_tasks_page_costs_the_same_queries_for_three_tasks_or_thirty(
    client: Any,
    community_a: Any,
    grid_a1: Any,
    grid_worker_a1: Any,
    django_assert_num_queries: Any,
) -> None:
    team = TeamFactory(
        community=community_a,
        members=[StaffMemberFactory(community=community_a, user=grid_worker_a1)],
    )
    for n in range(3):
        TaskFactory(
            community=community_a,
            area=grid_a1,
            assignee=grid_worker_a1,
            team=team,
            title=f"任务{n}",
        )
    client.force_login(grid_worker_a1)
    client.get(reverse("staff:my_tasks"))  # warm the content-type and translation caches

    # session, user, the user's grid and its community (for the time zone), the tasks (one
    # query: teams are a subquery, area and team joined)
    with django_assert_num_queries(5):
        client.get(reverse("staff:my_tasks"))
    for n in range(27):
        TaskFactory(community=community_a, area=grid_a1, assignee=grid_worker_a1, title=f"更多{n}")
    with django_assert_num_queries(5):
        response = client.get(reverse("staff:my_tasks"))
    assert len(response.context["tasks"]) == 30


def test_a_worker_completes_a_task_from_its_page_with_a_note(
    client: Any, community_a: Any, grid_worker_a1: Any
) -> None:
    task = TaskFactory(community=community_a, assignee=grid_worker_a1)
    client.force_login(grid_worker_a1)

    page = client.get(reverse("staff:task_detail", args=[task.pk]))
    assert reverse("staff:task_complete", args=[task.pk]) in page.content.decode()
    response = client.post(reverse("staff:task_complete", args=[task.pk]), {"note": "已上门"})

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:my_tasks")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.outcome == "已上门"


def test_completing_a_closed_task_comes_back_with_the_reason_in_chinese(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    task = TaskFactory(community=community_a, assignee=officer_a)
    client.force_login(officer_a)
    client.post(reverse("staff:task_cancel", args=[task.pk]), {"reason": "重复"})

    response = client.post(reverse("staff:task_complete", args=[task.pk]), follow=True)

    assert zh("This task is already closed.") in response.content.decode()


def test_an_officer_creates_a_task_for_a_grid_worker_and_not_for_another_community(
    client: Any, community_a: Any, grid_worker_a1: Any, officer_a: Any, officer_b: Any
) -> None:
    client.force_login(officer_a)
    url = reverse("staff:task_add", args=[community_a.pk])
    data = {"title": "上门", "kind": "staff.general", "priority": "normal"}

    refused = client.post(url, {**data, "assignee": officer_b.pk})
    response = client.post(url, {**data, "assignee": grid_worker_a1.pk})

    assert refused.status_code == 200
    assert refused.context["form"].errors["assignee"]
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.assignee == grid_worker_a1
    assert task.created_by == officer_a


def test_a_grid_worker_cannot_open_the_new_task_page(
    client: Any, community_a: Any, grid_worker_a1: Any
) -> None:
    client.force_login(grid_worker_a1)

    assert client.get(reverse("staff:task_add", args=[community_a.pk])).status_code == 403


def test_the_task_export_is_a_spreadsheet_without_formulas_and_an_access_event(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    TaskFactory(community=community_a, title='=HYPERLINK("http://x")', assignee=officer_a)
    TaskFactory(community=community_a, title="普通任务")
    client.force_login(officer_a)

    response = client.get(reverse("staff:task_export"))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in titles
    assert "普通任务" in titles
    event = AccessEvent.objects.get(kind=AccessKind.EXPORT)
    assert event.actor == officer_a
    assert event.detail["rows"] == 2


def test_a_team_leader_sees_the_board_of_their_team(
    client: Any, community_a: Any, grid_worker_a1: Any
) -> None:
    leader = StaffMemberFactory(community=community_a, user=grid_worker_a1)
    team = TeamFactory(community=community_a, leader=leader)
    open_task = TaskFactory(community=community_a, team=team, title="待办")
    client.force_login(grid_worker_a1)

    response = client.get(reverse("staff:team_board", args=[team.pk]))

    assert response.status_code == 200
    [(_, first), _, _] = response.context["columns"]
    assert first == [open_task]
