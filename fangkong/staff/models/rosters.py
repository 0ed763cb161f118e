"""Duty rosters: gate checkpoints (门岗卡点), shifts, who is on them, swaps between people.

A shift's place is a checkpoint or another place (an office) named in words. Times are
stored in UTC and shown in the community's time zone. A shift short of people is a gap.
The access app (passes, the gate scanner) points its gate events at ``Checkpoint``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import CommunityOwned
from fangkong.staff.choices import SwapStatus
from fangkong.staff.duty_hours import zone_of
from fangkong.staff.models.people import StaffMember, Team
from fangkong.staff.querysets import StaffScopedMixin

if TYPE_CHECKING:
    from fangkong.accounts.models import User


class Checkpoint(StaffScopedMixin, CommunityOwned):
    """A gate checkpoint of a community (门岗卡点): where residents show their pass, visitors
    register and temperatures are taken. ``opens``/``closes`` empty means open round the
    clock; ``is_open`` false means the gate is shut for now."""

    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location"), max_length=200, blank=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    audit_fields = ("name", "location", "opens", "closes", "is_open", "notes")

    class Meta:
        ordering = ("community", "name", "pk")
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="staff_checkpoint_name_unique",
                violation_error_message=_(
                    "This community already has a checkpoint with this name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(opens__isnull=True, closes__isnull=True)
                | Q(opens__isnull=False, closes__isnull=False),
                name="staff_checkpoint_hours_both_or_none",
                violation_error_message=_(
                    "Give both opening and closing times, or neither "
                    "for a gate open round the clock."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("staff:checkpoint_roster", args=[self.pk])

    @property
    def round_the_clock(self) -> bool:
        return self.opens is None

    @classmethod
    def own_q(cls, user: User) -> Q:
        """The gates of the community the user works in. Checkpoint staff see no other staff
        rows than their own, but their scanner client must learn its gates' ids
        (``/api/v1/checkpoints/``): the gates of their community are theirs to use."""
        scope = user.scope()
        if scope.everything:
            return Q()
        return Q(community_id__in=scope.communities | scope.grid_communities)


class Shift(StaffScopedMixin, CommunityOwned):
    """A stretch of duty at one place: a checkpoint, or an office named in words.

    ``team`` is the team that staffs it; its leader approves swaps on it (as the community
    officer does). ``start``/``end`` are aware datetimes stored in UTC.
    """

    checkpoint = models.ForeignKey(
        Checkpoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shifts",
        verbose_name=_("checkpoint"),
    )
    place_name = models.CharField(_("place"), max_length=100, blank=True)
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    people_needed = models.PositiveSmallIntegerField(_("people needed"), default=1)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shifts",
        verbose_name=_("team"),
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    audit_fields = ("checkpoint", "place_name", "start", "end", "people_needed", "team", "notes")

    class Meta:
        ordering = ("community", "start", "checkpoint", "place_name", "pk")
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="staff_shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(checkpoint__isnull=False) | ~Q(place_name=""),
                name="staff_shift_has_a_place",
                violation_error_message=_("Choose a checkpoint or name the place."),
            ),
            models.CheckConstraint(
                condition=Q(people_needed__gte=1),
                name="staff_shift_needs_someone",
                violation_error_message=_("A shift needs at least one person."),
            ),
        ]
        indexes = [models.Index(fields=["community", "start"], name="staff_shift_start_idx")]

    def __str__(self) -> str:
        local = timezone.localtime(self.start, zone_of(self.community))
        return f"{self.place} {local:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("staff:shift_detail", args=[self.pk])

    @property
    def place(self) -> str:
        return self.checkpoint.name if self.checkpoint is not None else self.place_name

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start

    @classmethod
    def own_q(cls, user: User) -> Q:
        return Q(pk__in=ShiftAssignment.objects.filter(member__user=user).values("shift"))


class ShiftAssignment(StaffScopedMixin, CommunityOwned):
    """One person on one shift, and when they checked in and out (by themself, on a phone)."""

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("shift")
    )
    member = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("staff member"),
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)

    audit_fields = ("shift", "member", "checked_in_at", "checked_out_at")

    class Meta:
        ordering = ("shift", "member__name", "pk")
        verbose_name = _("shift assignment")
        verbose_name_plural = _("shift assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "member"],
                name="staff_assignment_unique",
                violation_error_message=_("This person is already on this shift."),
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="staff_assignment_out_after_in",
                violation_error_message=_("A check-out needs an earlier check-in."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.shift}"

    def get_absolute_url(self) -> str:
        return reverse("staff:shift_detail", args=[self.shift_id])

    @property
    def served(self) -> dt.timedelta | None:
        if self.checked_in_at and self.checked_out_at:
            return self.checked_out_at - self.checked_in_at
        return None

    @classmethod
    def own_q(cls, user: User) -> Q:
        return Q(member__user=user)


class SwapRequest(StaffScopedMixin, CommunityOwned):
    """A request that ``to_member`` take ``from_member``'s place on ``shift`` — and, when
    ``return_shift`` is given, that ``from_member`` take ``to_member``'s place there in
    return. Approved by the shift's owner: the community officer or the team's leader."""

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="swap_requests", verbose_name=_("shift")
    )
    from_member = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        related_name="swaps_out",
        verbose_name=_("from"),
    )
    to_member = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        related_name="swaps_in",
        verbose_name=_("to"),
    )
    return_shift = models.ForeignKey(
        Shift,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shift taken in return"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SwapStatus.choices,
        default=SwapStatus.PENDING,
        db_index=True,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    audit_fields = (
        "shift",
        "from_member",
        "to_member",
        "return_shift",
        "status",
        "note",
        "decided_by",
        "decided_at",
        "decision_note",
    )

    class Meta:
        ordering = ("community", "-created", "-pk")
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_member=F("to_member")),
                name="staff_swap_two_people",
                violation_error_message=_("A swap needs two different people."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_member} → {self.to_member} · {self.shift}"

    def get_absolute_url(self) -> str:
        return reverse("staff:swap_list", args=[self.community_id])

    @classmethod
    def own_q(cls, user: User) -> Q:
        return Q(from_member__user=user) | Q(to_member__user=user)
