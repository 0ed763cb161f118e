"""Daily reports (日报): what an area's office submits upward each day.

A community's report keeps its figures as submitted (a JSON snapshot of the stored figures
of the day), so a recount after a late correction of the raw rows is shown beside it, never
over it. A street's or a district's report keeps the sum of the submitted reports of the
areas below it at the moment it was submitted. A submitted report is never edited: a
correction is a new revision (with a reason and what changed) and the old one stays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area
from fangkong.core.models import AuditedModel
from fangkong.core.scope import ScopeRule
from fangkong.daily.choices import TemplateLevel

#: When a street's communities are late without a deadline of its own (local time).
DEFAULT_DEADLINE = dt.time(18, 0)


class DailyReport(AuditedModel):
    """One revision of an area's (community, street, district) report of one day.

    ``is_current`` marks the revision in force; earlier ones were corrected by the next."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    day = models.DateField(_("day"))
    revision = models.PositiveIntegerField(_("revision"), default=1)
    is_current = models.BooleanField(_("in force"), default=True)
    #: The figures as submitted: {key: value}.
    figures = models.JSONField(_("figures"), default=dict)
    #: Below community level: {area id: revision} of the reports summed into ``figures``.
    parts = models.JSONField(_("reports summed"), default=dict, blank=True)
    key_events = models.TextField(_("key events of the day"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    requests = models.TextField(_("requests to the level above"), blank=True)
    reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    #: What a correction changed against the revision before: {"figures": {key: [old, new]},
    #: "notes": [field names]}.
    changes = models.JSONField(_("what changed"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )

    # Seen by the users at or above its area: a community's report by the community, its
    # street and district; a street's by the street and district.
    scope_rule = ScopeRule(community=None, area="area_id")
    audit_fields = (
        "area",
        "day",
        "revision",
        "is_current",
        "figures",
        "key_events",
        "problems",
        "requests",
        "reason",
    )

    class Meta:
        ordering = ("-day", "area_id", "-revision", "id")
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        indexes = [models.Index(fields=["area", "day", "revision"], name="daily_area_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "day"],
                condition=Q(is_current=True),
                name="daily_one_current_report",
                violation_error_message=_("This report has already been submitted."),
            ),
            models.UniqueConstraint(
                fields=["area", "day", "revision"],
                name="daily_unique_revision",
                violation_error_message=_("This report has already been corrected."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.day} #{self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("daily:report_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.area.path

    def community_id_for_audit(self) -> int | None:
        community = self.area.community
        return community.pk if community is not None else None

    @property
    def is_correction(self) -> bool:
        return self.revision > 1

    def notes(self) -> dict[str, Any]:
        return {"key_events": self.key_events, "problems": self.problems, "requests": self.requests}


class ReportDeadline(AuditedModel):
    """The local time by which the areas below a street (or district) submit their reports
    (18:00 when a street has none). Set by the street's official on the deadline page."""

    area = models.OneToOneField(
        Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("area")
    )
    due = models.TimeField(_("due by"), default=DEFAULT_DEADLINE)

    # Seen by the street (or district) and the areas below it, whose reports it times.
    scope_rule = ScopeRule(community=None, area="area_id", reaches_below=True)
    audit_fields = ("area", "due")

    class Meta:
        ordering = ("area",)
        verbose_name = _("report deadline")
        verbose_name_plural = _("report deadlines")

    def __str__(self) -> str:
        return f"{self.area_id} {self.due}"

    def area_path(self) -> str:
        return self.area.path

    def community_id_for_audit(self) -> int | None:
        return None


class ReportTemplate(AuditedModel):
    """A superior's own form: an uploaded .xlsx with placeholders (``daily.xlsx``), filled
    from every report it applies to. A community's template applies to the community's
    reports; a street's, by ``level``, to the street's summary (a row per community) or to
    the reports of every community of the street."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    level = models.CharField(_("filled from"), max_length=20, choices=TemplateLevel.choices)
    name = models.CharField(_("name"), max_length=100)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content = models.BinaryField(_("workbook"), editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    #: [{"sheet", "cell", "token"}], as found when uploaded.
    placeholders = models.JSONField(_("placeholders"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    # Seen by its area and the areas above; the communities of a street see its templates
    # (a street's form for their reports is downloaded from their report's page).
    scope_rule = ScopeRule(community=None, area="area_id", reaches_below=True)
    audit_fields = ("area", "level", "name", "file_name", "size", "is_active")

    class Meta:
        ordering = ("area_id", "-is_active", "name", "id")
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                condition=Q(is_active=True),
                name="daily_template_unique_active_name",
                violation_error_message=_("An active template of this area has this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("daily:template_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.area.path

    def community_id_for_audit(self) -> int | None:
        community = self.area.community
        return community.pk if community is not None else None

    def tokens(self) -> list[str]:
        """The placeholders' names, each once, in the order found."""
        return list(dict.fromkeys(str(p.get("token", "")) for p in self.placeholders))


def deadline_of(area: Area) -> dt.time:
    """When reports are due to ``area`` (the parent of the reporting area)."""
    found = ReportDeadline.objects.filter(area=area).values_list("due", flat=True).first()
    return found if found is not None else DEFAULT_DEADLINE
