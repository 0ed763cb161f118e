"""Checkpoint patrols and the prevention plan: services, the safe Markdown, the diff."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import ConflictError, PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.staff import services
from fangkong.staff.choices import PatrolFinding, TaskKind, TaskStatus
from fangkong.staff.models import PlanVersion, Task
from fangkong.staff.plan_text import diff_lines, render_plan
from fangkong.staff.tests.factories import CheckpointFactory, StaffMemberFactory
from fangkong.staff.tests.routes import PNG

pytestmark = pytest.mark.django_db


def changes_of(obj: Any) -> list[ObjectChange]:
    return list(
        ObjectChange.objects.filter(
            object_id=str(obj.pk), content_type__model=obj._meta.model_name
        ).order_by("pk")
    )


# --- Patrols --------------------------------------------------------------------------------


def test_a_patrol_with_findings_raises_one_follow_up_task_linked_to_the_visit(
    officer_a: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a, name="西门")
    on_duty = StaffMemberFactory(community=community_a)

    visit = services.do_record_patrol(
        checkpoint=gate,
        by=officer_a,
        time=timezone.now() - dt.timedelta(minutes=5),
        on_duty=[on_duty],
        findings=[PatrolFinding.CROWDING, PatrolFinding.STAFF_ABSENT],
        notes="人员聚集",
        follow_up=True,
        follow_up_assignee=officer_a,
    )

    task = visit.follow_up
    assert task.kind == TaskKind.PATROL_FOLLOW_UP
    assert task.link == visit
    assert task.priority == "high"  # staff absent
    assert "西门" in task.title
    assert visit.finding_list == ["staff_absent", "crowding"]
    assert changes_of(visit)[0].after["on_duty"] == [on_duty.pk]
    assert changes_of(task)[0].action == ChangeAction.CREATE


def test_a_photo_is_kept_under_patrols_with_its_checked_type(
    officer_a: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a)

    visit = services.do_record_patrol(
        checkpoint=gate,
        by=officer_a,
        time=timezone.now(),
        photos=[SimpleUploadedFile("张三家门口.png", PNG, content_type="image/jpeg")],
    )

    photo = visit.photos.get()
    assert photo.content_type == "image/png"  # from the bytes, not what the browser said
    assert photo.file.name.startswith("patrols/")
    assert "张三" not in photo.file.name


@pytest.mark.parametrize(
    ("upload", "message_part"),
    [
        (SimpleUploadedFile("a.html", b"<script>alert(1)</script>", "image/png"), "JPEG"),
        (SimpleUploadedFile("big.png", PNG + b"0" * (9 * 1024 * 1024), "image/png"), "MB"),
    ],
)
def test_a_file_that_is_no_photo_or_too_big_is_refused(
    officer_a: Any, community_a: Any, upload: Any, message_part: str
) -> None:
    gate = CheckpointFactory(community=community_a)

    with pytest.raises(ValidationError) as refused:
        services.do_record_patrol(
            checkpoint=gate, by=officer_a, time=timezone.now(), photos=[upload]
        )

    assert message_part in refused.value.message_dict["photos"][0]


def test_a_patrol_in_the_future_or_with_an_unknown_finding_is_refused(
    officer_a: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a)

    with pytest.raises(ValidationError) as future:
        services.do_record_patrol(
            checkpoint=gate, by=officer_a, time=timezone.now() + dt.timedelta(hours=2)
        )
    assert "time" in future.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        services.do_record_patrol(
            checkpoint=gate, by=officer_a, time=timezone.now(), findings=["asleep"]
        )
    assert "findings" in unknown.value.message_dict


def test_a_grid_worker_cannot_record_a_patrol(grid_worker_a1: Any, community_a: Any) -> None:
    gate = CheckpointFactory(community=community_a)

    with pytest.raises((PermissionDeniedError, Http404)):
        services.do_record_patrol(checkpoint=gate, by=grid_worker_a1, time=timezone.now())

    assert not Task.objects.exists()


# --- The prevention plan --------------------------------------------------------------------


def test_every_save_of_the_plan_is_a_new_version_with_who_and_what(
    officer_a: Any, community_a: Any
) -> None:
    first = services.do_save_plan(
        community=community_a, by=officer_a, title="方案", text="# 一\n内容", summary="初稿"
    )
    second = services.do_save_plan(
        community=community_a,
        by=officer_a,
        title="方案",
        text="# 一\n内容\n- 新增",
        summary="补充",
        expected_number=1,
    )

    assert (first.number, second.number) == (1, 2)
    assert second.plan.current_number == 2
    assert PlanVersion.objects.get(number=1).text == "# 一\n内容"  # never overwritten
    assert second.author == officer_a
    assert changes_of(second)[0].after["summary"] == "补充"


def test_saving_over_a_newer_version_is_refused(officer_a: Any, community_a: Any) -> None:
    services.do_save_plan(community=community_a, by=officer_a, title="方案", text="v1")
    services.do_save_plan(
        community=community_a, by=officer_a, title="方案", text="v2", expected_number=1
    )

    with pytest.raises(ConflictError) as conflict:
        services.do_save_plan(
            community=community_a, by=officer_a, title="方案", text="mine", expected_number=1
        )

    assert conflict.value.current_version == 2


def test_only_who_may_change_staff_rows_writes_the_plan(
    grid_worker_a1: Any, health_a: Any, community_a: Any
) -> None:
    for user in (grid_worker_a1, health_a):
        with pytest.raises((PermissionDeniedError, Http404)):
            services.do_save_plan(community=community_a, by=user, title="方案", text="x")
    assert not PlanVersion.objects.exists()


def test_the_plan_is_rendered_with_every_tag_escaped() -> None:
    html = render_plan(
        "# 目标\n<script>alert(1)</script>\n\n- **守住**门岗\n- 测温\n\n1. 第一步\n"
        '<img src=x onerror="alert(1)">'
    )

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img" not in html
    assert "<h2>目标</h2>" in html
    assert "<li><strong>守住</strong>门岗</li>" in html
    assert "<ol>" in html


def test_the_diff_marks_added_and_removed_lines_with_context() -> None:
    old = "\n".join(f"第{n}行" for n in range(1, 11))
    new = old.replace("第5行", "第五行") + "\n第11行"

    lines = diff_lines(old, new, context=1)

    kinds = [(line.kind, line.text) for line in lines if line is not None]
    assert ("removed", "第5行") in kinds
    assert ("added", "第五行") in kinds
    assert ("added", "第11行") in kinds
    assert ("same", "第1行") not in kinds  # far from any change
    assert None in lines  # the gap between the two hunks


def test_closing_a_patrols_follow_up_leaves_the_visit_in_place(
    officer_a: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a)
    visit = services.do_record_patrol(
        checkpoint=gate,
        by=officer_a,
        time=timezone.now(),
        findings=["no_registration_book"],
        follow_up=True,
    )

    services.do_complete_task(visit.follow_up, by=officer_a, note="已补登记本")
    visit.refresh_from_db()

    assert visit.follow_up.status == TaskStatus.DONE
