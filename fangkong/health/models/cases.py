"""Cases and their close contacts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.areas.models import CommunityOwned
from fangkong.core.placement import Placed, Placement, grid_copy
from fangkong.core.scope import ScopeRule
from fangkong.health.choices import (
    Classification,
    ContactKind,
    Outcome,
    TakenTo,
)

if TYPE_CHECKING:
    from fangkong.registry.models import Person


class Case(Placed, CommunityOwned):
    """A person classified as a case (确诊/疑似/无症状) or excluded, with the dates that make
    the epidemic curve, where they were taken, how it ended, and the places it touches.

    ``source_contact`` is the contact link through which this person was known before they
    became a case: following it upwards gives the chain of transmission.
    """

    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="health_cases",
        verbose_name=_("person"),
    )
    classification = models.CharField(
        _("classification"), max_length=15, choices=Classification.choices, db_index=True
    )
    onset_date = models.DateField(_("onset date"), null=True, blank=True)
    report_date = models.DateField(_("report date"))
    confirmation_date = models.DateField(_("confirmation date"), null=True, blank=True)
    isolated_on = models.DateField(
        _("isolated or admitted on"),
        null=True,
        blank=True,
        help_text=_("Contacts' last exposure cannot be later than this day."),
    )
    taken_to = models.CharField(_("taken to"), max_length=10, choices=TakenTo.choices, blank=True)
    taken_to_name = models.CharField(_("hospital or site"), max_length=100, blank=True)
    outcome = models.CharField(
        pgettext_lazy("case", "outcome"), max_length=12, choices=Outcome.choices, blank=True
    )
    outcome_date = models.DateField(_("outcome date"), null=True, blank=True)
    # The places linked to the case: the household, or a building and unit without one.
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    building = models.ForeignKey(
        "registry.Building",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="health_cases",
        verbose_name=_("building"),
    )
    unit = models.PositiveSmallIntegerField(_("unit"), null=True, blank=True)
    source_contact = models.OneToOneField(
        "Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="became_case",
        verbose_name=_("known before as contact"),
    )
    notes = models.TextField(_("notes"), blank=True)

    grid = grid_copy()
    placement = Placement("building", "building")
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = (
        "person",
        "classification",
        "onset_date",
        "report_date",
        "confirmation_date",
        "isolated_on",
        "taken_to",
        "taken_to_name",
        "outcome",
        "outcome_date",
        "household",
        "building",
        "unit",
        "source_contact",
        "notes",
    )

    class Meta:
        ordering = ("-report_date", "-pk")
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(classification=Classification.EXCLUDED),
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
        return self.building.area_path() if self.building is not None else self.community.path

    def audit_person_id(self) -> int:
        return self.person_id

    @property
    def is_open(self) -> bool:
        """A case still to be followed: not excluded, not recovered, not died."""
        return self.classification != Classification.EXCLUDED and self.outcome in (
            "",
            Outcome.IN_HOSPITAL,
        )

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

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("case")
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="health_contacts",
        verbose_name=_("person"),
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind of contact"), max_length=10, choices=ContactKind.choices)
    last_exposure = models.DateField(_("last exposure"))
    how = models.CharField(_("how it happened"), max_length=300, blank=True)
    handed_over_to = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handed over to"),
    )
    handover_task_id = models.BigIntegerField(null=True, blank=True, editable=False)
    # What the case's community typed for a contact it handed over: all it is shown of them.
    handover_name = models.CharField(_("name given"), max_length=100, blank=True)
    handover_id_mask = models.CharField(_("ID number given"), max_length=40, blank=True)
    handover_phone_mask = models.CharField(_("phone given"), max_length=20, blank=True)
    handover_id_cipher = models.TextField(blank=True, editable=False)
    handover_phone_cipher = models.TextField(blank=True, editable=False)

    grid = grid_copy()
    placement = Placement("case", "case__building", community=False)
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = (
        "case",
        "person",
        "kind",
        "last_exposure",
        "how",
        "handed_over_to",
        "handover_name",
        "handover_id_mask",
        "handover_phone_mask",
    )

    class Meta:
        # Own columns: "case" would sort by the case's order, a join to every contact's case.
        ordering = ("case_id", "kind", "id")
        verbose_name = _("close contact")
        verbose_name_plural = _("close contacts")
        constraints = [
            # A hand-over is not counted against the person it matched: "already a contact"
            # would tell the case's community that two numbers it typed are one person's.
            models.UniqueConstraint(
                fields=["case", "person"],
                condition=Q(handed_over_to__isnull=True),
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
                fields=[
                    "case",
                    "handed_over_to",
                    "handover_name",
                    "handover_id_mask",
                    "handover_phone_mask",
                ],
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
        return self.handover_name if self.is_handed_over else self.own_person().name

    @property
    def shown_id_mask(self) -> str:
        return self.handover_id_mask if self.is_handed_over else self.own_person().id_number_mask

    def own_person(self) -> Person:
        """The person of a contact not handed over: the constraint health_contact_has_a_person
        says they have one."""
        if self.person is None:
            raise ValueError(f"Contact {self.pk} has neither a person nor a hand-over")
        return self.person
