"""Factories for the volunteers app, through its services with ``by=None`` (system work):
validation, phone protection and the audit rows are the real thing.

A volunteer is fit, checked today, available every day round the clock, serving the whole
community, unless told otherwise; a request is two hours at a named place starting in an
hour, for one person.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
from django.utils import timezone

from fangkong.areas.tests.factories import CommunityFactory
from fangkong.registry.tests.factories import valid_mobile
from fangkong.volunteers import services
from fangkong.volunteers.choices import VolunteerGroup
from fangkong.volunteers.models import Volunteer, VolunteerRequest

_names = itertools.cycle(["刘建国", "王卫东", "张志强", "李秀兰", "陈红军", "赵国庆"])


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    community = factory.SubFactory(CommunityFactory)
    name = factory.LazyFunction(lambda: next(_names))
    phone = factory.LazyFunction(valid_mobile)
    groups = factory.LazyFunction(lambda: [VolunteerGroup.VETERAN])
    health_checked_on = factory.LazyAttribute(lambda o: o.community.local_today())

    @classmethod
    def _create(cls, model_class: type[Volunteer], *args: Any, **kwargs: Any) -> Volunteer:
        if kwargs.get("person") is not None:
            kwargs.pop("name", None)
            kwargs.pop("phone", None)
        return services.do_create_volunteer(by=None, **kwargs)


class VolunteerRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerRequest

    community = factory.SubFactory(CommunityFactory)
    place_name = "北门"
    start = factory.LazyFunction(
        lambda: timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    )
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=2))
    people_needed = 1

    @classmethod
    def _create(
        cls, model_class: type[VolunteerRequest], *args: Any, **kwargs: Any
    ) -> VolunteerRequest:
        return services.do_create_request(by=None, **kwargs)


def accept(request: VolunteerRequest, volunteer: Volunteer) -> Any:
    return services.do_answer_request(request, volunteer, accepted=True, by=None)
