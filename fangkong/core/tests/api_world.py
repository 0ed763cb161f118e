"""A small community with a few rows of every kind the API serves, for the API fuzz test.

Every list and detail route then answers with real rows (a task's priority, a checkpoint's
opening hours, a gate event's flag, a quarantine's dates…), so the schema is checked against
what the serializers really send, not against empty pages. Rows are made through the
services (the factories), as the office would make them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from fangkong.access.choices import Decision
from fangkong.access.tests.factories import VisitorFactory, household_with_pass, scan
from fangkong.accounts.choices import Role
from fangkong.accounts.services import do_add_assignment
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.models import Area
from fangkong.counselling.tests.factories import CaseFactory as CounsellingCaseFactory
from fangkong.counselling.tests.factories import SessionFactory as CounsellingSessionFactory
from fangkong.daily.services import do_correct_report
from fangkong.daily.tests.factories import DailyReportFactory
from fangkong.health.tests.factories import (
    CaseFactory,
    ContactFactory,
    DisinfectionFactory,
    QuarantineFactory,
    ReportFactory,
    family,
    members,
    pending_start,
)
from fangkong.inquiries.services import (
    do_answer_inquiry,
    do_close_inquiry,
    do_faq_from_inquiry,
    do_follow_up_inquiry,
)
from fangkong.inquiries.tests.factories import FaqEntryFactory, InquiryFactory
from fangkong.registry.tests.factories import PersonFactory
from fangkong.screening.choices import Outcome
from fangkong.screening.models import CallAssignment
from fangkong.screening.services import do_record_call
from fangkong.screening.tests.factories import good_answers, started_campaign
from fangkong.staff import services as staff
from fangkong.staff.choices import TaskPriority
from fangkong.staff.tests.factories import (
    CheckpointFactory,
    OrganisationFactory,
    ShiftFactory,
    StaffMemberFactory,
    TaskFactory,
    TeamFactory,
    assign,
    patrol,
)


@dataclass
class World:
    """What ``build_world`` made: a few ids tests and hooks may point the fuzzer at."""

    community: Area
    grid: Area
    ids: dict[str, list[int]] = field(default_factory=dict)

    def add(self, kind: str, *rows: Any) -> None:
        self.ids.setdefault(kind, []).extend(row.pk for row in rows)


def build_world(community: Area, grid: Area, *, officer: Any, health: Any) -> World:
    """One community (``grid`` one of its grids) with rows of every kind the API lists."""
    world = World(community=community, grid=grid)
    now = timezone.now()

    # Registry: two households with people, one without a household.
    home = family(grid, members=3)
    other = family(grid, members=2)
    loner = PersonFactory(household=None, community=community)
    world.add("household", home, other)
    world.add("person", *members(home), *members(other), loner)
    world.add("building", home.building, other.building)

    # Access: a gate with opening hours, passes, scans (one refused, one flagged), a visitor.
    gate = CheckpointFactory(
        community=community, name="北门", opens=dt.time(7, 0), closes=dt.time(21, 30)
    )
    _household, card = household_with_pass(community, grid)
    scan(gate, card.token, "out")
    scan(gate, card.token, "in")
    scan(gate, "not-a-pass", "out")
    scan(gate, card.token, "out", at=now - dt.timedelta(hours=3), device_decision=Decision.ALLOW)
    VisitorFactory(checkpoint=gate, household=home)
    world.add("checkpoint", gate)

    # Staff: organisation, people, a team, tasks of every priority, a shift with a swap,
    # a patrol, the leading group, a responsibility and the prevention plan.
    organisation = OrganisationFactory(community=community)
    first = StaffMemberFactory(community=community, organisation=organisation, user=officer)
    second = StaffMemberFactory(community=community, organisation=organisation)
    team = TeamFactory(community=community, members=[second], leader=first)
    for priority in TaskPriority.values:
        TaskFactory(community=community, priority=priority, team=team)
    started = TaskFactory(community=community, assignee=officer)
    staff.do_start_task(started, by=None)
    staff.do_comment_on_task(started, by=officer, text="已电话联系")
    shift = ShiftFactory(community=community, checkpoint=gate, team=team)
    assign(shift, first)
    later = ShiftFactory(
        community=community,
        checkpoint=gate,
        start=shift.start + dt.timedelta(days=1),
        end=shift.end + dt.timedelta(days=1),
    )
    assign(later, second)
    staff.do_request_swap(
        shift=shift, from_member=first, to_member=second, return_shift=later, by=None
    )
    patrol(gate, findings=["crowding"], notes="排队较长")
    group = staff.do_save_leading_group(community=community, by=None, name="疫情防控领导小组")
    staff.do_add_leading_group_member(group, member=first, by=None, duty="全面负责")
    staff.do_create_responsibility(community=community, by=None, duty="门岗值守", team=team)
    staff.do_save_plan(community=community, by=None, title="防控方案", text="一、总体要求")
    world.add("task", started)
    world.add("shift", shift, later)

    # Screening: a campaign under way with one call answered and one unanswered.
    campaign = started_campaign(community)
    assignments = list(CallAssignment.objects.filter(campaign=campaign).order_by("pk")[:2])
    if assignments:
        do_record_call(assignments[0], by=None, outcome=Outcome.ANSWERED, answers=good_answers())
    if len(assignments) > 1:
        do_record_call(assignments[1], by=None, outcome=Outcome.NO_ANSWER)
    world.add("campaign", campaign)

    # Health: a case with a contact, a quarantine with reports, a disinfection, and a
    # status change waiting for approval.
    case = CaseFactory(person=members(home)[0])
    ContactFactory(case=case)
    quarantined = members(other)[0]
    QuarantineFactory(person=quarantined)
    ReportFactory(person=quarantined, temperature="37.6", symptoms=["cough"])
    DisinfectionFactory(building=home.building)
    pending_start(members(other)[1], by=health)
    world.add("case", case)

    # Accounts: a grid worker lent to the whole community as a screening helper for a month.
    helper = UserFactory(role=Role.GRID_WORKER, area=grid)
    lent = do_add_assignment(
        helper,
        by=None,
        role=Role.GRID_WORKER,
        area=community,
        ends_on=community.local_today() + dt.timedelta(days=30),
        note="筛查助手",
    )
    world.add("assignment", lent)
    # Daily reports: today's, submitted by the office, and a correction of it.
    report = DailyReportFactory(area=community, key_events="全天平稳")
    corrected = do_correct_report(report, {"problems": "漏报一户"}, reason="补报", by=None)
    world.add("daily_report", report, corrected)

    # Inquiries in each state, the FAQ (one entry made from an answer), a counselling case.
    waiting = InquiryFactory(community=community, person=members(home)[0], question="药快吃完了")
    do_follow_up_inquiry(
        waiting, follow_up_on=community.local_today() + dt.timedelta(days=1), by=None
    )
    answered = do_answer_inquiry(
        InquiryFactory(community=community, household=other), answer="每天上午消毒。", by=None
    )
    do_close_inquiry(answered, by=None)
    FaqEntryFactory(area=community)
    do_faq_from_inquiry(answered, by=None)
    counsellor = officer or UserFactory(role=Role.COMMUNITY_OFFICER, area=community)
    case = CounsellingCaseFactory(person=members(home)[1], counsellor=counsellor)
    CounsellingSessionFactory(case=case, follow_up_on=community.local_today())
    world.add("inquiry", waiting, answered)
    world.add("counselling_case", case)
    return world
