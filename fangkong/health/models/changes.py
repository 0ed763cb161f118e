"""Status changes: each change of a health status, its reason and evidence, the four-eyes review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import CommunityOwned
from fangkong.core.audit import actor_label
from fangkong.core.placement import Placed, Placement, grid_copy
from fangkong.core.scope import ScopeRule
from fangkong.health.choices import (
    ChangeAction,
    ChangeReason,
    ChangeSource,
    ChangeStatus,
    Classification,
    EvidenceKind,
    Outcome,
    QuarantineKind,
)
from fangkong.health.models.cases import Case
from fangkong.health.models.quarantines import Quarantine


class StatusChange(Placed, CommunityOwned):
    """One change of a person's health status: a case recorded or reclassified, its outcome,
    a quarantine started, extended, shortened or ended.

    Each carries a reason from a closed list and an evidence reference. A change that would
    take its proposer past ten people in one community within 24 hours waits (``pending``)
    with what it would do in ``payload`` until a user of another role approves it.
    """

    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="health_changes",
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
    action = models.CharField(_("change"), max_length=20, choices=ChangeAction.choices)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("case"),
    )
    quarantine = models.ForeignKey(
        Quarantine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("quarantine"),
    )
    from_value = models.CharField(_("from"), max_length=40, blank=True)
    to_value = models.CharField(_("to"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=ChangeReason.choices)
    evidence_kind = models.CharField(_("evidence"), max_length=20, choices=EvidenceKind.choices)
    evidence_ref = models.CharField(_("evidence reference"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ChangeStatus.choices,
        default=ChangeStatus.APPLIED,
        db_index=True,
    )
    source = models.CharField(
        _("made through"), max_length=10, choices=ChangeSource.choices, default=ChangeSource.PAGE
    )
    batch = models.CharField(max_length=32, blank=True, db_index=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("made by"),
    )
    proposed_by_name = models.CharField(_("made by"), max_length=150, blank=True)
    proposer_role = models.CharField(max_length=20, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    task_id = models.BigIntegerField(null=True, blank=True, editable=False)

    grid = grid_copy()
    placement = Placement("household", "household__building")
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = (
        "person",
        "action",
        "case",
        "quarantine",
        "from_value",
        "to_value",
        "reason",
        "evidence_kind",
        "evidence_ref",
        "note",
        "status",
        "source",
        "decided_by",
        "decision_note",
    )

    class Meta:
        ordering = ("-created", "-pk")
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [
            models.Index(fields=["grid", "created"], name="health_statuschg_grid"),
            models.Index(
                fields=["community", "proposed_by", "created"], name="health_change_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.get_reason_display()}"

    def get_absolute_url(self) -> str:
        return reverse("health:change_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.household.area_path() if self.household is not None else self.community.path

    def audit_person_id(self) -> int:
        return self.person_id

    @property
    def is_pending(self) -> bool:
        return self.status == ChangeStatus.PENDING

    def value_display(self, value: str) -> str:
        """``from``/``to`` as people read them: a classification's label, or a date."""
        labels = {
            **dict(Classification.choices),
            **dict(Outcome.choices),
            **dict(QuarantineKind.choices),
        }
        return str(labels.get(value, value))

    @property
    def from_display(self) -> str:
        return self.value_display(self.from_value)

    @property
    def to_display(self) -> str:
        return self.value_display(self.to_value)

    @property
    def made_by(self) -> str:
        """Who made the change, as a reader knows them: the name kept with the change, or
        "system" in the page's language for work nobody did by hand."""
        return actor_label(self.proposed_by_name)
