"""Daily health reports and disinfections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import CommunityOwned
from fangkong.core.placement import Placed, Placement, grid_copy
from fangkong.core.scope import ScopeRule
from fangkong.health.choices import (
    Disinfectant,
    PlaceKind,
    ReportSource,
    Symptom,
)
from fangkong.health.models.policy import PERSON_SCOPE
from fangkong.health.models.quarantines import Quarantine


class HealthReport(Placed, CommunityOwned):
    """One temperature and symptom report of a person under quarantine or monitoring."""

    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="health_reports",
        verbose_name=_("person"),
    )
    quarantine = models.ForeignKey(
        Quarantine, on_delete=models.PROTECT, related_name="reports", verbose_name=_("quarantine")
    )
    taken_at = models.DateTimeField(_("taken at"))
    #: The community's local day and the part of it (0-based) the report belongs to.
    day = models.DateField(_("day"))
    slot = models.PositiveSmallIntegerField(default=0)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.CharField(_("symptoms"), max_length=200, blank=True, default="")
    is_fever = models.BooleanField(_("fever"), default=False)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    source = models.CharField(
        _("entered by"),
        max_length=12,
        choices=ReportSource.choices,
        default=ReportSource.GRID_WORKER,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    task_id = models.BigIntegerField(null=True, blank=True, editable=False)

    grid = grid_copy()
    placement = Placement("person", "person__household__building")
    scope_rule = PERSON_SCOPE
    audit_fields = (
        "person",
        "quarantine",
        "taken_at",
        "temperature",
        "symptoms",
        "is_fever",
        "notes",
        "source",
    )

    class Meta:
        ordering = ("-taken_at", "-pk")
        verbose_name = _("health report")
        verbose_name_plural = _("health reports")
        indexes = [
            models.Index(fields=["grid", "taken_at", "id"], name="health_report_grid"),
            # The reports list: a community's of one day (the default) or of every day,
            # newest first.
            models.Index(
                fields=["community", "day", "taken_at", "id"], name="health_report_day_list"
            ),
            models.Index(fields=["community", "taken_at", "id"], name="health_report_list"),
            models.Index(fields=["person", "day"], name="health_report_person_day"),
        ]

    def __str__(self) -> str:
        return f"{self.temperature} °C · {timezone.localtime(self.taken_at):%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("health:person", args=[self.person_id])

    def area_path(self) -> str:
        return self.person.area_path()

    def audit_person_id(self) -> int:
        return self.person_id

    @property
    def symptom_list(self) -> list[str]:
        return [s for s in self.symptoms.strip("|").split("|") if s]

    def symptom_labels(self) -> list[str]:
        labels = dict(Symptom.choices)
        return [str(labels.get(s, s)) for s in self.symptom_list]

    @staticmethod
    def encode_symptoms(codes: list[str] | tuple[str, ...] | set[str]) -> str:
        ordered = [c for c in Symptom.values if c in set(codes)]
        return f"|{'|'.join(ordered)}|" if ordered else ""


class Disinfection(Placed, CommunityOwned):
    """One disinfection (消杀) of a place: a building, a unit, a gate, a public area or a
    shop; when, with what at which concentration, and who did it."""

    place_kind = models.CharField(_("place"), max_length=12, choices=PlaceKind.choices)
    building = models.ForeignKey(
        "registry.Building",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("building"),
    )
    unit = models.PositiveSmallIntegerField(_("unit"), null=True, blank=True)
    checkpoint = models.ForeignKey(
        "staff.Checkpoint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("gate"),
    )
    place_name = models.CharField(
        _("place name"), max_length=100, blank=True, help_text=_("For a public area or a shop.")
    )
    done_at = models.DateTimeField(_("done at"))
    agent = models.CharField(_("disinfectant"), max_length=20, choices=Disinfectant.choices)
    concentration = models.CharField(
        _("concentration"), max_length=50, blank=True, help_text=_("For example 500 mg/L.")
    )
    operator = models.CharField(_("done by"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    grid = grid_copy()
    placement = Placement("building", "building")
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = (
        "place_kind",
        "building",
        "unit",
        "checkpoint",
        "place_name",
        "done_at",
        "agent",
        "concentration",
        "operator",
        "notes",
    )

    class Meta:
        ordering = ("-done_at", "-pk")
        verbose_name = _("disinfection")
        verbose_name_plural = _("disinfections")
        indexes = [
            models.Index(fields=["community", "done_at"], name="health_disinfection_at"),
            models.Index(fields=["grid", "done_at"], name="health_disinf_grid"),
        ]

    def __str__(self) -> str:
        return f"{self.place_label} · {timezone.localtime(self.done_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("health:disinfection_list")

    def area_path(self) -> str:
        return self.building.area_path() if self.building is not None else self.community.path

    @property
    def place_label(self) -> str:
        if self.place_kind == PlaceKind.UNIT and self.building_id:
            return _("%(building)s unit %(unit)s") % {"building": self.building, "unit": self.unit}
        if self.place_kind in (PlaceKind.BUILDING, PlaceKind.UNIT) and self.building_id:
            return str(self.building)
        if self.place_kind == PlaceKind.GATE and self.checkpoint_id:
            return str(self.checkpoint)
        return self.place_name
