"""Counselling cases and sessions made as the office makes them: through the services."""

from __future__ import annotations

from typing import Any

import factory

from fangkong.counselling.choices import RiskLevel, SessionMode
from fangkong.counselling.models import CounsellingCase, CounsellingSession
from fangkong.counselling.services import do_open_case, do_record_session


class CaseFactory(factory.django.DjangoModelFactory):
    """A case for ``person`` counselled by ``counsellor``."""

    class Meta:
        model = CounsellingCase

    person: Any = None
    counsellor: Any = None
    risk_level = RiskLevel.MEDIUM

    @classmethod
    def _create(cls, model_class: type[CounsellingCase], *args: Any, **kwargs: Any) -> Any:
        person = kwargs.pop("person")
        by = kwargs.pop("by", None)
        return do_open_case(person, by=by, **kwargs)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CounsellingSession

    case: Any = None
    mode = SessionMode.PHONE
    notes = "情绪低落，睡眠差，约定明天再通话。"

    @classmethod
    def _create(cls, model_class: type[CounsellingSession], *args: Any, **kwargs: Any) -> Any:
        case = kwargs.pop("case")
        by = kwargs.pop("by", None)
        return do_record_session(case, by=by, **kwargs)
