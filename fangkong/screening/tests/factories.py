"""Factories for questionnaires and campaigns, and a small questionnaire tests can count on.

Rows are created through the screening services with ``by=None`` (system work), so versions,
assignments and audit rows are the real thing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from fangkong.areas.models import Area
from fangkong.areas.tests.factories import CommunityFactory
from fangkong.registry.models import Building, Household
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory
from fangkong.screening.choices import AlertKind, AlertLevel, QuestionKind
from fangkong.screening.models import CallAssignment, Campaign, Questionnaire
from fangkong.screening.questionnaires import QuestionSpec
from fangkong.screening.services import (
    do_create_campaign,
    do_create_questionnaire,
    do_start_campaign,
)


def short_questions() -> list[QuestionSpec]:
    """Five questions covering the rules: a condition, a date, alerts of each kind."""
    return [
        QuestionSpec("travelled", "近14天是否离开过本市？", QuestionKind.YES_NO, required=True),
        QuestionSpec(
            "return_date",
            "返回日期",
            QuestionKind.DATE,
            required=True,
            show_if_code="travelled",
            show_if_values=["yes"],
        ),
        QuestionSpec(
            "contact",
            "是否接触过确诊或疑似病例？",
            QuestionKind.YES_NO,
            required=True,
            alert_values=["yes"],
            alert_kind=AlertKind.CONTACT,
            alert_level=AlertLevel.URGENT,
        ),
        QuestionSpec(
            "temperature",
            "今日体温",
            QuestionKind.TEMPERATURE,
            required=True,
            alert_kind=AlertKind.FEVER,
            alert_level=AlertLevel.HIGH,
        ),
        QuestionSpec("notes", "备注", QuestionKind.TEXT),
    ]


def good_answers(**overrides: Any) -> dict[str, Any]:
    """Answers to ``short_questions`` that raise nothing."""
    return {"travelled": "no", "contact": "no", "temperature": "36.5", **overrides}


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    """A questionnaire of a fresh community with ``short_questions`` (pass ``specs=``)."""

    class Meta:
        model = Questionnaire

    area = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"排查表{n}")
    specs = factory.LazyFunction(short_questions)

    @classmethod
    def _create(cls, model_class: type[Questionnaire], *args: Any, **kwargs: Any) -> Questionnaire:
        return do_create_questionnaire(by=None, **kwargs)


def _today() -> dt.date:
    return timezone.localdate()


class CampaignFactory(factory.django.DjangoModelFactory):
    """A draft campaign over a community, under way from yesterday for two weeks."""

    class Meta:
        model = Campaign

    area = factory.SubFactory(CommunityFactory)
    questionnaire = factory.LazyAttribute(lambda o: QuestionnaireFactory(area=o.area))
    name = factory.Sequence(lambda n: f"第{n}轮电话排查")
    starts_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=1))
    ends_on = factory.LazyFunction(lambda: _today() + dt.timedelta(days=13))

    @classmethod
    def _create(cls, model_class: type[Campaign], *args: Any, **kwargs: Any) -> Campaign:
        return do_create_campaign(by=None, **kwargs)


def street_of_households(
    grid: Area, count: int, *, people: int = 1, building: Building | None = None
) -> list[Household]:
    """``count`` households in one building of ``grid``, each with ``people`` residents."""
    building = building or BuildingFactory(grid=grid, community=grid.parent, units=1, floors=30)
    households = []
    for n in range(count):
        household = HouseholdFactory(
            building=building, unit=1, floor=n // 4 + 1, room=f"{n // 4 + 1}{n % 4 + 1:02d}"
        )
        for _ in range(people):
            PersonFactory(household=household)
        households.append(household)
    return households


def started_campaign(community: Area, **kwargs: Any) -> Campaign:
    campaign = CampaignFactory(area=community, **kwargs)
    do_start_campaign(campaign, by=None)
    campaign.refresh_from_db()
    return campaign


def assignment_of(campaign: Campaign, household: Household) -> CallAssignment:
    return CallAssignment.objects.get(campaign=campaign, household=household)
