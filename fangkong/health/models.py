"""The health module: cases, close contacts, quarantines, daily health reports, disinfection,
and the status changes that carry every change of a health status with its reason and
evidence through the four-eyes review.

A health status changes only through ``fangkong.health.services`` (the health role, a reason
code from a closed list, an evidence reference); each change is a ``StatusChange`` row, so a
person's status history, the review queue and the four-eyes count are one table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.areas.models import CommunityOwned
from fangkong.core.placement import Placed, Placement
from fangkong.core.scope import ScopeRule
from fangkong.health.choices import (
    ChangeAction,
    ChangeReason,
    ChangeSource,
    ChangeStatus,
    Classification,
    ContactKind,
    Disinfectant,
    EvidenceKind,
    Outcome,
    PlaceKind,
    QuarantineKind,
    ReportSource,
    Symptom,
    TakenTo,
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
        "areas.Area", on_delete=models.PROTECT, related_name="health_policy",
        verbose_name=_("community"), limit_choices_to={"level": "community"},
    )
    quarantine_days = models.PositiveSmallIntegerField(
        _("quarantine period (days)"), default=14,
        help_text=_("Counted from the last exposure (or the start when it is unknown)."),
    )
    monitoring_days = models.PositiveSmallIntegerField(
        _("health monitoring period (days)"), default=14,
    )
    reports_per_day = models.PositiveSmallIntegerField(
        _("temperature reports a day"), default=2,
        help_text=_("The day is split into this many equal parts; one report is due in each."),
    )
    disinfection_days = models.PositiveSmallIntegerField(
        _("disinfection interval (days)"), default=1,
        help_text=_("While a case is open, a place of the case or a gate not disinfected for "
                    "this many days is listed as overdue."),
    )

    audit_fields = ("quarantine_days", "monitoring_days", "reports_per_day",
                    "disinfection_days")

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
        return self.monitoring_days if kind == QuarantineKind.MONITORING else (
            self.quarantine_days)


class Case(Placed, CommunityOwned):
    """A person classified as a case (确诊/疑似/无症状) or excluded, with the dates that make
    the epidemic curve, where they were taken, how it ended, and the places it touches.

    ``source_contact`` is the contact link through which this person was known before they
    became a case: following it upwards gives the chain of transmission.
    """

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="health_cases",
        verbose_name=_("person"),
    )
    classification = models.CharField(
        _("classification"), max_length=15, choices=Classification.choices, db_index=True
    )
    onset_date = models.DateField(_("onset date"), null=True, blank=True)
    report_date = models.DateField(_("report date"))
    confirmation_date = models.DateField(_("confirmation date"), null=True, blank=True)
    isolated_on = models.DateField(
        _("isolated or admitted on"), null=True, blank=True,
        help_text=_("Contacts' last exposure cannot be later than this day."),
    )
    taken_to = models.CharField(_("taken to"), max_length=10, choices=TakenTo.choices,
                                blank=True)
    taken_to_name = models.CharField(_("hospital or site"), max_length=100, blank=True)
    outcome = models.CharField(pgettext_lazy("case", "outcome"), max_length=12,
                               choices=Outcome.choices,
                               blank=True)
    outcome_date = models.DateField(_("outcome date"), null=True, blank=True)
    # The places linked to the case: the household, or a building and unit without one.
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("household"),
    )
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.PROTECT,
        related_name="health_cases", verbose_name=_("building"),
    )
    unit = models.PositiveSmallIntegerField(_("unit"), null=True, blank=True)
    source_contact = models.OneToOneField(
        "Contact", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="became_case", verbose_name=_("known before as contact"),
    )
    notes = models.TextField(_("notes"), blank=True)

    # A copy of the parent's grid (core.placement): a grid worker's rows on this table alone.
    grid = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False, db_index=False, verbose_name=_("grid"),
    )
    placement = Placement("building", "building")
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = ("person", "classification", "onset_date", "report_date",
                    "confirmation_date", "isolated_on", "taken_to", "taken_to_name",
                    "outcome", "outcome_date", "household", "building", "unit",
                    "source_contact", "notes")

    class Meta:
        ordering = ("-report_date", "-pk")
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=~Q(classification=Classification.EXCLUDED),
                name="health_one_open_case_per_person",
                violation_error_message=_("This person is already recorded as a case."),
            ),
            models.CheckConstraint(
                condition=Q(onset_date__isnull=True) | Q(onset_date__lte=models.F("report_date")),
                name="health_case_onset_before_report",
                violation_error_message=_("The onset cannot be after the report."),
            ),
        ]
        indexes = [
            models.Index(fields=["grid", "report_date", "id"], name="health_case_grid"),
            models.Index(fields=["community", "onset_date"], name="health_case_onset"),
            # The cases list: a community's, newest report first.
            models.Index(fields=["community", "report_date", "id"], name="health_case_list"),
        ]

    def __str__(self) -> str:
        return _("Case %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("health:case_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.building.area_path() if self.building_id else self.community.path

    def audit_person_id(self) -> int:
        return self.person_id

    @property
    def is_open(self) -> bool:
        """A case still to be followed: not excluded, not recovered, not died."""
        return self.classification != Classification.EXCLUDED and self.outcome in (
            "", Outcome.IN_HOSPITAL)

    @property
    def curve_date(self) -> dt.date:
        """Where the case stands on the epidemic curve: its onset, else its report."""
        return self.onset_date or self.report_date


class Contact(Placed, CommunityOwned):
    """A person linked to a case: household, close or secondary contact, with the day of the
    last exposure and how it happened.

    A contact who lives in another community is handed over: the person is found (by the ID
    number's blind index, else phone and name) or recorded there, and that community's
    officer gets a task pointing at them. This row stays with the case's community, which
    sees of that person only what it typed (``handover_*``) and "handed over to": ``person``
    (the other community's record, found or new) is for the receiving side alone, so that
    nothing the case's community reads tells whether a match existed. The search runs in the
    background (``services.do_link_handover``), after the hand-over is saved, so the request
    does the same work either way; until then ``person`` is empty and the numbers typed wait
    encrypted in ``handover_*_cipher`` (blanked once linked).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts",
                             verbose_name=_("case"))
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="health_contacts",
        verbose_name=_("person"), null=True, blank=True,
    )
    kind = models.CharField(_("kind of contact"), max_length=10, choices=ContactKind.choices)
    last_exposure = models.DateField(_("last exposure"))
    how = models.CharField(_("how it happened"), max_length=300, blank=True)
    handed_over_to = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("handed over to"),
    )
    handover_task_id = models.BigIntegerField(null=True, blank=True, editable=False)
    # What the case's community typed for a contact it handed over: all it is shown of them.
    handover_name = models.CharField(_("name given"), max_length=100, blank=True)
    handover_id_mask = models.CharField(_("ID number given"), max_length=40, blank=True)
    handover_phone_mask = models.CharField(_("phone given"), max_length=20, blank=True)
    handover_id_cipher = models.TextField(blank=True, editable=False)
    handover_phone_cipher = models.TextField(blank=True, editable=False)

    # A copy of the parent's grid (core.placement): a grid worker's rows on this table alone.
    grid = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False, db_index=False, verbose_name=_("grid"),
    )
    placement = Placement("case", "case__building", community=False)
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = ("case", "person", "kind", "last_exposure", "how", "handed_over_to",
                    "handover_name", "handover_id_mask", "handover_phone_mask")

    class Meta:
        # Own columns: "case" would sort by the case's order, a join to every contact's case.
        ordering = ("case_id", "kind", "id")
        verbose_name = _("close contact")
        verbose_name_plural = _("close contacts")
        constraints = [
            # A hand-over is not counted against the person it matched: "already a contact"
            # would tell the case's community that two numbers it typed are one person's.
            models.UniqueConstraint(
                fields=["case", "person"], condition=Q(handed_over_to__isnull=True),
                name="health_contact_once_per_case",
                violation_error_message=_("This person is already a contact of this case."),
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(handed_over_to__isnull=False),
                name="health_contact_has_a_person",
                violation_error_message=_("Choose the contact."),
            ),
            # ... it is counted by what was typed.
            models.UniqueConstraint(
                fields=["case", "handed_over_to", "handover_name", "handover_id_mask",
                        "handover_phone_mask"],
                condition=Q(handed_over_to__isnull=False),
                name="health_handover_once_per_case",
                violation_error_message=_("This person is already a contact of this case."),
            ),
        ]
        indexes = [
            models.Index(fields=["grid", "case", "kind", "id"], name="health_contact_grid"),
            # The contacts list: a community's, by case.
            models.Index(fields=["community", "case", "kind", "id"], name="health_contact_list"),
        ]

    def __str__(self) -> str:
        return _("Contact %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("health:contact_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.case.area_path()

    def audit_person_id(self) -> int | None:
        # A handed-over contact's record is the other community's: its id in this community's
        # log (a fresh one or an old one) would say whether a match existed.
        return None if self.is_handed_over else self.person_id

    def audit_snapshot(self) -> dict[str, Any]:
        snapshot = super().audit_snapshot()
        if self.is_handed_over:
            snapshot["person"] = None
        return snapshot

    @property
    def is_handed_over(self) -> bool:
        return self.handed_over_to_id is not None

    @property
    def shown_name(self) -> str:
        """The contact's name as the case's community may see it (typed, if handed over)."""
        return self.handover_name if self.is_handed_over else self.person.name

    @property
    def shown_id_mask(self) -> str:
        return self.handover_id_mask if self.is_handed_over else self.person.id_number_mask


class Quarantine(Placed, CommunityOwned):
    """One person's quarantine or health monitoring: at home, centralised, or monitoring.

    A household quarantine is one row per member started together (``whole_household``,
    one ``batch``). ``planned_end`` is the last day: the last exposure (or the start) plus
    the period. Extensions and reductions are ``StatusChange`` rows with the old and new
    end; the end has a date and a reason. While any home quarantine of a household is
    active, the household's pass is suspended (through the access service).
    """

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="health_quarantines",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("household"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=QuarantineKind.choices)
    site = models.CharField(_("quarantine site"), max_length=100, blank=True)
    whole_household = models.BooleanField(_("whole household"), default=False)
    batch = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="quarantines",
        verbose_name=_("contact link"),
    )
    alert_id = models.BigIntegerField(_("screening alert"), null=True, blank=True)
    last_exposure = models.DateField(_("last exposure"), null=True, blank=True)
    period_days = models.PositiveSmallIntegerField(_("period (days)"))
    start_date = models.DateField(_("start"))
    planned_end = models.DateField(_("planned end"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for the end"), max_length=20,
                                  choices=ChangeReason.choices, blank=True)
    grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("grid worker to call"),
    )

    # A copy of the parent's grid (core.placement): a grid worker's rows on this table alone.
    grid = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False, db_index=False, verbose_name=_("grid"),
    )
    placement = Placement("household", "household__building")
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = ("person", "household", "kind", "site", "whole_household", "contact",
                    "alert_id", "last_exposure", "period_days", "start_date", "planned_end",
                    "ended_on", "end_reason", "grid_worker")

    class Meta:
        ordering = ("-start_date", "-pk")
        verbose_name = _("quarantine")
        verbose_name_plural = _("quarantines")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True),
                name="health_one_active_quarantine_per_person",
                violation_error_message=_("This person is already under quarantine or "
                                          "monitoring."),
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
            models.Index(fields=["community", "start_date", "id"],
                         condition=Q(ended_on__isnull=True), name="health_quarantine_current"),
        ]

    def __str__(self) -> str:
        return _("%(kind)s %(number)s") % {"kind": self.get_kind_display(), "number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("health:quarantine_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.household.area_path() if self.household_id else self.community.path

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


class HealthReport(Placed, CommunityOwned):
    """One temperature and symptom report of a person under quarantine or monitoring."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="health_reports",
        verbose_name=_("person"),
    )
    quarantine = models.ForeignKey(Quarantine, on_delete=models.PROTECT, related_name="reports",
                                   verbose_name=_("quarantine"))
    taken_at = models.DateTimeField(_("taken at"))
    #: The community's local day and the part of it (0-based) the report belongs to.
    day = models.DateField(_("day"))
    slot = models.PositiveSmallIntegerField(default=0)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.CharField(_("symptoms"), max_length=200, blank=True, default="")
    is_fever = models.BooleanField(_("fever"), default=False)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    source = models.CharField(_("entered by"), max_length=12, choices=ReportSource.choices,
                              default=ReportSource.GRID_WORKER)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("user"),
    )
    task_id = models.BigIntegerField(null=True, blank=True, editable=False)

    # A copy of the parent's grid (core.placement): a grid worker's rows on this table alone.
    grid = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False, db_index=False, verbose_name=_("grid"),
    )
    placement = Placement("person", "person__household__building")
    scope_rule = PERSON_SCOPE
    audit_fields = ("person", "quarantine", "taken_at", "temperature", "symptoms",
                    "is_fever", "notes", "source")

    class Meta:
        ordering = ("-taken_at", "-pk")
        verbose_name = _("health report")
        verbose_name_plural = _("health reports")
        indexes = [
            models.Index(fields=["grid", "taken_at", "id"], name="health_report_grid"),
            # The reports list: a community's of one day (the default) or of every day,
            # newest first.
            models.Index(fields=["community", "day", "taken_at", "id"],
                         name="health_report_day_list"),
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
        "registry.Building", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("building"),
    )
    unit = models.PositiveSmallIntegerField(_("unit"), null=True, blank=True)
    checkpoint = models.ForeignKey(
        "staff.Checkpoint", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("gate"),
    )
    place_name = models.CharField(_("place name"), max_length=100, blank=True,
                                  help_text=_("For a public area or a shop."))
    done_at = models.DateTimeField(_("done at"))
    agent = models.CharField(_("disinfectant"), max_length=20, choices=Disinfectant.choices)
    concentration = models.CharField(_("concentration"), max_length=50, blank=True,
                                     help_text=_("For example 500 mg/L."))
    operator = models.CharField(_("done by"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("recorded by"),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    # A copy of the parent's grid (core.placement): a grid worker's rows on this table alone.
    grid = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False, db_index=False, verbose_name=_("grid"),
    )
    placement = Placement("building", "building")
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = ("place_kind", "building", "unit", "checkpoint", "place_name", "done_at",
                    "agent", "concentration", "operator", "notes")

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
        return self.building.area_path() if self.building_id else self.community.path

    @property
    def place_label(self) -> str:
        if self.place_kind == PlaceKind.UNIT and self.building_id:
            return _("%(building)s unit %(unit)s") % {"building": self.building,
                                                      "unit": self.unit}
        if self.place_kind in (PlaceKind.BUILDING, PlaceKind.UNIT) and self.building_id:
            return str(self.building)
        if self.place_kind == PlaceKind.GATE and self.checkpoint_id:
            return str(self.checkpoint)
        return self.place_name


class StatusChange(Placed, CommunityOwned):
    """One change of a person's health status: a case recorded or reclassified, its outcome,
    a quarantine started, extended, shortened or ended.

    Each carries a reason from a closed list and an evidence reference. A change that would
    take its proposer past ten people in one community within 24 hours waits (``pending``)
    with what it would do in ``payload`` until a user of another role approves it.
    """

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="health_changes",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("household"),
    )
    action = models.CharField(_("change"), max_length=20, choices=ChangeAction.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="changes", verbose_name=_("case"))
    quarantine = models.ForeignKey(Quarantine, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="changes", verbose_name=_("quarantine"))
    from_value = models.CharField(_("from"), max_length=40, blank=True)
    to_value = models.CharField(_("to"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=ChangeReason.choices)
    evidence_kind = models.CharField(_("evidence"), max_length=20,
                                     choices=EvidenceKind.choices)
    evidence_ref = models.CharField(_("evidence reference"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices,
                              default=ChangeStatus.APPLIED, db_index=True)
    source = models.CharField(_("made through"), max_length=10, choices=ChangeSource.choices,
                              default=ChangeSource.PAGE)
    batch = models.CharField(max_length=32, blank=True, db_index=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("made by"),
    )
    proposed_by_name = models.CharField(_("made by"), max_length=150, blank=True)
    proposer_role = models.CharField(max_length=20, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    task_id = models.BigIntegerField(null=True, blank=True, editable=False)

    # A copy of the parent's grid (core.placement): a grid worker's rows on this table alone.
    grid = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False, db_index=False, verbose_name=_("grid"),
    )
    placement = Placement("household", "household__building")
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = ("person", "action", "case", "quarantine", "from_value", "to_value",
                    "reason", "evidence_kind", "evidence_ref", "note", "status", "source",
                    "decided_by", "decision_note")

    class Meta:
        ordering = ("-created", "-pk")
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [
            models.Index(fields=["grid", "created"], name="health_statuschg_grid"),
            models.Index(fields=["community", "proposed_by", "created"],
                         name="health_change_window"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.get_reason_display()}"

    def get_absolute_url(self) -> str:
        return reverse("health:change_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.household.area_path() if self.household_id else self.community.path

    def audit_person_id(self) -> int:
        return self.person_id

    @property
    def is_pending(self) -> bool:
        return self.status == ChangeStatus.PENDING

    def value_display(self, value: str) -> str:
        """``from``/``to`` as people read them: a classification's label, or a date."""
        labels = {**dict(Classification.choices), **dict(Outcome.choices),
                  **dict(QuarantineKind.choices)}
        return str(labels.get(value, value))

    @property
    def from_display(self) -> str:
        return self.value_display(self.from_value)

    @property
    def to_display(self) -> str:
        return self.value_display(self.to_value)

