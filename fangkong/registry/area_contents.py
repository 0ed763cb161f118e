"""The registry's rows an area holds (``core.area_contents``): buildings, and the active
residents in them. A grid being closed moves its buildings to another grid; its people follow
their buildings."""

from __future__ import annotations

from django.utils.translation import ngettext

from fangkong.core.area_contents import Content, Span, register
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Building, Person
from fangkong.registry.services import move_grid_buildings


def _buildings(span: Span) -> int:
    if span.grid_id is not None:
        return Building.objects.filter(grid_id=span.grid_id).count()
    return Building.objects.filter(community_id__in=span.community_ids).count()


def _people(span: Span) -> int:
    active = Person.objects.filter(status=PersonStatus.ACTIVE)
    if span.grid_id is not None:
        return active.filter(grid_id=span.grid_id).count()
    return active.filter(community_id__in=span.community_ids).count()


register(
    Content(
        key="buildings",
        label=lambda n: ngettext("%(count)s building", "%(count)s buildings", n) % {"count": n},
        count=_buildings,
        move=move_grid_buildings,
        order=10,
    )
)
register(
    Content(
        key="people",
        label=lambda n: ngettext("%(count)s resident", "%(count)s residents", n) % {"count": n},
        count=_people,
        moved_with="buildings",
        order=20,
    )
)
