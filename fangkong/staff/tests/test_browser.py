"""A gate worker's shift on a phone-sized screen (360×740) in Debian's Chromium, through
Playwright: they log in, check in to the shift that is starting, open their task and mark it
done. Every page fits the screen and every tap target is at least 44 px.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.staff.choices import TaskStatus
from fangkong.staff.models import ShiftAssignment, Task
from fangkong.staff.tests.factories import (
    CheckpointFactory,
    ShiftFactory,
    StaffMemberFactory,
    TaskFactory,
    assign,
)

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def test_a_gate_worker_checks_in_and_completes_a_task_on_a_phone(
    phone: Any, community_a: Any, checkpoint_a: Any, officer_a: Any
) -> None:
    # Given a gate worker whose shift at the east gate starts in ten minutes, and a task
    me = StaffMemberFactory(community=community_a, user=checkpoint_a, name="门卫小王")
    gate = CheckpointFactory(community=community_a, name="东门")
    start = timezone.now() + dt.timedelta(minutes=10)
    shift = ShiftFactory(
        community=community_a, checkpoint=gate, start=start, end=start + dt.timedelta(hours=8)
    )
    assignment = assign(shift, me)
    task = TaskFactory(
        community=community_a,
        assignee=checkpoint_a,
        title="核对访客登记本",
        due=timezone.now() - dt.timedelta(hours=1),
    )

    # When they log in on their phone and open "my shifts"
    log_in(phone, checkpoint_a.username)
    phone.goto(phone.base_url + "/staff/shifts/mine/")
    assert_fits_phone(phone)
    assert "东门" in phone.inner_text("main")

    # And check in
    phone.click(f"form[action='/staff/assignments/{assignment.pk}/check-in/'] button")
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    assert ShiftAssignment.objects.get(pk=assignment.pk).checked_in_at is not None
    assert (
        phone.locator(f"form[action='/staff/assignments/{assignment.pk}/check-out/']").count() == 1
    )

    # Then "my tasks" shows the overdue task standing out
    phone.click("details.menu summary")  # on a phone the links sit behind one button
    phone.click(".menu-links a[href='/staff/tasks/mine/']")
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    assert phone.locator("article.task-card.overdue").count() == 1

    # When they open it and mark it done with a note
    phone.click(f"a[href='/staff/tasks/{task.pk}/']")
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    phone.fill("textarea[name=note]", "已核对，无遗漏")
    phone.click(f"form[action='/staff/tasks/{task.pk}/complete/'] button[type=submit]")
    phone.wait_for_load_state()

    # Then the task is done, and their list is empty
    done = Task.objects.get(pk=task.pk)
    assert done.status == TaskStatus.DONE
    assert done.outcome == "已核对，无遗漏"
    assert phone.url.endswith("/staff/tasks/mine/")
    assert phone.locator("article.task-card").count() == 0
    assert_fits_phone(phone)


def test_the_officers_roster_and_shift_pages_fit_a_phone(
    phone: Any, community_a: Any, officer_a: Any
) -> None:
    # A week with a short shift, a person on another shift who could move to it, a patrol
    gate = CheckpointFactory(community=community_a, name="东门")
    start = timezone.now() + dt.timedelta(hours=2)
    short = ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=start,
        end=start + dt.timedelta(hours=8),
        people_needed=2,
    )
    other = ShiftFactory(
        community=community_a,
        place_name="社区办公室",
        start=start,
        end=start + dt.timedelta(hours=3),
        people_needed=1,
    )
    assign(other, StaffMemberFactory(community=community_a, name="可调的人"))
    log_in(phone, officer_a.username)

    community = f"/staff/community/{community_a.pk}"
    for path in (
        f"{community}/",
        f"{community}/roster/",
        f"/staff/shifts/{short.pk}/",
        f"{community}/patrols/",
        f"{community}/patrols/add/",
        f"{community}/hours/",
        f"{community}/tasks/add/",
        "/staff/tasks/",
    ):
        response = phone.goto(phone.base_url + path)
        assert response.status == 200, path
        assert_fits_phone(phone)

    # The officer moves the person to the short shift from the phone
    phone.goto(f"{phone.base_url}/staff/shifts/{short.pk}/")
    phone.select_option("select[name=assignment]", index=1)
    phone.click(f"form[action='/staff/shifts/{short.pk}/move-here/'] button[type=submit]")
    phone.wait_for_load_state()
    assert "可调的人" in phone.inner_text("main")
    assert short.assignments.count() == 1
