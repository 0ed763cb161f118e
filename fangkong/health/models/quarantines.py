"""Quarantines, at home or at a site."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import CommunityOwned
from fangkong.core.placement import Placed, Placement, grid_copy
from fangkong.core.scope import ScopeRule
from fangkong.health.choices import (
    ChangeReason,
    QuarantineKind,
)
from fangkong.health.models.cases import Contact


class Quarantine(Placed, CommunityOwned):
    """One person's quarantine or health monitoring: at home, centralised, or monitoring.

    A household quarantine is one row per member started together (``whole_household``,
    one ``batch``). ``planned_end`` is the last day: the last exposure (or the start) plus
    the period. Extensions and reductions are ``StatusChange`` rows with the old and new
    end; the end has a date and a reason. While any home quarantine of a household is
    active, the household's pass is suspended (through the access service).
    """

    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="health_quarantines",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=QuarantineKind.choices)
    site = models.CharField(_("quarantine site"), max_length=100, blank=True)
    whole_household = models.BooleanField(_("whole household"), default=False)
    batch = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quarantines",
        verbose_name=_("contact link"),
    )
    alert_id = models.BigIntegerField(_("screening alert"), null=True, blank=True)
    last_exposure = models.DateField(_("last exposure"), null=True, blank=True)
    period_days = models.PositiveSmallIntegerField(_("period (days)"))
    start_date = models.DateField(_("start"))
    planned_end = models.DateField(_("planned end"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for the end"), max_length=20, choices=ChangeReason.choices, blank=True
    )
    grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("grid worker to call"),
    )

    grid = grid_copy()
    placement = Placement("household", "household__building")
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = (
        "person",
        "household",
        "kind",
        "site",
        "whole_household",
        "contact",
        "alert_id",
        "last_exposure",
        "period_days",
        "start_date",
        "planned_end",
        "ended_on",
        "end_reason",
        "grid_worker",
    )

    class Meta:
        ordering = ("-start_date", "-pk")
        verbose_name = _("quarantine")
        verbose_name_plural = _("quarantines")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="health_one_active_quarantine_per_person",
                violation_error_message=_("This person is already under quarantine or monitoring."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("start_date")),
                name="health_quarantine_ends_after_start",
                violation_error_message=_("A quarantine cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("start_date")),
                name="health_quarantine_ended_after_start",
                violation_error_message=_("A quarantine cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=QuarantineKind.HOME) | Q(household__isnull=False),
                name="health_home_quarantine_has_household",
                violation_error_message=_("A home quarantine needs the person's household."),
            ),
        ]
        indexes = [
            models.Index(fields=["grid", "start_date", "id"], name="health_quarantine_grid"),
            # The quarantines list: all of a community's, or those under way now (ended_on
            # empty, the list's default), newest start first, each a range without a sort.
            models.Index(fields=["community", "start_date", "id"], name="health_quarantine_list"),
            # Partial, not (community, ended_on, start_date): PostgreSQL does not take "IS
            # NULL" as fixing a column, so it would not read the start dates as ordered and
            # would sort the list again. Declared (so created) after the one above: SQLite,
            # which plans without statistics, takes the later of two indexes it rates the same.
            models.Index(
                fields=["community", "start_date", "id"],
                condition=Q(ended_on__isnull=True),
                name="health_quarantine_current",
            ),
        ]

    def __str__(self) -> str:
        return _("%(kind)s %(number)s") % {"kind": self.get_kind_display(), "number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("health:quarantine_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.household.area_path() if self.household is not None else self.community.path

    def audit_person_id(self) -> int:
        return self.person_id

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def day_number(self, day: dt.date | None = None) -> int:
        """Day 1 is the start."""
        return ((day or timezone.localdate()) - self.start_date).days + 1

    def is_active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.ended_on is None or self.ended_on >= day)
