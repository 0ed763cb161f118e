"""Factories for the jurisdiction tree.

Areas are created through ``do_create_area`` so the materialised path (``parent.path +
f"{pk}/"``) and the audit row are exactly what the application writes.
"""

from __future__ import annotations

from typing import Any

import factory

from fangkong.areas.choices import CHILD_LEVEL, AreaLevel
from fangkong.areas.models import Area
from fangkong.areas.services import do_create_area


def _level_below(parent: Area | None) -> str:
    return CHILD_LEVEL[AreaLevel(parent.level)] if parent is not None else AreaLevel.CITY


class AreaFactory(factory.django.DjangoModelFactory):
    """An area one level below its parent (a city when there is no parent)."""

    class Meta:
        model = Area

    parent = None
    level = factory.LazyAttribute(lambda o: _level_below(o.parent))
    name = factory.Sequence(lambda n: f"区域{n}")
    code = factory.Sequence(lambda n: f"T{n:06d}")

    @classmethod
    def _create(cls, model_class: type[Area], *args: Any, **kwargs: Any) -> Area:
        return do_create_area(by=None, **kwargs)


class CityFactory(AreaFactory):
    level = AreaLevel.CITY
    name = factory.Sequence(lambda n: f"测试市{n}")


class DistrictFactory(AreaFactory):
    parent = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"测试区{n}")


class StreetFactory(AreaFactory):
    parent = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试街道{n}")


class CommunityFactory(AreaFactory):
    parent = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"测试社区{n}")


class GridFactory(AreaFactory):
    parent = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}网格")
