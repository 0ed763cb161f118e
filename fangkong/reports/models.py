"""Stored figures: the counts the home pages show, kept per community so a district's home
page reads a hundred communities' rows instead of recounting three hundred thousand people.

A community's current figures carry the place of its audit chain they were counted at
(``FiguresState.audit_seq``). Every change to a community's rows is written by a service
together with its change-log row, in one transaction, and that row takes the next place in
the community's chain; so figures whose place is behind the chain's head are stale, and are
counted again before they are read (see ``fangkong.reports.figures``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area


class CommunityFigure(models.Model):
    """One figure of one community: a count (people, passes suspended...) under ``key``.

    ``day`` is empty for the current figure; the daily report stores the figures of a day
    under that day (the same keys), so one table answers both "now" and "on 3 February".
    A day's daily figures (``fangkong.reports.daily``) are also kept for the areas above the
    communities — a street's, a district's — as the sums of their communities' rows: then
    ``community`` is that area.
    """

    community = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    key = models.CharField(_("figure"), max_length=60)
    day = models.DateField(_("day"), null=True, blank=True)
    value = models.BigIntegerField(_("value"), default=0)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ("community", "day", "key")
        verbose_name = _("community figure")
        verbose_name_plural = _("community figures")
        constraints = [
            # Two partial constraints: NULLs are distinct in a plain unique constraint, so
            # one on (community, key, day) would let a community hold two current figures.
            models.UniqueConstraint(
                fields=["community", "key"],
                condition=Q(day__isnull=True),
                name="reports_figure_current_unique",
            ),
            models.UniqueConstraint(
                fields=["community", "day", "key"],
                condition=Q(day__isnull=False),
                name="reports_figure_dated_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.key}={self.value} ({self.day or 'now'})"


class FiguresState(models.Model):
    """When a community's current figures were counted, and at which place of its audit
    chain (0: the community had no audited change yet).

    Gate scans write no change-log row (a gate stays fast), so the access figures carry two
    more marks: ``event_mark``, the newest gate event (of any community) when they were
    counted — a newer event of this community makes them stale — and ``valid_until``, when
    the clock makes them stale (a pass out now becomes overdue, the day ends)."""

    community = models.OneToOneField(
        Area,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("community"),
    )
    audit_seq = models.BigIntegerField(default=0)
    event_mark = models.BigIntegerField(default=0)
    valid_until = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ("community",)
        verbose_name = _("figures state")
        verbose_name_plural = _("figures states")

    def __str__(self) -> str:
        return f"figures of {self.community_id} @{self.audit_seq}"
