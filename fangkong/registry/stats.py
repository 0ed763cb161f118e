"""Registry figures for dashboards: counts only, always restricted to what the user may see.

The reports app reads ``registry_figures`` for the home page; the community page uses
``buildings_with_counts`` so its tiles and totals cost one query.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.core.querysets import scope_filter
from fangkong.registry.choices import PersonStatus, PersonTag, Residency
from fangkong.registry.models import Building, Household, Person

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from fangkong.accounts.models import User


class BuildingCounts(TypedDict):
    """What ``buildings_with_counts`` adds to each building."""

    household_count: int
    resident_count: int


def buildings_with_counts(
    queryset: models.QuerySet[Building],
) -> models.QuerySet[WithAnnotations[Building, BuildingCounts]]:
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


def _in_area(queryset: models.QuerySet[Any], area: Area | None) -> models.QuerySet[Any]:
    return scope_filter(queryset, area.scope_below()) if area is not None else queryset


def _per_community(queryset: models.QuerySet[Any]) -> dict[int, int]:
    rows = queryset.order_by().values("community").annotate(n=Count("pk"))
    return {row["community"]: row["n"] for row in rows}


def _communities(user: User, area: Area | None, with_rows: set[int]) -> list[Area]:
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


def _people_counts() -> dict[str, Any]:
    """The people figures as conditional counts: one pass over the rows gives them all."""
    aggregates: dict[str, Any] = {
        "people": Count("pk"),
        "without_household": Count("pk", filter=Q(household__isnull=True)),
        "tagged": Count("pk", filter=~Q(tags="")),
    }
    for code in Residency.values:
        aggregates[f"residency_{code}"] = Count("pk", filter=Q(residency=code))
    for code in PersonTag.values:
        aggregates[f"tag_{code}"] = Count("pk", filter=Q(tags__contains=f"|{code}|"))
    return aggregates


#: The keys ``counts_by_community`` gives for each community (the stored figures' keys).
COUNT_KEYS = ("buildings", "households", *_people_counts())


def counts_by_community(community_ids: list[int]) -> dict[int, dict[str, int]]:
    """Every registry figure of each of these communities, each a whole community's (the
    stored figures of the home pages are these). Three grouped queries on the indexed
    ``community_id``, whatever the number of communities."""
    counts: dict[int, dict[str, int]] = {cid: dict.fromkeys(COUNT_KEYS, 0) for cid in community_ids}
    people = (
        Person.objects.filter(community_id__in=community_ids, status=PersonStatus.ACTIVE)
        .order_by()
        .values("community_id")
        .annotate(**_people_counts())
    )
    for row in people:
        counts[row.pop("community_id")].update(row)
    for key, queryset in (
        ("buildings", Building.objects.filter(community_id__in=community_ids)),
        ("households", Household.objects.filter(community_id__in=community_ids, is_active=True)),
    ):
        for community_id, n in _per_community(queryset).items():
            counts[community_id][key] = n
    return counts


def registry_figures(user: User, area: Area | None = None) -> dict[str, Any]:
    """What the registry holds that ``user`` may see, optionally within one area's subtree,
    counted now (the home pages read stored figures instead: ``fangkong.reports.figures``;
    this recount is what grid workers see and what the tests compare those with).

    Keys: ``buildings``, ``households`` (occupied), ``people`` (active), ``without_household``,
    ``tagged``, ``elderly_alone``; ``by_residency`` and ``by_tag`` as lists of
    ``{"code", "label", "count"}`` in choice order; ``cards`` (``{"label", "value"}``, for the
    figure boxes of the home page) and ``communities`` (``{"pk", "name", "buildings",
    "households", "people"}``). Six queries whatever the size of the area.
    """
    buildings = _in_area(Building.objects.restrict(user), area)
    households = _in_area(Household.objects.restrict(user).filter(is_active=True), area)
    people = _in_area(Person.objects.restrict(user).filter(status=PersonStatus.ACTIVE), area)
    counts = people.aggregate(**_people_counts())

    per_community: dict[int, dict[str, int]] = defaultdict(
        lambda: {"buildings": 0, "households": 0, "people": 0}
    )
    for key, queryset in (("buildings", buildings), ("households", households), ("people", people)):
        for community_id, n in _per_community(queryset).items():
            per_community[community_id][key] = n
    communities = _communities(user, area, set(per_community))
    counts["buildings"] = sum(c["buildings"] for c in per_community.values())
    counts["households"] = sum(c["households"] for c in per_community.values())
    return figures_from_counts(counts, per_community, communities)


def figures_from_counts(
    counts: dict[str, int], per_community: dict[int, dict[str, int]], communities: list[Area]
) -> dict[str, Any]:
    """The home page's registry figures from totals (``COUNT_KEYS``) and the tiles' counts
    per community: the same shape whether counted now or read from stored figures."""
    tiles = [
        {
            "pk": area.pk,
            "name": area.name,
            **{
                key: per_community.get(area.pk, {}).get(key, 0)
                for key in ("buildings", "households", "people")
            },
        }
        for area in communities
    ]
    by_residency = [
        {"code": code, "label": label, "count": counts.get(f"residency_{code}", 0)}
        for code, label in Residency.choices
    ]
    by_tag = [
        {"code": code, "label": label, "count": counts.get(f"tag_{code}", 0)}
        for code, label in PersonTag.choices
    ]
    figures: dict[str, Any] = {
        "buildings": counts.get("buildings", 0),
        "households": counts.get("households", 0),
        "people": counts.get("people", 0),
        "without_household": counts.get("without_household", 0),
        "tagged": counts.get("tagged", 0),
        "elderly_alone": counts.get(f"tag_{PersonTag.ELDERLY_ALONE}", 0),
        "by_residency": by_residency,
        "by_tag": by_tag,
        "communities": tiles,
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


# --- Daily figures (the daily report: fangkong.reports.daily) -------------------------------


def count_daily(window: DayWindow) -> Counts:
    """Households and people at the end of the day, and the day's changes. Two grouped
    queries. People who left later are still counted on days they lived here (their
    ``status_date`` is after the day); a household has no such date, so one closed since
    is no longer counted."""
    counts = window.counts(DAILY_FIGURES[0].keys)
    ids, start, end, day = window.community_ids, window.start, window.end, window.day
    existed = Q(created__lt=end)
    fill(
        counts,
        Household.objects.filter(community_id__in=ids, is_active=True)
        .order_by()
        .values("community_id")
        .annotate(
            total=Count("pk", filter=existed),
            added=Count("pk", filter=Q(created__gte=start, created__lt=end)),
        ),
        {"total": "households.total", "added": "households.added"},
    )
    still_here = Q(status=PersonStatus.ACTIVE) | Q(status_date__gt=day)
    fill(
        counts,
        Person.objects.filter(community_id__in=ids, created__lt=end)
        .order_by()
        .values("community_id")
        .annotate(
            total=Count("pk", filter=still_here),
            added=Count("pk", filter=Q(created__gte=start, created__lt=end)),
            left=Count("pk", filter=~Q(status=PersonStatus.ACTIVE) & Q(status_date=day)),
        ),
        {"total": "people.total", "added": "people.added", "left": "people.left"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Households and people"),
        figures=(
            ("households.total", gettext_lazy("Occupied households")),
            ("households.added", gettext_lazy("Households added that day")),
            ("people.total", gettext_lazy("Residents")),
            ("people.added", gettext_lazy("People added that day")),
            ("people.left", gettext_lazy("People who left that day")),
        ),
        count=count_daily,
    )
]
