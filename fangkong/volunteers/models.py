"""Volunteers (志愿者) and their mobilisation: who is willing to help, what they can do and
when, a request for people at a place and time, who answered, and the hours they served.

A volunteer is a resident of the registry (linked by ``person``, never copied: their name
and phone stay on the person) or someone from outside the community, whose name and phone
are kept here, the phone protected like a resident's. Accepted volunteers go on the staff
duty roster (``staff.Shift``) through the staff app's services, as a ``StaffMember`` of the
community's volunteer organisation that ``staff_member`` links.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area, CommunityOwned
from fangkong.core.personal_data import Protected
from fangkong.volunteers.choices import (
    ALL_WEEKDAYS,
    Answer,
    Health,
    RequestStatus,
    Skill,
    VolunteerGroup,
    labels_of,
)


class Volunteer(CommunityOwned):
    """A person willing to help the community: their groups (veterans first), skills, when
    and where they can serve, and whether they are fit for duty."""

    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_records",
        verbose_name=_("resident"),
    )
    # Someone from outside the community: their own name and phone (empty for a resident).
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_last4_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_mask = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    groups = models.CharField(_("groups"), max_length=100, blank=True, default="")
    #: 0 veterans, 1 veterans' families, 2 others: the lists' first sort key.
    rank = models.PositiveSmallIntegerField(_("rank"), default=2, editable=False)
    skills = models.CharField(_("skills"), max_length=200, blank=True, default="")
    weekdays = models.CharField(_("weekdays"), max_length=7, default=ALL_WEEKDAYS)
    # A window ending at or before its start runs past midnight (20:00–08:00).
    available_from = models.TimeField(_("available from"), default=dt.time(0, 0))
    available_until = models.TimeField(_("available until"), default=dt.time(0, 0))
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area served")
    )
    health = models.CharField(
        _("health"), max_length=10, choices=Health.choices, default=Health.FIT
    )
    health_checked_on = models.DateField(_("health checked on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    staff_member = models.OneToOneField(
        "staff.StaffMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        verbose_name=_("roster entry"),
    )
    notes = models.TextField(_("notes"), blank=True)

    audit_fields = (
        "person",
        "name",
        "phone_mask",
        "groups",
        "skills",
        "weekdays",
        "available_from",
        "available_until",
        "area",
        "health",
        "health_checked_on",
        "is_active",
        "notes",
    )

    class Meta:
        ordering = ("community_id", "rank", "id")
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [
            models.Index(fields=["community", "rank", "id"], name="volunteer_list_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "person"],
                condition=Q(person__isnull=False),
                name="volunteer_person_once",
                violation_error_message=_("This resident is already a volunteer."),
            ),
            models.UniqueConstraint(
                fields=["community", "phone_index"],
                condition=~Q(phone_index=""),
                name="volunteer_phone_once",
                violation_error_message=_("A volunteer with this phone is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(name=""),
                name="volunteer_has_a_name",
                violation_error_message=_("Choose a resident or give the volunteer's name."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("volunteers:volunteer_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        person = self.person
        return str(person.name) if person is not None else self.name

    @property
    def shown_phone(self) -> str:
        """The masked phone: the resident's when linked."""
        person = self.person
        return str(person.phone_mask) if person is not None else self.phone_mask

    @property
    def is_resident(self) -> bool:
        return self.person_id is not None

    def skill_labels(self) -> str:
        return labels_of(self.skills, Skill)

    def group_labels(self) -> str:
        return labels_of(self.groups, VolunteerGroup)

    def weekday_labels(self) -> str:
        from fangkong.volunteers.choices import Weekday

        names = dict(Weekday.choices)
        return "、".join(str(names[d]) for d in self.weekdays if d in names)

    def set_phone(self, protected: Protected) -> None:
        self.phone_cipher, self.phone_index, self.phone_mask = (
            protected.cipher,
            protected.index,
            protected.mask,
        )
        self.phone_last4_index = protected.extra.get("last4_index", "")


class VolunteerRequest(CommunityOwned):
    """A call for volunteers ("6 people for the north gate tonight"): a place (a checkpoint,
    or a place named in words within an area), a time window, skills wanted and how many.
    Its ``shift`` is the roster's shift the accepted volunteers are put on."""

    checkpoint = models.ForeignKey(
        "staff.Checkpoint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checkpoint"),
    )
    place_name = models.CharField(_("place"), max_length=100, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    skills = models.CharField(_("skills wanted"), max_length=200, blank=True, default="")
    people_needed = models.PositiveSmallIntegerField(_("people needed"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    shift = models.OneToOneField(
        "staff.Shift",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_request",
        verbose_name=_("shift"),
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )

    audit_fields = (
        "checkpoint",
        "place_name",
        "area",
        "start",
        "end",
        "skills",
        "people_needed",
        "status",
        "shift",
        "notes",
    )

    class Meta:
        ordering = ("community_id", "-start", "id")
        verbose_name = _("volunteer request")
        verbose_name_plural = _("volunteer requests")
        indexes = [
            models.Index(fields=["community", "-start", "id"], name="volunteer_request_list_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="volunteer_request_ends_after_start",
                violation_error_message=_("A request must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(people_needed__gte=1),
                name="volunteer_request_needs_someone",
                violation_error_message=_("Ask for at least one person."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} · {self.people_needed}"

    def get_absolute_url(self) -> str:
        return reverse("volunteers:request_detail", args=[self.pk])

    @property
    def place(self) -> str:
        return self.checkpoint.name if self.checkpoint is not None else self.place_name

    def skill_labels(self) -> str:
        return labels_of(self.skills, Skill)


class VolunteerResponse(CommunityOwned):
    """A volunteer's answer to a request; an accepted one puts them on the request's shift
    (``assignment``) and, once the shift is done, counts the ``hours`` they served."""

    request = models.ForeignKey(
        VolunteerRequest,
        on_delete=models.CASCADE,
        related_name="responses",
        verbose_name=_("request"),
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="responses", verbose_name=_("volunteer")
    )
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    assignment = models.OneToOneField(
        "staff.ShiftAssignment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_response",
        verbose_name=_("shift assignment"),
    )
    hours = models.DecimalField(
        _("hours served"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    audit_fields = ("request", "volunteer", "answer", "assignment", "hours")

    class Meta:
        ordering = ("request_id", "answer", "id")
        verbose_name = _("volunteer response")
        verbose_name_plural = _("volunteer responses")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "volunteer"],
                name="volunteer_response_once",
                violation_error_message=_("This volunteer has already answered this request."),
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=Decimal("0")),
                name="volunteer_response_hours_not_negative",
                violation_error_message=_("Hours served cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.get_answer_display()}"

    def get_absolute_url(self) -> str:
        return reverse("volunteers:request_detail", args=[self.request_id])
