"""The staff API: creating and working tasks, rosters and swaps, refusals in the error shape
of DESIGN.md (``code``, a Chinese ``message``, ``fields``), 404 outside the caller's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory
from fangkong.staff import services
from fangkong.staff.models import Task
from fangkong.staff.tests.factories import (
    CheckpointFactory,
    ShiftFactory,
    StaffMemberFactory,
    TaskFactory,
    assign,
)

pytestmark = pytest.mark.django_db

CJK = "\u4e00"


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def test_an_officer_creates_a_task_about_a_household_and_the_second_call_returns_it(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    household = HouseholdFactory(building=BuildingFactory(grid=grid_a1, community=community_a))
    client.force_login(officer_a)
    body = {
        "community": community_a.pk,
        "kind": "screening.door_visit",
        "title": "上门",
        "area": grid_a1.pk,
        "assignee": grid_worker_a1.pk,
        "reason": "未接通",
        "link_type": "registry.household",
        "link_id": household.pk,
    }

    first = post(client, "/api/v1/tasks/", body)
    second = post(client, "/api/v1/tasks/", body)

    assert first.status_code == 201, first.json()
    assert first.json()["link"] == {"type": "registry.household", "id": household.pk}
    assert second.json()["id"] == first.json()["id"]
    assert Task.objects.count() == 1


def test_a_task_for_someone_outside_the_assigners_grid_is_a_400_with_the_field(
    client: Any, grid_worker_a1: Any, grid_worker_a2: Any, community_a: Any, grid_a1: Any
) -> None:
    task = TaskFactory(community=community_a, area=grid_a1, assignee=grid_worker_a1)
    client.force_login(grid_worker_a1)

    response = post(client, f"/api/v1/tasks/{task.pk}/reassign/", {"assignee": grid_worker_a2.pk})

    # A grid worker does not hand out work at all: the role's refusal comes first
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_reassigning_to_a_login_of_another_community_is_refused_without_naming_it(
    client: Any, officer_a: Any, officer_b: Any, community_a: Any
) -> None:
    task = TaskFactory(community=community_a)
    client.force_login(officer_a)

    response = post(client, f"/api/v1/tasks/{task.pk}/reassign/", {"assignee": officer_b.pk})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "assignee" in body["fields"]
    assert str(officer_b) not in body["message"]


def test_working_a_task_through_the_api_writes_its_trail(
    client: Any, grid_worker_a1: Any, community_a: Any
) -> None:
    task = TaskFactory(community=community_a, assignee=grid_worker_a1)
    client.force_login(grid_worker_a1)

    assert post(client, f"/api/v1/tasks/{task.pk}/start/", {}).json()["status"] == "in_progress"
    assert post(client, f"/api/v1/tasks/{task.pk}/comment/", {"text": "在路上"}).status_code == 200
    done = post(client, f"/api/v1/tasks/{task.pk}/complete/", {"note": "已完成"}).json()

    assert done["status"] == "done"
    assert [c["text"] for c in done["comments"]] == ["在路上", "已完成"]
    again = post(client, f"/api/v1/tasks/{task.pk}/complete/", {})
    assert again.status_code == 400
    assert again.json()["message"] == zh("This task is already closed.")


def test_a_stale_task_edit_is_a_409_with_the_current_version(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    task = TaskFactory(community=community_a)
    client.force_login(officer_a)
    url = f"/api/v1/tasks/{task.pk}/"

    ok = client.patch(url, {"title": "新", "version": 1}, content_type="application/json")
    stale = client.patch(url, {"title": "旧", "version": 1}, content_type="application/json")

    assert ok.status_code == 200
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


def test_a_task_of_another_community_is_not_found(
    client: Any, officer_b: Any, community_a: Any
) -> None:
    task = TaskFactory(community=community_a)
    client.force_login(officer_b)

    assert client.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert post(client, f"/api/v1/tasks/{task.pk}/start/", {}).status_code == 404


def test_a_volunteer_lists_only_their_own_tasks(
    client: Any, volunteer_a: Any, community_a: Any
) -> None:
    mine = TaskFactory(community=community_a, assignee=volunteer_a)
    TaskFactory(community=community_a)
    client.force_login(volunteer_a)

    results = client.get("/api/v1/tasks/").json()["results"]

    assert [r["id"] for r in results] == [mine.pk]


def test_overlapping_assignment_is_a_400_naming_the_other_shift_in_chinese(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a, name="南门")
    person = StaffMemberFactory(community=community_a)
    start = timezone.now() + dt.timedelta(days=1)
    assign(
        ShiftFactory(
            community=community_a, checkpoint=gate, start=start, end=start + dt.timedelta(hours=8)
        ),
        person,
    )
    other = ShiftFactory(
        community=community_a,
        place_name="办公室",
        start=start + dt.timedelta(hours=4),
        end=start + dt.timedelta(hours=9),
    )
    client.force_login(officer_a)

    response = post(client, f"/api/v1/shifts/{other.pk}/assign/", {"member": person.pk})

    assert response.status_code == 400
    message = response.json()["fields"]["member"][0]
    assert "南门" in message
    assert any(CJK <= ch <= "\u9fff" for ch in message.replace("南门", ""))


def test_checking_in_through_the_api_outside_the_window_is_refused(
    client: Any, checkpoint_a: Any, community_a: Any
) -> None:
    me = StaffMemberFactory(community=community_a, user=checkpoint_a)
    start = timezone.now() + dt.timedelta(hours=3)
    assignment = assign(
        ShiftFactory(community=community_a, start=start, end=start + dt.timedelta(hours=8)), me
    )
    client.force_login(checkpoint_a)

    response = post(client, f"/api/v1/shift-assignments/{assignment.pk}/check-in/", {})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    mine = client.get("/api/v1/shift-assignments/?mine=true").json()["results"]
    assert [a["id"] for a in mine] == [assignment.pk]


def test_a_volunteer_asks_for_a_swap_and_the_officer_decides(
    client: Any, volunteer_a: Any, officer_a: Any, community_a: Any
) -> None:
    me = StaffMemberFactory(community=community_a, user=volunteer_a)
    colleague = StaffMemberFactory(community=community_a)
    start = timezone.now() + dt.timedelta(days=2)
    shift = ShiftFactory(community=community_a, start=start, end=start + dt.timedelta(hours=4))
    assign(shift, me)
    client.force_login(volunteer_a)

    asked = post(
        client,
        "/api/v1/swap-requests/",
        {"shift": shift.pk, "from_member": me.pk, "to_member": colleague.pk},
    )
    assert asked.status_code == 201, asked.json()
    refused = post(client, f"/api/v1/swap-requests/{asked.json()['id']}/decide/", {"approve": True})
    assert refused.status_code == 403

    client.force_login(officer_a)
    decided = post(client, f"/api/v1/swap-requests/{asked.json()['id']}/decide/", {"approve": True})
    assert decided.json()["status"] == "approved"
    assert list(shift.assignments.values_list("member", flat=True)) == [colleague.pk]


def test_a_staff_members_phone_leaves_the_api_masked(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    member = StaffMemberFactory(community=community_a, phone="13912345678")
    client.force_login(officer_a)

    body = client.get(f"/api/v1/staff-members/{member.pk}/").json()

    assert body["phone"] == "139****5678"
    assert "13912345678" not in str(body)


def test_saving_the_plan_over_a_newer_version_is_a_409(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    services.do_save_plan(community=community_a, by=officer_a, title="方案", text="v1")
    services.do_save_plan(community=community_a, by=officer_a, title="方案", text="v2")
    client.force_login(officer_a)

    stale = post(
        client,
        "/api/v1/plan-versions/",
        {"community": community_a.pk, "title": "方案", "text": "mine", "expected_number": 1},
    )
    fresh = post(
        client,
        "/api/v1/plan-versions/",
        {"community": community_a.pk, "title": "方案", "text": "mine", "expected_number": 2},
    )

    assert stale.status_code == 409
    assert fresh.status_code == 201
    current = client.get("/api/v1/plan-versions/?current=true").json()["results"]
    assert [v["number"] for v in current] == [3]


def test_a_patrol_is_recorded_through_the_api_with_a_follow_up(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a)
    client.force_login(officer_a)

    response = post(
        client,
        "/api/v1/patrols/",
        {
            "checkpoint": gate.pk,
            "time": timezone.now().isoformat(),
            "findings": ["no_temperature_checks"],
            "follow_up": True,
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["findings"] == ["no_temperature_checks"]
    assert Task.objects.get(pk=body["follow_up_task"]).kind == "staff.patrol_follow_up"


def test_a_task_without_a_kind_is_a_general_task(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    client.force_login(officer_a)

    response = post(client, "/api/v1/tasks/", {"community": community_a.pk, "title": "清点物资"})

    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "staff.general"
    assert Task.objects.get().kind == "staff.general"


@pytest.mark.parametrize(
    "value", ["0001-W01", "0001-01-01T00:00-12:00", "9999-12-31T23:59+14:00", "10000-01-01", "abc"]
)
@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/shifts/", "starts_after"),
        ("/api/v1/shifts/", "starts_before"),
        ("/api/v1/shift-assignments/", "starts_after"),
        ("/api/v1/patrols/", "after"),
        ("/api/v1/patrols/", "before"),
    ],
)
def test_a_date_filter_out_of_range_is_a_400_with_the_field(
    client: Any, officer_a: Any, community_a: Any, url: str, name: str, value: str
) -> None:
    client.force_login(officer_a)

    response = client.get(url, {name: value})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [name]
    assert any(CJK <= c <= "\u9fff" for c in body["fields"][name][0])


def test_a_date_filter_within_the_range_still_filters(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    shift = ShiftFactory(community=community_a)
    client.force_login(officer_a)

    before = client.get("/api/v1/shifts/", {"starts_after": "1900-01-01T00:00+08:00"})
    after = client.get("/api/v1/shifts/", {"starts_after": "2100-12-31T00:00+08:00"})

    assert [row["id"] for row in before.json()["results"]] == [shift.pk]
    assert after.json()["results"] == []
