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
from fangkong.daily.services import do_correct_report, do_upload_template
from fangkong.daily.tests.factories import DailyReportFactory, workbook
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
from fangkong.merchants.choices import CheckResult
from fangkong.merchants.tests.factories import MerchantFactory, inspect, sign_in
from fangkong.outreach.services import do_propose_script, do_revise_script
from fangkong.outreach.tests import factories as outreach
from fangkong.registry.tests.factories import PersonFactory
from fangkong.screening.choices import Outcome
from fangkong.screening.models import CallAssignment
from fangkong.screening.services import do_record_call
from fangkong.screening.tests.factories import good_answers, started_campaign
from fangkong.selfservice import services as selfservice
from fangkong.selfservice.tests.factories import issue_link, propose_phone
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
from fangkong.supplies.choices import Recipient, Unit
from fangkong.supplies.services import (
    do_issue_stock,
    do_request_supplies,
    office_of,
    place_of_checkpoint,
)
from fangkong.supplies.tests.factories import disinfectant, donation, suits
from fangkong.volunteers.tests.factories import (
    VolunteerFactory,
    VolunteerRequestFactory,
    accept,
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
    # A report template the report fills.
    template = do_upload_template(
        community,
        name="区里的日报表",
        level="community",
        content=workbook({"A1": "{{area.name}}", "B2": "{{quarantine.home}}"}),
        by=None,
    )
    world.add("report_template", template)

    # Supplies: the story's donation in the office, a box sent to the gate, a bottle given
    # to a household, a gate's request waiting.
    office = office_of(community)
    bottles, gowns = disinfectant(community), suits(community)
    gift = donation(office, [(bottles, 4, Unit.BOX), (gowns, 40, Unit.PIECE)])
    issued = do_issue_stock(
        place=office,
        item=bottles,
        quantity=2,
        unit=Unit.BOTTLE,
        day=community.local_today(),
        recipient=Recipient.HOUSEHOLD,
        household=home,
        signed_by="户主",
        by=None,
    )
    request = do_request_supplies(
        place=place_of_checkpoint(gate), by=None, item=gowns, quantity=5, unit=Unit.PIECE
    )
    world.add("supply_item", bottles, gowns)
    world.add("donation", gift)
    world.add("stock_movement", *issued)
    world.add("supply_request", request)
    # Volunteers: a veteran from outside, a resident linked (not copied), a request tonight
    # at the gate that the veteran accepted.
    veteran = VolunteerFactory(community=community, name="退役老兵")
    resident = VolunteerFactory(community=community, person=loner, groups=["resident"])
    world.add("volunteer", veteran, resident)
    wanted = VolunteerRequestFactory(
        community=community, checkpoint=gate, place_name="", people_needed=2
    )
    accept(wanted, veteran)
    world.add("volunteer_request", wanted)
    # Merchants: an open shop visited with a failed item (its follow-up open), a notice and
    # a register entry; a closed shop not visited yet.
    shop = MerchantFactory(area=community, takes_temperature=True)
    closed = MerchantFactory(area=grid, status="closed")
    visit = inspect(shop, register_kept=(CheckResult.FAIL, "未登记"))
    sign_in(shop, temperature="36.5")
    world.add("merchant", shop, closed)
    world.add("merchant_inspection", visit)
    world.add("merchant_notice", *shop.notices.all())
    # Outreach: an announcement for a building, a broadcast script with a round over it, a
    # notification script revised once and proposed to the street, and a guidance block.
    notice = outreach.announcement(community, buildings=[home.building], on_phone=True)
    loudspeaker = outreach.broadcast_script(community)
    outreach.broadcast_round(loudspeaker, buildings=[home.building], grids=[grid])
    library = outreach.notification_script(community)
    do_revise_script(library, by=None, text="您好，{姓名}家，{日期}起请少出门。", note="改短")
    do_propose_script(library, by=None)
    advice = outreach.guidance(community)
    world.add("announcement", notice)
    world.add("broadcast_script", loudspeaker)
    world.add("notification_script", library)
    world.add("guidance", advice)

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

    # Self-service: a household's link, the household's corrections (one decided), activity.
    link, _token = issue_link(home)
    waiting = propose_phone(link)
    decided = propose_phone(link, phone="13912345678")
    selfservice.do_reject_correction(decided, by=officer, reason="号码已登记")
    world.add("selfservice_link", link)
    world.add("selfservice_correction", waiting, decided)
    return world
