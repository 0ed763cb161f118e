"""Tasks as every module creates and works them: ``do_create_task`` and the state changes.

Personas come from the root conftest (``officer_a``, ``grid_worker_a1``…); staff rows from
``fangkong/staff/tests/factories.py``; registry rows from the registry's factories.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory
from fangkong.staff import services
from fangkong.staff.choices import TaskKind, TaskStatus
from fangkong.staff.models import Task, TaskComment
from fangkong.staff.services import tasks as task_services
from fangkong.staff.tests.factories import StaffMemberFactory, TaskFactory, TeamFactory

pytestmark = pytest.mark.django_db


def changes_of(obj: Any) -> list[ObjectChange]:
    return list(
        ObjectChange.objects.filter(
            object_id=str(obj.pk), content_type__model=obj._meta.model_name
        ).order_by("pk")
    )


@pytest.fixture
def household_a1(grid_a1: Any, community_a: Any) -> Any:
    building = BuildingFactory(grid=grid_a1, community=community_a, number="7")
    return HouseholdFactory(building=building, room="701")


def door_visit(community: Any, household: Any, by: Any, **kwargs: Any) -> Task:
    kwargs.setdefault("reason", "no answer three times")
    return services.do_create_task(
        community=community,
        kind=TaskKind.SCREENING_DOOR_VISIT,
        title="上门走访",
        by=by,
        link=household,
        **kwargs,
    )


# --- Creating -------------------------------------------------------------------------------


def test_creating_a_task_writes_its_audit_row_with_the_actor(
    officer_a: Any, community_a: Any, household_a1: Any
) -> None:
    task = door_visit(community_a, household_a1, officer_a, assignee=officer_a)

    assert task.status == TaskStatus.OPEN
    assert task.area == community_a
    assert task.link == household_a1
    assert task.created_by == officer_a
    [change] = changes_of(task)
    assert change.action == ChangeAction.CREATE
    assert change.actor == officer_a
    assert change.after["title"] == "上门走访"
    assert change.community_id == community_a.pk


def test_the_same_task_raised_twice_for_one_object_and_reason_is_one_task(
    officer_a: Any, community_a: Any, household_a1: Any
) -> None:
    first = door_visit(community_a, household_a1, officer_a)
    second = door_visit(community_a, household_a1, officer_a)

    assert second.pk == first.pk
    assert Task.objects.count() == 1
    assert len(changes_of(first)) == 1  # the second call changed nothing


def test_a_different_reason_or_kind_makes_a_new_task(
    officer_a: Any, community_a: Any, household_a1: Any
) -> None:
    first = door_visit(community_a, household_a1, officer_a)
    other_reason = door_visit(community_a, household_a1, officer_a, reason="asked for help")
    other_kind = services.do_create_task(
        community=community_a,
        kind=TaskKind.SCREENING_ALERT,
        title="再打一次",
        by=officer_a,
        link=household_a1,
        reason="no answer three times",
    )

    assert len({first.pk, other_reason.pk, other_kind.pk}) == 3


def test_once_the_task_is_done_the_same_call_makes_a_new_task(
    officer_a: Any, community_a: Any, household_a1: Any
) -> None:
    first = door_visit(community_a, household_a1, officer_a)
    services.do_complete_task(first, by=officer_a, note="已走访")

    second = door_visit(community_a, household_a1, officer_a)

    assert second.pk != first.pk
    assert second.status == TaskStatus.OPEN


def test_a_task_in_progress_is_still_the_open_twin(
    officer_a: Any, community_a: Any, household_a1: Any
) -> None:
    first = door_visit(community_a, household_a1, officer_a)
    services.do_start_task(first, by=officer_a)

    assert door_visit(community_a, household_a1, officer_a).pk == first.pk


def test_tasks_without_a_link_are_never_merged(officer_a: Any, community_a: Any) -> None:
    one = services.do_create_task(
        community=community_a, kind="staff.general", title="打扫", by=officer_a, reason="same"
    )
    two = services.do_create_task(
        community=community_a, kind="staff.general", title="打扫", by=officer_a, reason="same"
    )

    assert one.pk != two.pk


def test_when_a_twin_is_inserted_between_the_look_and_the_insert_the_twin_is_returned(
    officer_a: Any, community_a: Any, household_a1: Any
) -> None:
    # Given another worker whose identical task lands just after our look found nothing
    twin = door_visit(community_a, household_a1, officer_a)
    real_lookup = task_services._open_twin
    calls = {"n": 0}

    def first_look_misses(key: str) -> Task | None:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_lookup(key)

    # When we create it: the database's unique constraint refuses our insert
    with mock.patch.object(task_services, "_open_twin", first_look_misses):
        result = door_visit(community_a, household_a1, officer_a)

    # Then we get the twin, and no second open task exists
    assert result.pk == twin.pk
    assert Task.objects.filter(status=TaskStatus.OPEN).count() == 1


def test_a_task_assigned_outside_the_assigners_area_is_refused_with_a_clear_message(
    officer_a: Any, grid_worker_a1: Any, community_a: Any, grid_a1: Any, grid_worker_a2: Any
) -> None:
    # A grid worker of grid a1 (raising a task through screening) cannot hand it to grid a2
    with pytest.raises(ValidationError) as refused:
        services.do_create_task(
            community=community_a,
            kind="screening.door_visit",
            title="上门",
            by=grid_worker_a1,
            area=grid_a1,
            assignee=grid_worker_a2,
        )

    assert str(grid_worker_a2) in refused.value.message_dict["assignee"][0]


def test_a_task_for_someone_of_another_community_is_refused(
    officer_a: Any, officer_b: Any, community_a: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.do_create_task(
            community=community_a, kind="staff.general", title="x", by=officer_a, assignee=officer_b
        )

    assert "assignee" in refused.value.message_dict


def test_an_actor_of_another_community_gets_not_found(officer_b: Any, community_a: Any) -> None:
    with pytest.raises(Http404):
        services.do_create_task(
            community=community_a, kind="staff.general", title="x", by=officer_b
        )


def test_a_link_to_a_row_of_another_community_is_refused(
    officer_a: Any, community_a: Any, grid_b1: Any
) -> None:
    household_b = HouseholdFactory(building=BuildingFactory(grid=grid_b1))

    with pytest.raises(ValidationError) as refused:
        door_visit(community_a, household_b, officer_a)

    assert "link" in refused.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "  "), ("kind", ""), ("priority", "whenever"), ("kind", "x" * 51)],
)
def test_bad_input_is_refused_field_by_field(
    officer_a: Any, community_a: Any, field: str, value: str
) -> None:
    data = {"title": "t", "kind": "staff.general", "priority": "normal", field: value}

    with pytest.raises(ValidationError) as refused:
        services.do_create_task(community=community_a, by=officer_a, **data)

    assert field in refused.value.message_dict


def test_a_task_of_another_modules_link_needs_no_add_right_but_the_area(
    grid_worker_a1: Any, community_a: Any, grid_a1: Any, household_a1: Any
) -> None:
    # A grid worker has no "add" right on tasks, yet their screening call raises one
    task = door_visit(
        community_a, household_a1, grid_worker_a1, area=grid_a1, assignee=grid_worker_a1
    )

    assert task.assignee == grid_worker_a1


# --- Who sees which task --------------------------------------------------------------------


def test_a_grid_task_is_seen_by_its_grids_worker_and_not_by_the_next_grids(
    community_a: Any, grid_a1: Any, grid_worker_a1: Any, grid_worker_a2: Any, officer_a: Any
) -> None:
    task = TaskFactory(community=community_a, area=grid_a1)

    assert task in Task.objects.restrict(grid_worker_a1)
    assert task in Task.objects.restrict(officer_a)
    assert task not in Task.objects.restrict(grid_worker_a2)


def test_a_community_task_is_seen_by_every_grid_worker_of_the_community(
    community_a: Any, grid_worker_a2: Any, officer_b: Any
) -> None:
    task = TaskFactory(community=community_a)

    assert task in Task.objects.restrict(grid_worker_a2)
    assert task not in Task.objects.restrict(officer_b)


def test_a_volunteer_sees_only_tasks_given_to_them_or_their_team(
    community_a: Any, volunteer_a: Any
) -> None:
    mine = TaskFactory(community=community_a, assignee=volunteer_a)
    team = TeamFactory(
        community=community_a, members=[StaffMemberFactory(community=community_a, user=volunteer_a)]
    )
    my_teams = TaskFactory(community=community_a, team=team)
    others = TaskFactory(community=community_a)

    visible = set(Task.objects.restrict(volunteer_a))

    assert visible == {mine, my_teams}
    assert others not in visible


# --- Working a task -------------------------------------------------------------------------


def test_starting_a_task_moves_it_to_in_progress_with_an_audit_row(
    officer_a: Any, community_a: Any, grid_worker_a1: Any
) -> None:
    task = TaskFactory(community=community_a, assignee=grid_worker_a1)

    task = services.do_start_task(task, by=grid_worker_a1)

    assert task.status == TaskStatus.IN_PROGRESS
    assert task.started_at is not None
    change = changes_of(task)[-1]
    assert change.action == ChangeAction.UPDATE
    assert change.before["status"] == "open"
    assert change.after["status"] == "in_progress"
    assert change.actor == grid_worker_a1


def test_completing_a_task_records_the_outcome_in_the_trail_and_the_audit(
    community_a: Any, volunteer_a: Any
) -> None:
    task = TaskFactory(community=community_a, assignee=volunteer_a)

    task = services.do_complete_task(task, by=volunteer_a, note="已送达")

    assert task.status == TaskStatus.DONE
    assert task.outcome == "已送达"
    [comment] = TaskComment.objects.filter(task=task)
    assert comment.status == TaskStatus.DONE
    assert comment.text == "已送达"
    assert changes_of(task)[-1].after["status"] == "done"
    assert changes_of(comment)[0].action == ChangeAction.CREATE


def test_a_closed_task_cannot_be_started_completed_or_reassigned(
    officer_a: Any, community_a: Any
) -> None:
    task = TaskFactory(community=community_a)
    services.do_cancel_task(task, by=officer_a, reason="重复")

    for change in (
        lambda: services.do_start_task(task, by=officer_a),
        lambda: services.do_complete_task(task, by=officer_a),
        lambda: services.do_reassign_task(task, by=officer_a, assignee=officer_a),
    ):
        with pytest.raises(ValidationError):
            change()


def test_cancelling_needs_a_reason_and_writes_the_audit_row(
    officer_a: Any, community_a: Any
) -> None:
    task = TaskFactory(community=community_a)

    with pytest.raises(ValidationError) as refused:
        services.do_cancel_task(task, by=officer_a, reason=" ")
    assert "reason" in refused.value.message_dict

    task = services.do_cancel_task(task, by=officer_a, reason="居民已自行解决")
    assert task.status == TaskStatus.CANCELLED
    assert changes_of(task)[-1].after["outcome"] == "居民已自行解决"


def test_a_volunteer_may_work_their_task_but_not_cancel_it(
    community_a: Any, volunteer_a: Any
) -> None:
    task = TaskFactory(community=community_a, assignee=volunteer_a)

    with pytest.raises(PermissionDeniedError):
        services.do_cancel_task(task, by=volunteer_a, reason="不想做")


def test_an_official_who_only_views_cannot_start_a_task(
    community_a: Any, street_official: Any
) -> None:
    task = TaskFactory(community=community_a)

    with pytest.raises(PermissionDeniedError):
        services.do_start_task(task, by=street_official)


def test_working_a_task_of_another_community_is_not_found(community_a: Any, officer_b: Any) -> None:
    task = TaskFactory(community=community_a)

    for change in (
        lambda: services.do_start_task(task, by=officer_b),
        lambda: services.do_comment_on_task(task, by=officer_b, text="x"),
        lambda: services.do_cancel_task(task, by=officer_b, reason="x"),
    ):
        with pytest.raises(Http404):
            change()


def test_commenting_adds_to_the_trail_with_an_audit_row(
    community_a: Any, grid_worker_a1: Any
) -> None:
    task = TaskFactory(community=community_a)

    comment = services.do_comment_on_task(task, by=grid_worker_a1, text="电话无人接听")

    assert comment.author == grid_worker_a1
    assert list(task.comments.all()) == [comment]
    assert changes_of(comment)[0].actor == grid_worker_a1
    with pytest.raises(ValidationError):
        services.do_comment_on_task(task, by=grid_worker_a1, text="")


def test_reassigning_writes_the_audit_row_and_a_line_in_the_trail(
    officer_a: Any, community_a: Any, grid_worker_a1: Any, grid_worker_a2: Any
) -> None:
    task = TaskFactory(community=community_a, assignee=grid_worker_a1)

    task = services.do_reassign_task(task, by=officer_a, assignee=grid_worker_a2)

    assert task.assignee == grid_worker_a2
    change = changes_of(task)[-1]
    assert change.before["assignee"] == grid_worker_a1.pk
    assert change.after["assignee"] == grid_worker_a2.pk
    assert task.comments.count() == 1


def test_reassigning_outside_the_assigners_area_is_refused(
    officer_a: Any, community_a: Any, officer_b: Any
) -> None:
    task = TaskFactory(community=community_a)

    with pytest.raises(ValidationError) as refused:
        services.do_reassign_task(task, by=officer_a, assignee=officer_b)

    assert "assignee" in refused.value.message_dict


def test_a_team_leader_hands_team_tasks_to_members_only(
    community_a: Any, grid_worker_a1: Any, grid_worker_a2: Any, volunteer_a: Any
) -> None:
    leader = StaffMemberFactory(community=community_a, user=grid_worker_a1)
    member = StaffMemberFactory(community=community_a, user=volunteer_a)
    team = TeamFactory(community=community_a, leader=leader, members=[member])
    task = TaskFactory(community=community_a, team=team)

    task = services.do_reassign_task(task, by=grid_worker_a1, assignee=volunteer_a)
    assert task.assignee == volunteer_a
    assert task.team == team

    with pytest.raises(ValidationError) as refused:
        services.do_reassign_task(task, by=grid_worker_a1, assignee=grid_worker_a2)
    assert "assignee" in refused.value.message_dict


def test_editing_a_task_checks_the_version_and_writes_the_audit_row(
    officer_a: Any, community_a: Any
) -> None:
    from fangkong.core.exceptions import ConflictError

    task = TaskFactory(community=community_a)
    due = timezone.now() + dt.timedelta(hours=3)

    task = services.do_update_task(
        task, by=officer_a, expected_version=1, title="新标题", due=due, priority="urgent"
    )

    assert (task.title, task.priority, task.version) == ("新标题", "urgent", 2)
    assert changes_of(task)[-1].before["title"] != "新标题"
    with pytest.raises(ConflictError):
        services.do_update_task(task, by=officer_a, expected_version=1, title="旧的")


def test_overdue_is_an_open_task_past_its_due_time(community_a: Any, officer_a: Any) -> None:
    past = TaskFactory(community=community_a, due=timezone.now() - dt.timedelta(hours=1))
    future = TaskFactory(community=community_a)

    assert past.overdue
    assert not future.overdue
    services.do_complete_task(past, by=officer_a)
    past.refresh_from_db()
    assert not past.overdue
