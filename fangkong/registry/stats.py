"""Registry figures for dashboards: counts only, always restricted to what the user may see.

The reports app reads ``registry_figures`` for the home page; the community page uses
``buildings_with_counts`` so its tiles and totals cost one query.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.querysets import scope_filter
from fangkong.registry.choices import PersonStatus, PersonTag, Residency
from fangkong.registry.models import Building, Household, Person


def buildings_with_counts(queryset: models.QuerySet[Building]) -> models.QuerySet[Building]:
    """Buildings annotated with ``household_count`` (occupied) and ``resident_count`` (active).

    Both counts come from the same join, so each is DISTINCT: with one row per member, a
    household would otherwise be counted once per person.
    """
    return queryset.select_related("grid").annotate(
        household_count=Count("households", filter=Q(households__is_active=True), distinct=True),
        resident_count=Count(
            "households__members",
            filter=Q(households__members__status=PersonStatus.ACTIVE),
            distinct=True,
        ),
    )


def _in_area(queryset: models.QuerySet, area: Area | None) -> models.QuerySet:
    return scope_filter(queryset, area.scope_below()) if area is not None else queryset


def _per_community(queryset: models.QuerySet) -> dict[int, int]:
    rows = queryset.order_by().values("community").annotate(n=Count("pk"))
    return {row["community"]: row["n"] for row in rows}


def _communities(user: Any, area: Area | None, with_rows: set[int]) -> list[Area]:
    """Communities to show as tiles: those the user sees, those holding their rows, their own.

    A grid worker's scope is a grid, so ``restrict`` alone would hide their community; and a
    new community with no buildings yet must still be reachable to add the first one.
    """
    wanted = Q(pk__in=with_rows) | Q(pk__in=Area.objects.restrict(user).values("pk"))
    own = user.community if getattr(user, "area_id", None) else None
    if own is not None:
        wanted |= Q(pk=own.pk)
    communities = Area.objects.filter(wanted, level=AreaLevel.COMMUNITY)
    if area is not None:
        communities = communities.filter(
            Q(pk__in=area.scope_below().communities) | Q(pk__in=area.ancestor_ids())
        )
    return list(communities.order_by("path"))


def registry_figures(user: Any, area: Area | None = None) -> dict[str, Any]:
    """What the registry holds that ``user`` may see, optionally within one area's subtree.

    Keys: ``buildings``, ``households`` (occupied), ``people`` (active), ``without_household``,
    ``tagged``, ``elderly_alone``; ``by_residency`` and ``by_tag`` as lists of
    ``{"code", "label", "count"}`` in choice order; ``cards`` (``{"label", "value"}``, for the
    figure boxes of the home page) and ``communities`` (``{"pk", "name", "buildings",
    "households", "people"}``). Six queries whatever the size of the area.
    """
    buildings = _in_area(Building.objects.restrict(user), area)
    households = _in_area(Household.objects.restrict(user).filter(is_active=True), area)
    people = _in_area(
        Person.objects.restrict(user).filter(status=PersonStatus.ACTIVE), area
    )

    aggregates: dict[str, Any] = {
        "total": Count("pk"),
        "without_household": Count("pk", filter=Q(household__isnull=True)),
        "tagged": Count("pk", filter=~Q(tags="")),
    }
    for code in Residency.values:
        aggregates[f"residency_{code}"] = Count("pk", filter=Q(residency=code))
    for code in PersonTag.values:
        aggregates[f"tag_{code}"] = Count("pk", filter=Q(tags__contains=f"|{code}|"))
    counts = people.aggregate(**aggregates)

    per_community: dict[int, dict[str, int]] = defaultdict(
        lambda: {"buildings": 0, "households": 0, "people": 0}
    )
    for key, queryset in (("buildings", buildings), ("households", households),
                          ("people", people)):
        for community_id, n in _per_community(queryset).items():
            per_community[community_id][key] = n
    communities = [
        {"pk": area.pk, "name": area.name, **per_community[area.pk]}
        for area in _communities(user, area, set(per_community))
    ]

    by_residency = [
        {"code": code, "label": label, "count": counts[f"residency_{code}"]}
        for code, label in Residency.choices
    ]
    by_tag = [
        {"code": code, "label": label, "count": counts[f"tag_{code}"]}
        for code, label in PersonTag.choices
    ]
    figures: dict[str, Any] = {
        "buildings": sum(c["buildings"] for c in per_community.values()),
        "households": sum(c["households"] for c in per_community.values()),
        "people": counts["total"],
        "without_household": counts["without_household"],
        "tagged": counts["tagged"],
        "elderly_alone": counts[f"tag_{PersonTag.ELDERLY_ALONE}"],
        "by_residency": by_residency,
        "by_tag": by_tag,
        "communities": communities,
    }
    figures["cards"] = [
        {"label": _("Buildings"), "value": figures["buildings"]},
        {"label": _("Households"), "value": figures["households"]},
        {"label": _("Residents"), "value": figures["people"]},
        *({"label": row["label"], "value": row["count"]} for row in by_residency),
        {"label": _("Elderly living alone"), "value": figures["elderly_alone"]},
        {"label": _("People with a care tag"), "value": figures["tagged"]},
    ]
    return figures
