"""The jurisdiction tree: city > district > street > community > grid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.choices import AreaLevel
from fangkong.core.dates import today_in, zone
from fangkong.core.models import AuditedModel
from fangkong.core.scope import Scope, ScopeRule

if TYPE_CHECKING:
    from fangkong.accounts.models import User


class Area(AuditedModel):
    """One node of the jurisdiction tree.

    ``path`` is a materialised path of primary keys (``/1/4/9/``): a subtree is one indexed
    ``path LIKE '/1/4/%'`` query with no recursion, and an ancestor test is a string prefix.
    The trailing slash keeps ``/1/`` from matching ``/12/``.
    """

    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    # Community settings every module shares (DESIGN.md): time zone and fever threshold.
    time_zone = models.CharField(_("time zone"), max_length=50, default="Asia/Shanghai")
    fever_threshold = models.DecimalField(
        _("fever threshold (°C)"), max_digits=3, decimal_places=1, default=Decimal("37.3")
    )
    # The community office's phone, printed on its pass cards ("if lost, call ..."): an
    # office line, not a person's, so it is stored as typed.
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # Areas are closed, never deleted: rows and audit entries keep pointing at them.
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)

    #: An area is seen by the users at or above it (``id`` in the user's subtree).
    scope_rule = ScopeRule(community=None, area="id")
    audit_fields = (
        "level",
        "name",
        "code",
        "parent",
        "time_zone",
        "fever_threshold",
        "contact_phone",
        "closed_at",
        "closed_reason",
    )

    class Meta:
        ordering = ("path",)
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=False) | models.Q(level=AreaLevel.CITY),
                name="area_only_cities_are_roots",
                violation_error_message=_("Only a city may have no parent area."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def area_path(self) -> str:
        return self.path

    def get_absolute_url(self) -> str:
        return reverse("areas:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def community_id_for_audit(self) -> int | None:
        community = self.community
        return community.pk if community else None

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self) -> models.QuerySet[Area]:
        return Area.objects.filter(pk__in=self.ancestor_ids()).order_by("path")

    def lies_in(self, other: Area) -> bool:
        """Whether this area is ``other`` or lies below it (by ids: /12/ is not in /1/)."""
        return other.pk in self.ancestor_ids()

    def scope_below(self) -> Scope:
        """The scope of a user assigned to this area (``fangkong.core.scope``): the
        communities it covers whole, or its grid, as ids. A community's and a grid's need no
        query; a street's or a district's is one indexed query for its communities, and the
        whole subtree is read only when a model placed on areas of any level asks for it."""
        above = tuple(self.ancestor_ids()[:-1])

        def subtree() -> tuple[list[int], list[str]]:
            rows = list(Area.objects.filter(path__startswith=self.path).values_list("pk", "path"))
            return [pk for pk, _path in rows], [path for _pk, path in rows]

        if self.level == AreaLevel.GRID:
            return Scope(
                area_id=self.pk,
                grids=frozenset({self.pk}),
                grid_communities=frozenset({self.parent_id}) if self.parent_id else frozenset(),
                above=above,
                subtree=lambda: ([self.pk], [self.path]),
            )
        if self.level == AreaLevel.COMMUNITY:
            return Scope(
                area_id=self.pk, communities=frozenset({self.pk}), above=above, subtree=subtree
            )
        communities = Area.objects.filter(
            path__startswith=self.path, level=AreaLevel.COMMUNITY
        ).values_list("pk", flat=True)
        return Scope(
            area_id=self.pk,
            communities=frozenset(communities),
            above=above,
            above_community=True,
            subtree=subtree,
        )

    def descendants(self, include_self: bool = False) -> models.QuerySet[Area]:
        qs = Area.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    @property
    def community(self) -> Area | None:
        """The community this area is or lies in (None above community level)."""
        if self.level == AreaLevel.COMMUNITY:
            return self
        if self.level == AreaLevel.GRID:
            return self.parent
        return None

    @property
    def zone(self) -> ZoneInfo:
        """The area's time zone (a community's; a district's for its campaigns)."""
        return zone(self.time_zone)

    def local_today(self, now: dt.datetime | None = None) -> dt.date:
        """Today (or ``now``'s day) in the area's time zone, not the server's: a community's
        day ends at its own midnight."""
        return today_in(self.zone, now)

    def clean(self) -> None:
        from fangkong.areas.choices import CHILD_LEVEL

        if self.parent is not None and CHILD_LEVEL.get(self.parent.level) != self.level:
            raise ValidationError(
                {
                    "level": _("A %(parent)s can only contain areas of the next level down.")
                    % {"parent": self.parent.get_level_display()}
                }
            )


def communities_covered(user: User) -> list[int] | None:
    """The ids of the communities ``user`` covers whole (their scope's, resolved once per
    request; a superuser's: every community), or ``None`` when the scope is narrower than a
    community (a grid worker): the pages that store figures per community count live then."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    scope = user.scope()
    if scope.everything:
        return list(
            Area.objects.filter(level=AreaLevel.COMMUNITY)
            .order_by("path")
            .values_list("pk", flat=True)
        )
    if scope.grids:
        return None
    return sorted(scope.communities)


class CommunityOwned(AuditedModel):
    """Base for every row that belongs to a community: carries ``community_id`` (indexed).

    ``community_id`` is the scoping key, the key of every per-community query, and the
    distribution column should a city ever shard its data by community.
    """

    community = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        limit_choices_to={"level": AreaLevel.COMMUNITY},
    )

    scope_rule = ScopeRule()

    class Meta:
        abstract = True

    def area_path(self) -> str:
        return self.community.path


def under_paths(paths: Iterable[str]) -> models.Q:
    """Areas at or below any of ``paths`` (materialised paths ``/1/4/``): the tree's own
    query, kept here so no other module filters on paths (core/tests/test_one_scope_rule)."""
    found = models.Q(pk__in=[])
    for path in paths:
        found |= models.Q(path__startswith=path)
    return found
