"""Factories for cases, contacts, quarantines, reports and disinfections.

Rows are made through the health services with ``by=None`` (system work: no four-eyes
count, no rights check), so planned ends, pass suspensions, tasks and audit rows are the
real thing. Pass ``by=`` a user to act as them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from fangkong.health import services
from fangkong.health.choices import (
    ChangeReason,
    Classification,
    ContactKind,
    Disinfectant,
    EvidenceKind,
    PlaceKind,
    QuarantineKind,
)
from fangkong.health.models import Case, Contact, Disinfection, HealthReport, Quarantine
from fangkong.registry.models import Household, Person
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory

#: Evidence every status change needs; tests that are not about evidence use these.
NOTICE = {"evidence_kind": EvidenceKind.OFFICIAL_NOTICE, "evidence_ref": "浑南疾控〔2020〕12号"}
TEST = {"evidence_kind": EvidenceKind.TEST_RESULT, "evidence_ref": "核酸检测报告 20200212-031"}


def family(grid: Any, members: int = 3, *, building: Any = None) -> Household:
    """A household of ``members`` active people in a building of ``grid``."""
    building = building or BuildingFactory(grid=grid, community=grid.parent)
    household = HouseholdFactory(building=building)
    for _ in range(members):
        PersonFactory(household=household)
    return household


def members(household: Household) -> list[Person]:
    return list(Person.objects.filter(household=household).order_by("pk"))


class CaseFactory(factory.django.DjangoModelFactory):
    """A confirmed case of a fresh resident, reported two days ago."""

    class Meta:
        model = Case

    person = factory.SubFactory(PersonFactory)
    classification = Classification.CONFIRMED
    report_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=2))
    reason = ChangeReason.POSITIVE_TEST
    evidence_kind = TEST["evidence_kind"]
    evidence_ref = TEST["evidence_ref"]
    by = None

    @classmethod
    def _create(cls, model_class: type[Case], *args: Any, **kwargs: Any) -> Case:
        return services.do_open_case(**kwargs).obj


class ContactFactory(factory.django.DjangoModelFactory):
    """A household contact of a case, last exposed on the day before the report."""

    class Meta:
        model = Contact

    case = factory.SubFactory(CaseFactory)
    person = factory.LazyAttribute(lambda o: PersonFactory(household=o.case.household))
    kind = ContactKind.HOUSEHOLD
    last_exposure = factory.LazyAttribute(lambda o: o.case.report_date - dt.timedelta(days=1))
    by = None

    @classmethod
    def _create(cls, model_class: type[Contact], *args: Any, **kwargs: Any) -> Contact:
        return services.do_add_contact(**kwargs)


class QuarantineFactory(factory.django.DjangoModelFactory):
    """A home quarantine of one resident, starting today on an official notice."""

    class Meta:
        model = Quarantine

    person = factory.SubFactory(PersonFactory)
    kind = QuarantineKind.HOME
    reason = ChangeReason.OFFICIAL_NOTICE
    evidence_kind = NOTICE["evidence_kind"]
    evidence_ref = NOTICE["evidence_ref"]
    by = None

    @classmethod
    def _create(cls, model_class: type[Quarantine], *args: Any, **kwargs: Any) -> Quarantine:
        return services.do_start_quarantine(**kwargs).obj


def household_quarantine(household: Household, *, by: Any = None, **kwargs: Any) -> Any:
    """Start a home quarantine for a whole household; returns the ChangeResult."""
    values = {
        "kind": QuarantineKind.HOME,
        "reason": ChangeReason.HOUSEHOLD_CONTACT,
        **NOTICE,
        **kwargs,
    }
    return services.do_start_quarantine(household=household, by=by, **values)


class ReportFactory(factory.django.DjangoModelFactory):
    """A normal temperature, now, for someone already under quarantine."""

    class Meta:
        model = HealthReport

    temperature = "36.5"
    by = None

    @classmethod
    def _create(cls, model_class: type[HealthReport], *args: Any, **kwargs: Any) -> HealthReport:
        return services.do_add_report(**kwargs)


class DisinfectionFactory(factory.django.DjangoModelFactory):
    """A disinfection of a building with a chlorine disinfectant, an hour ago."""

    class Meta:
        model = Disinfection

    place_kind = PlaceKind.BUILDING
    agent = Disinfectant.CHLORINE
    concentration = "500 mg/L"
    operator = "消杀队"
    done_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    by = None

    @classmethod
    def _create(cls, model_class: type[Disinfection], *args: Any, **kwargs: Any) -> Disinfection:
        if "community" not in kwargs:
            kwargs["community"] = kwargs["building"].community
        return services.do_record_disinfection(**kwargs)


def pending_start(person: Person, *, by: Any, kind: str = QuarantineKind.MONITORING) -> Any:
    """A quarantine start proposed by ``by`` that waits for approval, as the four-eyes rule
    leaves it after the proposer's eleventh person (made directly: no ten others needed)."""
    from fangkong.health.choices import ChangeAction, ChangeStatus
    from fangkong.health.services.review import Evidence, _stamp, draft

    start = timezone.localdate()
    evidence = Evidence(
        ChangeReason.OFFICIAL_NOTICE, NOTICE["evidence_kind"], NOTICE["evidence_ref"]
    )
    change = draft(ChangeAction.QUARANTINE_START, person, evidence, to_value=kind)
    payload = {
        "op": "quarantine_start",
        "people": [person.pk],
        "household": person.household_id,
        "kind": kind,
        "site": "",
        "whole_household": False,
        "contact": None,
        "alert": None,
        "last_exposure": None,
        "period_days": 14,
        "start_date": start.isoformat(),
        "planned_end": services.planned_end(start, None, 14).isoformat(),
    }
    _stamp([change], by, "page", payload)
    change.status = ChangeStatus.PENDING
    change.save()
    return change


def open_alert(household: Household) -> Any:
    """An open screening alert (contact with a case) for a household, through a campaign
    of its community in which the household answered so."""
    from fangkong.screening.choices import Outcome
    from fangkong.screening.models import Alert, CallAssignment
    from fangkong.screening.services import do_record_call, do_start_campaign
    from fangkong.screening.tests.factories import (
        CampaignFactory,
        QuestionnaireFactory,
        good_answers,
    )

    community = household.community
    campaign = CampaignFactory(
        area=community,
        questionnaire=QuestionnaireFactory(area=community),
        buildings=[household.building],
    )
    do_start_campaign(campaign, by=None)
    assignment = CallAssignment.objects.get(campaign=campaign, household=household)
    do_record_call(
        assignment, by=None, outcome=Outcome.ANSWERED, answers=good_answers(contact="yes")
    )
    return Alert.objects.get(campaign=campaign, household=household)


def reports_so_far_today(person: Person, temperature: str = "36.5", **kwargs: Any) -> list[Any]:
    """As many reports as parts of today have begun (nobody is "missing" by them), the last
    with ``temperature``; the earlier ones normal."""
    from fangkong.health.clock import local_now, slot_start
    from fangkong.health.services.reports import expected_by

    community = person.community
    now = timezone.now()
    due = expected_by(community, now, 2)
    today = local_now(community, now).date()
    made = []
    for slot in range(due):
        at = min(now, slot_start(today, slot, 2, community) + dt.timedelta(minutes=1))
        value = temperature if slot == due - 1 else "36.5"
        made.append(
            services.do_add_report(person=person, temperature=value, by=None, taken_at=at, **kwargs)
        )
    return made
