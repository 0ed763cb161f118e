"""Counselling (心理疏导): a case for one person, its sessions and their notes.

Who may read a session's notes is narrower than who sees the case: the case's counsellor and
the community officer (the ``read_notes`` right). Others with the view right see that a case
exists, its risk level and its sessions' dates, never a note. Notes are kept out of the change
log's snapshots; every read of them is an access event (``reveal``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import CommunityOwned
from fangkong.core.scope import ScopeRule
from fangkong.counselling.choices import CaseStatus, RiskLevel, SessionMode


class CounsellingCase(CommunityOwned):
    """Counselling of one person by one counsellor (a user of the community), with the risk
    level as last judged and, where needed, the professional the person was referred to."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("counsellor"),
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    referral_to = models.CharField(_("referred to"), max_length=100, blank=True)
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    scope_rule = ScopeRule()
    audit_fields = (
        "person",
        "counsellor",
        "risk_level",
        "status",
        "opened_on",
        "referral_to",
        "referred_on",
        "closed_on",
    )

    class Meta:
        ordering = ("community_id", "-opened_on", "-id")
        verbose_name = _("counselling case")
        verbose_name_plural = _("counselling cases")
        indexes = [
            models.Index(fields=["community", "-opened_on", "-id"], name="counselling_case_idx")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.opened_on}"

    def get_absolute_url(self) -> str:
        return reverse("counselling:case_detail", args=[self.pk])

    def audit_person_id(self) -> int:
        return int(self.person_id)


class CounsellingSession(CommunityOwned):
    """One conversation of a case. ``notes`` are read by the counsellor and the community
    officer only, each read logged; the change log keeps the session without them."""

    case = models.ForeignKey(
        CounsellingCase,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("counselling case"),
    )
    held_at = models.DateTimeField(_("held at"))
    mode = models.CharField(_("how"), max_length=12, choices=SessionMode.choices)
    notes = models.TextField(_("notes"), blank=True)
    follow_up_on = models.DateField(_("follow up by"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    scope_rule = ScopeRule()
    # Never the notes: the change log is read by more people than the notes are.
    audit_fields = ("case", "held_at", "mode", "follow_up_on")

    class Meta:
        ordering = ("community_id", "case_id", "-held_at", "-id")
        verbose_name = _("counselling session")
        verbose_name_plural = _("counselling sessions")
        indexes = [
            models.Index(
                fields=["community", "case", "-held_at", "-id"], name="counselling_session_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.held_at:%Y-%m-%d}"

    def audit_person_id(self) -> int:
        return int(self.case.person_id)
