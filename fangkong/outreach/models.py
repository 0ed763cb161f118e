"""Outreach (宣传与通知): announcements, broadcast scripts and rounds (流动宣传), phone
notification scripts (电话通知) and health guidance.

Announcements, notification scripts and guidance are placed on an area of any level (a
street's reach every community below it); broadcast scripts and rounds are a community's.
A notification script is shared upward: a community proposes it, a street officer
recommends it, and from then on it is placed on the street (``reach``) while ``area`` keeps
where it came from — so every community of that street, and no other, finds it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area, CommunityOwned
from fangkong.core.models import AuditedModel
from fangkong.core.querysets import RestrictedQuerySet
from fangkong.core.scope import ScopeRule
from fangkong.outreach.choices import AudioStatus, ScriptStatus

USER = settings.AUTH_USER_MODEL


def _community_id(area: Area) -> int | None:
    community = area.community
    return community.pk if community is not None else None


class Announcement(AuditedModel):
    """A notice to residents of an area (a street, a community or a grid), optionally only
    some of its buildings or only the households under quarantine, valid between two days,
    sent through the channels ticked (a poster, the residents' page, a text read on the phone).
    """

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    buildings = models.ManyToManyField(
        "registry.Building", blank=True, related_name="+", verbose_name=_("only these buildings")
    )
    quarantined_only = models.BooleanField(_("only households under quarantine"), default=False)
    on_poster = models.BooleanField(_("notice board poster"), default=True)
    on_household_page = models.BooleanField(_("residents' page"), default=True)
    on_phone = models.BooleanField(_("read out on the phone"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_rule = ScopeRule(community=None, area="area_id", reaches_below=True)
    audit_fields = (
        "area",
        "title",
        "body",
        "quarantined_only",
        "on_poster",
        "on_household_page",
        "on_phone",
        "valid_from",
        "valid_until",
    )

    class Meta:
        ordering = ("-valid_from", "-id")
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="announcement_ends_after_it_starts",
                violation_error_message=_("An announcement cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["area", "valid_until", "id"], name="announcement_area_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("outreach:announcement_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.area.path

    def community_id_for_audit(self) -> int | None:
        return _community_id(self.area)

    def is_current(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until


class BroadcastScript(CommunityOwned):
    """What the loudspeaker says on a round (流动宣传), and from it an audio file."""

    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))
    audio_status = models.CharField(
        _("audio"), max_length=10, choices=AudioStatus.choices, default=AudioStatus.NONE
    )
    #: The text the audio was made from: when it differs from ``text`` the audio is stale.
    audio_text = models.TextField(blank=True)
    audio_error = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    audit_fields = ("title", "text", "audio_status", "is_active")

    class Meta:
        ordering = ("community_id", "-id")
        verbose_name = _("broadcast script")
        verbose_name_plural = _("broadcast scripts")
        indexes = [models.Index(fields=["community", "id"], name="broadcast_script_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("outreach:broadcast_detail", args=[self.pk])

    @property
    def audio_is_current(self) -> bool:
        return self.audio_status == AudioStatus.READY and self.audio_text == self.text


class BroadcastAudio(models.Model):
    """The WAV made from a broadcast script, kept in the database so that the web servers
    and the worker that made it need share nothing else (a file of ~30 KB a second)."""

    script = models.OneToOneField(BroadcastScript, on_delete=models.CASCADE, related_name="audio")
    wav = models.BinaryField()
    made = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"audio of {self.script_id}"


class BroadcastRound(CommunityOwned):
    """One loudspeaker round: which buildings (or grids) it drove past, when, who, what."""

    script = models.ForeignKey(
        BroadcastScript,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("broadcast script"),
    )
    at = models.DateTimeField(_("time"))
    staff = models.CharField(_("staff"), max_length=200)
    buildings = models.ManyToManyField(
        "registry.Building", blank=True, related_name="+", verbose_name=_("buildings")
    )
    grids = models.ManyToManyField(Area, blank=True, related_name="+", verbose_name=_("grids"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    audit_fields = ("script", "at", "staff", "note")

    class Meta:
        ordering = ("community_id", "-at", "-id")
        verbose_name = _("broadcast round")
        verbose_name_plural = _("broadcast rounds")
        indexes = [models.Index(fields=["community", "at", "id"], name="broadcast_round_idx")]

    def __str__(self) -> str:
        return f"{self.script_id} @ {self.at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:round_detail", args=[self.pk])


class NotificationScript(AuditedModel):
    """A phone notification script (电话通知): the words a caller reads, with fields such as
    ``{姓名}`` filled from the household called. Its text lives in versions.

    ``area`` is where it was written (its origin, shown wherever it is used); ``reach`` is
    where it is placed: its own area, or, once recommended, the street that recommended it.
    """

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    reach = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("used in")
    )
    title = models.CharField(_("title"), max_length=100)
    current = models.ForeignKey(
        "NotificationScriptVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("current version"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ScriptStatus.choices, default=ScriptStatus.OWN
    )
    proposed_at = models.DateTimeField(_("proposed"), null=True, blank=True)
    recommended_at = models.DateTimeField(_("recommended"), null=True, blank=True)
    recommended_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_rule = ScopeRule(community=None, area="reach_id", reaches_below=True)
    audit_fields = ("area", "reach", "title", "current", "status")

    class Meta:
        ordering = ("-id",)
        verbose_name = _("notification script")
        verbose_name_plural = _("notification scripts")
        indexes = [models.Index(fields=["reach", "id"], name="notification_script_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("outreach:script_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.reach.path

    def community_id_for_audit(self) -> int | None:
        return _community_id(self.reach)

    @property
    def current_version(self) -> NotificationScriptVersion:
        if self.current is None:
            raise ValueError(f"notification script {self.pk} has no version")
        return self.current


class NotificationScriptVersion(models.Model):
    """One saved text of a notification script. Never changed once written: a campaign
    keeps the version its callers read."""

    script = models.ForeignKey(
        NotificationScript,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("notification script"),
    )
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rule = ScopeRule(community=None, area="script__reach_id", reaches_below=True)

    class Meta:
        ordering = ("script", "-number")
        verbose_name = _("notification script version")
        verbose_name_plural = _("notification script versions")
        constraints = [
            models.UniqueConstraint(
                fields=["script", "number"],
                name="notification_version_unique",
                violation_error_message=_("This version of the script already exists."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(title)s, version %(number)s") % {
            "title": self.script.title,
            "number": self.number,
        }


class Guidance(AuditedModel):
    """A block of health guidance (健康提示): the standard advice or the area's own, shown on
    the residents' page and printable as a poster."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    on_household_page = models.BooleanField(_("residents' page"), default=True)

    scope_rule = ScopeRule(community=None, area="area_id", reaches_below=True)
    audit_fields = ("area", "title", "body", "position", "on_household_page")

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("health guidance")
        verbose_name_plural = _("health guidance")
        indexes = [models.Index(fields=["area", "position", "id"], name="guidance_area_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("outreach:guidance_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.area.path

    def community_id_for_audit(self) -> int | None:
        return _community_id(self.area)
