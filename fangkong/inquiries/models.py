"""Residents' inquiries (咨询) and the FAQ built from their answers.

An inquiry is one question a resident asked (by phone, in person, at the gate, or on the
household's self-service page), who handles it, the answer, and whether someone must call
back. An answered inquiry becomes an FAQ entry with one click, so the fifth caller gets the
first caller's answer. FAQ entries sit on a community or on a street: a street's entries are
shown to every community below it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area, CommunityOwned
from fangkong.core.models import AuditedModel
from fangkong.core.placement import Placed, Placement, grid_copy
from fangkong.core.scope import ScopeRule
from fangkong.inquiries.choices import Category, Channel, InquiryStatus


def _handled_by(user: Any) -> Q | None:
    return Q(handler_id=user.pk) if user.pk is not None else None


def _no_household() -> Q:
    return Q(grid__isnull=True)


class Inquiry(Placed, CommunityOwned):
    """One question from a resident and what the office did with it.

    The asker (a household or a person) is optional: many callers give no name. An inquiry is
    closed only once it has an answer; one waiting for a call back is ``follow_up`` with a
    date, and a staff task is raised for it."""

    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("household"),
    )
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person"),
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handler"),
    )
    follow_up_on = models.DateField(_("follow up by"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    grid = grid_copy()
    placement = Placement("household", "household__building")
    # A grid worker sees the questions of its grids' households, those that name no household
    # (a caller who gave no address: anyone on duty may take it) and those it handles.
    scope_rule = ScopeRule(grid="grid_id", wide=_no_household, own=_handled_by)
    audit_fields = (
        "received_at",
        "channel",
        "category",
        "household",
        "person",
        "question",
        "answer",
        "status",
        "handler",
        "follow_up_on",
        "answered_at",
        "closed_at",
    )

    class Meta:
        ordering = ("community_id", "-received_at", "-id")
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        indexes = [
            models.Index(fields=["community", "-received_at", "-id"], name="inquiry_list_idx"),
            models.Index(fields=["community", "status", "handler"], name="inquiry_queue_idx"),
            models.Index(fields=["grid", "-received_at", "-id"], name="inquiry_grid_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(answer=""),
                name="inquiry_closed_has_answer",
                violation_error_message=_("An inquiry is closed only once it has an answer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.question[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("inquiries:inquiry_detail", args=[self.pk])

    def audit_person_id(self) -> int | None:
        return self.person_id

    @property
    def is_pending(self) -> bool:
        return self.status in (InquiryStatus.OPEN, InquiryStatus.FOLLOW_UP)


class FaqEntry(AuditedModel):
    """A question and its standard answer, for a community or for a whole street (a street's
    entries are shown to every community below it). ``published`` entries appear on the
    residents' self-service page; staff search all of them."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    published = models.BooleanField(_("published to residents"), default=False)
    source = models.ForeignKey(
        Inquiry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="faq_entries",
        verbose_name=_("made from inquiry"),
    )

    # A street's entries reach its communities (read only); a community's stay in it.
    scope_rule = ScopeRule(community=None, area="area_id", reaches_below=True)
    audit_fields = ("area", "category", "question", "answer", "published", "source")

    class Meta:
        ordering = ("area_id", "category", "id")
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        indexes = [models.Index(fields=["area", "category", "id"], name="faq_area_idx")]

    def __str__(self) -> str:
        return self.question[:60]

    def get_absolute_url(self) -> str:
        return reverse("inquiries:faq_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.area.path

    def community_id_for_audit(self) -> int | None:
        community = self.area.community
        return community.pk if community is not None else None
