"""A community's health policy, and how rows of a person are scoped."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import CommunityOwned
from fangkong.core.scope import ScopeRule
from fangkong.health.choices import (
    QuarantineKind,
)

#: Rows of a person are scoped like the person: their household's grid, then the community.
PERSON_SCOPE = ScopeRule(grid="grid_id")


class HealthPolicy(CommunityOwned):
    """A community's health settings: quarantine periods, reports a day, disinfection rhythm.

    One per community, made with the defaults on first use. The fever threshold is not here:
    it is the community's own (``Area.fever_threshold``), shared with screening and gates.
    The row is also what a status change locks, so that the four-eyes count of one
    community is read and written by one change at a time.
    """

    community = models.OneToOneField(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="health_policy",
        verbose_name=_("community"),
        limit_choices_to={"level": "community"},
    )
    quarantine_days = models.PositiveSmallIntegerField(
        _("quarantine period (days)"),
        default=14,
        help_text=_("Counted from the last exposure (or the start when it is unknown)."),
    )
    monitoring_days = models.PositiveSmallIntegerField(
        _("health monitoring period (days)"),
        default=14,
    )
    reports_per_day = models.PositiveSmallIntegerField(
        _("temperature reports a day"),
        default=2,
        help_text=_("The day is split into this many equal parts; one report is due in each."),
    )
    disinfection_days = models.PositiveSmallIntegerField(
        _("disinfection interval (days)"),
        default=1,
        help_text=_(
            "While a case is open, a place of the case or a gate not disinfected for "
            "this many days is listed as overdue."
        ),
    )

    audit_fields = ("quarantine_days", "monitoring_days", "reports_per_day", "disinfection_days")

    class Meta:
        ordering = ("community_id", "id")
        verbose_name = _("health policy")
        verbose_name_plural = _("health policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(quarantine_days__gte=1, quarantine_days__lte=60)
                & Q(monitoring_days__gte=1, monitoring_days__lte=60),
                name="health_policy_periods_sensible",
                violation_error_message=_("A period is between 1 and 60 days."),
            ),
            models.CheckConstraint(
                condition=Q(reports_per_day__gte=1, reports_per_day__lte=4),
                name="health_policy_reports_per_day",
                violation_error_message=_("Between one and four reports a day."),
            ),
            models.CheckConstraint(
                condition=Q(disinfection_days__gte=1, disinfection_days__lte=30),
                name="health_policy_disinfection_days",
                violation_error_message=_("The disinfection interval is 1 to 30 days."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.community)

    def get_absolute_url(self) -> str:
        return reverse("health:policy")

    def period_for(self, kind: str) -> int:
        return self.monitoring_days if kind == QuarantineKind.MONITORING else (self.quarantine_days)
