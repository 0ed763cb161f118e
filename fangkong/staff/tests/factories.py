"""Factories for the staff app. Rows are made through the staff services with ``by=None``
(system work), so validation, phone protection and the audit row are the real thing.

Pass ``community=`` (and ``area=`` for a grid) to put rows in a persona's community.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
from django.utils import timezone

from fangkong.areas.tests.factories import CommunityFactory
from fangkong.registry.tests.factories import valid_mobile
from fangkong.staff import services
from fangkong.staff.choices import OrganisationKind, TaskKind
from fangkong.staff.models import (
    Checkpoint,
    Organisation,
    PatrolVisit,
    Shift,
    ShiftAssignment,
    StaffMember,
    Task,
    Team,
)

_names = itertools.cycle(["李静", "王强", "张敏", "刘洋", "陈杰", "杨丽", "赵磊", "孙艳", "周勇"])


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A community committee of a fresh community unless told otherwise."""

    class Meta:
        model = Organisation

    community = factory.SubFactory(CommunityFactory)
    kind = OrganisationKind.COMMUNITY_COMMITTEE
    name = factory.Sequence(lambda n: f"测试单位{n}")

    @classmethod
    def _create(cls, model_class: type[Organisation], *args: Any, **kwargs: Any) -> Organisation:
        return services.do_create_organisation(by=None, **kwargs)


class StaffMemberFactory(factory.django.DjangoModelFactory):
    """A staff member of an organisation of the community; ``user=`` links a login."""

    class Meta:
        model = StaffMember

    community = factory.SubFactory(CommunityFactory)
    organisation = factory.LazyAttribute(lambda o: OrganisationFactory(community=o.community))
    name = factory.LazyFunction(lambda: next(_names))
    phone = factory.LazyFunction(valid_mobile)
    position = ""

    @classmethod
    def _create(cls, model_class: type[StaffMember], *args: Any, **kwargs: Any) -> StaffMember:
        return services.do_create_staff_member(by=None, **kwargs)


class TeamFactory(factory.django.DjangoModelFactory):
    """A team of a community; ``members=[...]`` adds staff members after it is made."""

    class Meta:
        model = Team

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}组")
    purpose = ""

    @classmethod
    def _create(cls, model_class: type[Team], *args: Any, **kwargs: Any) -> Team:
        members = kwargs.pop("members", ())
        team = services.do_create_team(by=None, **kwargs)
        for member in members:
            services.do_add_team_member(team, member=member, by=None)
        return team


class TaskFactory(factory.django.DjangoModelFactory):
    """An open, general task of a community, due tomorrow."""

    class Meta:
        model = Task

    community = factory.SubFactory(CommunityFactory)
    kind = TaskKind.GENERAL
    title = factory.Sequence(lambda n: f"任务{n}")
    due = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))

    @classmethod
    def _create(cls, model_class: type[Task], *args: Any, **kwargs: Any) -> Task:
        return services.do_create_task(by=None, **kwargs)


class CheckpointFactory(factory.django.DjangoModelFactory):
    """A gate open round the clock."""

    class Meta:
        model = Checkpoint

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"{n}号门")

    @classmethod
    def _create(cls, model_class: type[Checkpoint], *args: Any, **kwargs: Any) -> Checkpoint:
        return services.do_create_checkpoint(by=None, **kwargs)


class ShiftFactory(factory.django.DjangoModelFactory):
    """An eight-hour shift at a checkpoint of the community (or ``place_name=``), starting
    in an hour."""

    class Meta:
        model = Shift

    community = factory.SubFactory(CommunityFactory)
    place_name = ""
    checkpoint = factory.LazyAttribute(
        lambda o: None if o.place_name else CheckpointFactory(community=o.community)
    )
    start = factory.LazyFunction(
        lambda: timezone.now().replace(microsecond=0) + dt.timedelta(hours=1)
    )
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=8))
    people_needed = 2

    @classmethod
    def _create(cls, model_class: type[Shift], *args: Any, **kwargs: Any) -> Shift:
        return services.do_create_shift(by=None, **kwargs)


def assign(shift: Shift, member: StaffMember) -> ShiftAssignment:
    return services.do_assign_shift(shift, member=member, by=None)


def patrol(checkpoint: Checkpoint, **kwargs: Any) -> PatrolVisit:
    kwargs.setdefault("time", timezone.now())
    return services.do_record_patrol(checkpoint=checkpoint, by=None, **kwargs)
