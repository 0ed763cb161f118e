"""Roster, shift, my-shifts, patrol and plan pages as the officer and the workers use them."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent
from fangkong.staff import services
from fangkong.staff.models import PatrolVisit, PlanVersion, ShiftAssignment
from fangkong.staff.stats import staff_figures
from fangkong.staff.tests.factories import (
    CheckpointFactory,
    ShiftFactory,
    StaffMemberFactory,
    TaskFactory,
    assign,
)
from fangkong.staff.tests.routes import PNG

pytestmark = pytest.mark.django_db


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def this_week_at(hour: int) -> dt.datetime:
    """Today at ``hour`` local time (Shanghai), whatever the server's zone."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    today = timezone.localtime(timezone.now(), tz).date()
    return dt.datetime.combine(today, dt.time(hour), tzinfo=tz)


@pytest.fixture
def gate(community_a: Any) -> Any:
    return CheckpointFactory(community=community_a, name="东门")


def test_the_roster_shows_gaps_in_red_and_says_how_many_are_missing(
    client: Any, officer_a: Any, community_a: Any, gate: Any
) -> None:
    full = ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=this_week_at(6),
        end=this_week_at(14),
        people_needed=1,
    )
    assign(full, StaffMemberFactory(community=community_a))
    ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=this_week_at(14),
        end=this_week_at(22),
        people_needed=2,
    )
    client.force_login(officer_a)

    response = client.get(reverse("staff:community_roster", args=[community_a.pk]))

    body = response.content.decode()
    assert response.context["roster"].gaps == 1
    assert response.context["roster"].missing_people == 2
    assert body.count('class="shift-card short"') == 1
    assert "14:00–22:00" in body  # local time, not UTC


def test_the_roster_page_costs_the_same_queries_for_any_number_of_shifts(
    client: Any, officer_a: Any, community_a: Any, gate: Any, django_assert_num_queries: Any
) -> None:
    made: list[Any] = []

    def add_shifts(n: int) -> None:
        for _ in range(n):
            # From this Monday on: every shift stays inside this week's roster
            monday = this_week_at(0) - dt.timedelta(days=this_week_at(0).weekday())
            shift = ShiftFactory(
                community=community_a,
                checkpoint=gate,
                start=monday + dt.timedelta(hours=3 * len(made)),
                end=monday + dt.timedelta(hours=3 * len(made) + 2),
            )
            made.append(shift)
            assign(shift, StaffMemberFactory(community=community_a))

    add_shifts(2)
    client.force_login(officer_a)
    url = reverse("staff:community_roster", args=[community_a.pk])
    client.get(url)
    # session, user, community (URL), user's area (scope), shifts with place and team,
    # their people, the checkpoint buttons
    with django_assert_num_queries(7):
        client.get(url)
    add_shifts(10)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["roster"].shifts) == 12


def test_the_officer_moves_a_person_to_a_short_shift(
    client: Any, officer_a: Any, community_a: Any, gate: Any
) -> None:
    later = timezone.now() + dt.timedelta(days=2)
    crowded = ShiftFactory(
        community=community_a,
        place_name="社区办公室",
        start=later,
        end=later + dt.timedelta(hours=4),
        people_needed=1,
    )
    short = ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=later,
        end=later + dt.timedelta(hours=8),
        people_needed=1,
    )
    person = StaffMemberFactory(community=community_a, name="调来的人")
    assignment = assign(crowded, person)
    client.force_login(officer_a)

    page = client.get(reverse("staff:shift_detail", args=[short.pk]))
    assert "调来的人" in page.content.decode()  # offered in "move a person here"
    response = client.post(
        reverse("staff:shift_move", args=[short.pk]), {"assignment": assignment.pk}
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.shift == short


def test_assigning_someone_already_on_duty_comes_back_with_the_clash_named(
    client: Any, officer_a: Any, community_a: Any, gate: Any
) -> None:
    person = StaffMemberFactory(community=community_a, name="忙碌的人")
    busy = ShiftFactory(
        community=community_a, place_name="仓库", start=this_week_at(8), end=this_week_at(12)
    )
    assign(busy, person)
    shift = ShiftFactory(
        community=community_a, checkpoint=gate, start=this_week_at(10), end=this_week_at(18)
    )
    client.force_login(officer_a)

    response = client.post(
        reverse("staff:shift_assign", args=[shift.pk]), {"member": person.pk}, follow=True
    )

    body = response.content.decode()
    assert "仓库" in body
    assert "忙碌的人" in body
    assert not shift.assignments.exists()


def test_a_worker_checks_in_from_my_shifts_only_when_it_is_time(
    client: Any, checkpoint_a: Any, community_a: Any, gate: Any
) -> None:
    me = StaffMemberFactory(community=community_a, user=checkpoint_a)
    now = timezone.now()
    soon = assign(
        ShiftFactory(
            community=community_a,
            checkpoint=gate,
            start=now + dt.timedelta(minutes=10),
            end=now + dt.timedelta(hours=8),
        ),
        me,
    )
    tomorrow = assign(
        ShiftFactory(
            community=community_a,
            checkpoint=gate,
            start=now + dt.timedelta(days=1),
            end=now + dt.timedelta(days=1, hours=8),
        ),
        me,
    )
    client.force_login(checkpoint_a)

    page = client.get(reverse("staff:my_shifts")).content.decode()
    assert reverse("staff:check_in", args=[soon.pk]) in page
    assert reverse("staff:check_in", args=[tomorrow.pk]) not in page

    early = client.post(reverse("staff:check_in", args=[tomorrow.pk]), follow=True)
    assert (
        zh("Too early: check-in opens at %(time)s, %(minutes)s minutes before the shift.")[:4]
        in early.content.decode()
    )
    client.post(reverse("staff:check_in", args=[soon.pk]))
    soon.refresh_from_db()
    assert soon.checked_in_at is not None


def test_someone_elses_assignment_is_not_found(
    client: Any, volunteer_a: Any, community_a: Any, gate: Any
) -> None:
    other = assign(
        ShiftFactory(community=community_a, checkpoint=gate),
        StaffMemberFactory(community=community_a),
    )
    client.force_login(volunteer_a)

    assert client.post(reverse("staff:check_in", args=[other.pk])).status_code == 404


def test_the_roster_export_is_a_spreadsheet_and_an_access_event(
    client: Any, officer_a: Any, community_a: Any, gate: Any
) -> None:
    shift = ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=this_week_at(6),
        end=this_week_at(14),
        people_needed=2,
    )
    assign(shift, StaffMemberFactory(community=community_a, name="-cmd|calc"))
    client.force_login(officer_a)

    response = client.get(reverse("staff:roster_export", args=[community_a.pk]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    [row] = list(sheet.iter_rows(min_row=2, values_only=True))
    assert row[2] == "东门"
    assert row[3] == "06:00"
    assert row[7] == 1  # one missing
    assert row[8] == "'-cmd|calc"  # a leading minus would start a formula
    assert AccessEvent.objects.filter(kind=AccessKind.EXPORT, actor=officer_a).count() == 1


def test_the_hours_page_shows_planned_and_served_hours(
    client: Any, officer_a: Any, community_a: Any, gate: Any, checkpoint_a: Any
) -> None:
    me = StaffMemberFactory(community=community_a, user=checkpoint_a, name="值班员")
    shift = ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=timezone.now() - dt.timedelta(minutes=10),
        end=timezone.now() + dt.timedelta(hours=2),
    )
    assignment = assign(shift, me)
    services.do_check_in(assignment, by=checkpoint_a)
    client.force_login(officer_a)

    response = client.get(reverse("staff:hours", args=[community_a.pk]))

    [row] = response.context["rows"]
    assert row.member == me
    assert row.open_checkins == 1


def test_an_officer_records_a_patrol_with_a_photo_on_the_page(
    client: Any, officer_a: Any, community_a: Any, gate: Any
) -> None:
    client.force_login(officer_a)
    url = reverse("staff:patrol_add", args=[community_a.pk])
    local_now = timezone.localtime(timezone.now())

    response = client.post(
        url,
        {
            "checkpoint": gate.pk,
            "time": f"{local_now:%Y-%m-%dT%H:%M}",
            "findings": ["crowding"],
            "notes": "门口拥挤",
            "follow_up": "on",
            "photos": [SimpleUploadedFile("p.png", PNG, "image/png")],
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    visit = PatrolVisit.objects.get()
    assert visit.follow_up is not None
    photo = visit.photos.get()
    served = client.get(reverse("staff:patrol_photo", args=[photo.pk]))
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    summary = client.get(reverse("staff:patrol_summary", args=[community_a.pk]))
    assert summary.context["visit_count"] == 1


def test_the_plan_page_escapes_html_and_the_diff_shows_the_change(
    client: Any, officer_a: Any, community_a: Any, grid_worker_a1: Any
) -> None:
    client.force_login(officer_a)
    edit = reverse("staff:plan_edit", args=[community_a.pk])
    client.post(
        edit, {"title": "方案", "text": "# 目标\n<script>x()</script>", "expected_number": 0}
    )
    client.post(
        edit, {"title": "方案", "text": "# 目标\n守住门岗", "summary": "改", "expected_number": 1}
    )

    client.force_login(grid_worker_a1)  # every staff member of the area sees the plan
    page = client.get(reverse("staff:plan", args=[community_a.pk])).content.decode()
    diff = client.get(reverse("staff:plan_diff", args=[community_a.pk]) + "?a=1&b=2")

    assert "守住门岗" in page
    assert PlanVersion.objects.count() == 2
    body = diff.content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in body
    assert "<script>x()" not in body
    kinds = {(line.kind, line.text) for line in diff.context["lines"] if line}
    assert ("added", "守住门岗") in kinds


def test_a_stale_plan_edit_keeps_the_text_and_says_so(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    services.do_save_plan(community=community_a, by=officer_a, title="方案", text="v1")
    services.do_save_plan(community=community_a, by=officer_a, title="方案", text="v2")
    client.force_login(officer_a)

    response = client.post(
        reverse("staff:plan_edit", args=[community_a.pk]),
        {"title": "方案", "text": "我的修改", "expected_number": 1},
    )

    assert response.status_code == 200
    assert "我的修改" in response.content.decode()
    assert PlanVersion.objects.count() == 2


def test_staff_figures_count_what_needs_attention_today(
    officer_a: Any, community_a: Any, gate: Any, grid_worker_a1: Any, officer_b: Any
) -> None:
    TaskFactory(community=community_a, due=timezone.now() - dt.timedelta(hours=1))
    TaskFactory(community=community_a, assignee=officer_a)
    shift = ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=this_week_at(6),
        end=this_week_at(14),
        people_needed=2,
    )
    assign(shift, StaffMemberFactory(community=community_a))
    services.do_record_patrol(
        checkpoint=gate, by=officer_a, time=timezone.now(), findings=["crowding", "supplies_short"]
    )

    figures = staff_figures(officer_a)

    # The two tasks, and the supply request the "supplies short" finding opened (its task).
    assert figures["open_tasks"] == 3
    assert figures["overdue_tasks"] == 1
    assert figures["my_open_tasks"] == 2  # with the supply request, the officer's to decide
    assert figures["shifts_today"] == 1
    assert figures["shifts_short_today"] == 1
    assert figures["patrol_findings_today"] == 2
    assert staff_figures(officer_b)["open_tasks"] == 0
    assert ShiftAssignment.objects.count() == 1


def test_shift_times_are_typed_and_shown_in_the_communitys_zone(officer_a: Any) -> None:
    from fangkong.areas.tests.factories import CommunityFactory
    from fangkong.staff.forms import ShiftForm

    urumqi = CommunityFactory(time_zone="Asia/Urumqi")  # UTC+6, two hours behind Shanghai
    form = ShiftForm(
        {
            "place_name": "卡口",
            "start": "2026-02-16T08:00",
            "end": "2026-02-16T16:00",
            "people_needed": 1,
        },
        user=officer_a,
        community=urumqi,
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == dt.datetime(2026, 2, 16, 2, tzinfo=dt.UTC)
    shown = ShiftForm(
        user=officer_a, community=urumqi, initial={"start": form.cleaned_data["start"]}
    )
    assert 'value="2026-02-16T08:00"' in str(shown["start"])


# --- Weeks and days typed into the URL ------------------------------------------------------


OUT_OF_RANGE = ["0001-W01", "0001-01-01", "9999-12-31", "9999-W52", "2024-W60", "abc"]


@pytest.mark.parametrize("week", OUT_OF_RANGE)
@pytest.mark.parametrize("page", ["staff:community_roster", "staff:hours"])
def test_a_week_the_pages_cannot_show_gives_this_week_with_the_reason(
    client: Any, officer_a: Any, community_a: Any, gate: Any, page: str, week: str
) -> None:
    client.force_login(officer_a)

    response = client.get(reverse(page, args=[community_a.pk]), {"week": week})

    assert response.status_code == 200
    monday = this_week_at(0).date() - dt.timedelta(days=this_week_at(0).weekday())
    shown = (
        response.context["roster"].monday
        if "roster" in response.context
        else (response.context["monday"])
    )
    assert shown == monday
    [message] = [str(m) for m in response.context["messages"]]
    assert message in (
        zh("Give a date as YYYY-MM-DD."),
        zh("Give a date between %(earliest)s and %(latest)s.")
        % {"earliest": "1900-01-01", "latest": "2100-12-31"},
    )


@pytest.mark.parametrize("week", OUT_OF_RANGE)
def test_the_checkpoint_roster_and_its_export_survive_any_week(
    client: Any, officer_a: Any, community_a: Any, gate: Any, week: str
) -> None:
    client.force_login(officer_a)

    page = client.get(reverse("staff:checkpoint_roster", args=[gate.pk]), {"week": week})
    export = client.get(reverse("staff:roster_export", args=[community_a.pk]), {"week": week})

    assert page.status_code == 200
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_an_iso_week_and_the_edges_of_the_range_are_shown(
    client: Any, officer_a: Any, community_a: Any, gate: Any
) -> None:
    client.force_login(officer_a)
    url = reverse("staff:community_roster", args=[community_a.pk])

    assert client.get(url, {"week": "2024-W10"}).context["roster"].monday == dt.date(2024, 3, 4)
    assert client.get(url, {"week": "1900-01-01"}).context["roster"].monday == dt.date(1900, 1, 1)
    assert client.get(url, {"week": "2100-12-31"}).context["roster"].monday == (
        dt.date(2100, 12, 27)
    )


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_patrol_day_the_page_cannot_show_gives_today_with_the_reason(
    client: Any, officer_a: Any, community_a: Any, gate: Any, day: str
) -> None:
    client.force_login(officer_a)

    response = client.get(reverse("staff:patrol_summary", args=[community_a.pk]), {"date": day})

    assert response.status_code == 200
    assert response.context["day"] == this_week_at(0).date()
    assert len(list(response.context["messages"])) == 1
