"""Checkpoint patrols (巡查): a leader walks the gates, records who was on duty, what was
wrong, maybe a photo, and the follow-up task the visit raised.

In the origin story the chief visited every gate checkpoint every day to learn how the
checks went; the findings are a closed list (so a day's summary can count them) plus words.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import CommunityOwned
from fangkong.staff.choices import PatrolFinding
from fangkong.staff.duty_hours import zone_of
from fangkong.staff.models.people import StaffMember
from fangkong.staff.models.rosters import Checkpoint
from fangkong.staff.models.tasks import Task
from fangkong.staff.querysets import StaffScopedMixin


class PatrolVisit(StaffScopedMixin, CommunityOwned):
    """One visit to one checkpoint: when, by whom, who was on duty, what was found."""

    checkpoint = models.ForeignKey(
        Checkpoint,
        on_delete=models.PROTECT,
        related_name="patrols",
        verbose_name=_("checkpoint"),
    )
    time = models.DateTimeField(_("time"), db_index=True)
    by_member = models.ForeignKey(
        StaffMember,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrols",
        verbose_name=_("patrolled by"),
    )
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    on_duty = models.ManyToManyField(
        StaffMember,
        blank=True,
        related_name="patrolled_on_duty",
        verbose_name=_("on duty"),
    )
    # Finding codes between bars (``|crowding|staff_absent|``): one LIKE counts them on any
    # database, as registry tags do.
    findings = models.CharField(_("findings"), max_length=300, blank=True, default="")
    notes = models.TextField(_("notes"), blank=True)
    follow_up = models.ForeignKey(
        Task,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("follow-up task"),
    )

    audit_fields = ("checkpoint", "time", "by_member", "findings", "notes", "follow_up")

    class Meta:
        ordering = ("community", "-time", "-pk")
        verbose_name = _("patrol visit")
        verbose_name_plural = _("patrol visits")
        indexes = [models.Index(fields=["community", "time"], name="staff_patrol_time_idx")]

    def __str__(self) -> str:
        local = timezone.localtime(self.time, zone_of(self.community))
        return f"{self.checkpoint} {local:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("staff:patrol_detail", args=[self.pk])

    def audit_snapshot(self) -> dict[str, Any]:
        snapshot = super().audit_snapshot()
        if self.pk is not None:
            snapshot["on_duty"] = sorted(m.pk for m in self.on_duty.all())
        return snapshot

    @property
    def finding_list(self) -> list[str]:
        return [code for code in self.findings.strip("|").split("|") if code]

    def finding_labels(self) -> list[str]:
        labels = dict(PatrolFinding.choices)
        return [str(labels.get(code, code)) for code in self.finding_list]

    @staticmethod
    def encode_findings(codes: list[str] | tuple[str, ...] | set[str]) -> str:
        ordered = [code for code in PatrolFinding.values if code in set(codes)]
        return f"|{'|'.join(ordered)}|" if ordered else ""


def patrol_photo_path(instance: PatrolPhoto, filename: str) -> str:
    # The name the phone gave is not kept: it may hold a person's name or a date.
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
        instance.content_type, "bin"
    )
    now = timezone.now()
    return f"patrols/{now:%Y/%m}/{instance.visit_id}-{now:%H%M%S%f}.{extension}"


class PatrolPhoto(StaffScopedMixin, CommunityOwned):
    """A photo taken on a patrol (a crowded gate, an empty shelf of masks). Served only
    through a page that checks the viewer's scope, never as a public media URL."""

    visit = models.ForeignKey(
        PatrolVisit,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("patrol visit"),
    )
    file = models.FileField(_("photo"), upload_to=patrol_photo_path, max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(default=0)

    audit_fields = ("visit", "content_type", "size")

    class Meta:
        ordering = ("visit", "pk")
        verbose_name = _("patrol photo")
        verbose_name_plural = _("patrol photos")

    def __str__(self) -> str:
        return f"{self.visit} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("staff:patrol_photo", args=[self.pk])
