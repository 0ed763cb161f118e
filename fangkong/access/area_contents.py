"""Passes an area holds (``core.area_contents``): active and suspended ones. They follow
their households' buildings when a grid's buildings move to another grid."""

from __future__ import annotations

from django.utils.translation import ngettext

from fangkong.access.choices import PassStatus
from fangkong.access.models import Pass
from fangkong.core.area_contents import Content, Span, register


def _passes(span: Span) -> int:
    live = Pass.objects.filter(status__in=(PassStatus.ACTIVE, PassStatus.SUSPENDED))
    if span.grid_id is not None:
        return live.filter(grid_id=span.grid_id).count()
    return live.filter(community_id__in=span.community_ids).count()


register(
    Content(
        key="passes",
        label=lambda n: ngettext("%(count)s pass", "%(count)s passes", n) % {"count": n},
        count=_passes,
        moved_with="buildings",
        order=30,
    )
)
