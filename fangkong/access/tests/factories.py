"""Factories for gates, passes and visitors, created through the services (audit included)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import factory

from fangkong.access import services
from fangkong.access.models import Pass, Visitor
from fangkong.areas.models import Area
from fangkong.registry.models import Household
from fangkong.registry.tests.factories import HouseholdFactory, PersonFactory
from fangkong.staff.models import Checkpoint
from fangkong.staff.services.rosters import do_create_checkpoint


class CheckpointFactory(factory.django.DjangoModelFactory):
    """A gate of a community, open round the clock unless told otherwise."""

    class Meta:
        model = Checkpoint

    name = factory.Sequence(lambda n: f"Gate {n}")

    @classmethod
    def _create(cls, model_class: type[Checkpoint], *args: Any, **kwargs: Any) -> Checkpoint:
        return do_create_checkpoint(by=None, **kwargs)


def issue_pass(household: Household) -> Pass:
    """One pass for a household (through the bulk service, as the office does)."""
    result = services.do_issue_passes(
        community=household.community, households=[household], by=None
    )
    return result.passes[0]


def household_with_pass(
    community: Area, grid: Area | None = None, *, members: int = 2
) -> tuple[Household, Pass]:
    from fangkong.registry.tests.factories import BuildingFactory

    building = BuildingFactory(community=community, grid=grid)
    household = HouseholdFactory(building=building)
    for _ in range(members):
        PersonFactory(household=household)
    return household, issue_pass(household)


def scan(
    checkpoint: Checkpoint,
    code: str,
    direction: str = "out",
    *,
    at: dt.datetime | None = None,
    temperature: str | None = "36.5",
    by: Any = None,
    event_id: uuid.UUID | None = None,
    device_decision: str | None = None,
) -> services.ScanAnswer:
    """Record a scan; ``at`` becomes the device time (an old one makes it an offline event)."""
    return services.record_scan(
        services.ScanRequest(
            checkpoint=checkpoint,
            code=code,
            direction=direction,
            temperature=Decimal(temperature) if temperature is not None else None,
            client_event_id=event_id or uuid.uuid4(),
            device_time=at,
            device_decision=device_decision,
        ),
        by=by,
    )


class VisitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visitor

    name = factory.Sequence(lambda n: f"访客{n}")
    purpose = "探望父母"
    temperature = "36.4"
    phone = "13812345678"

    @classmethod
    def _create(cls, model_class: type[Visitor], *args: Any, **kwargs: Any) -> Visitor:
        return services.do_register_visitor(by=None, **kwargs)
