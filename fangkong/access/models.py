"""Access: pass policies, passes, their suspensions, gate events and visitors.

The gates themselves are ``staff.Checkpoint`` (name, location, hours, open or closed, the
duty roster); every gate event and visitor points at one. Passes carry no personal data in
their QR code: only a signed random token (see ``pass_tokens``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.access.choices import (
    Decision,
    Direction,
    ExemptionKind,
    FlagReason,
    PassScope,
    PassStatus,
    ReasonCode,
    SuspensionSource,
    VisitorStatus,
)
from fangkong.access.pass_tokens import token_digest, token_for
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area, CommunityOwned
from fangkong.core.personal_data import Protected
from fangkong.core.placement import Placed, Placement, grid_copy
from fangkong.core.scope import ScopeRule

#: Rows of a household are scoped like the household: its grid first, then the community.
HOUSEHOLD_SCOPE = ScopeRule(grid="grid_id")


class PassPolicy(CommunityOwned):
    """A community's outing rule: how often a household may go out, for how long, and who
    else may come in. One per community; a change applies from the next scan.

    The fever threshold is the community's own (``Area.fever_threshold``), shared with
    screening and health: the policy uses it and shows it, never keeps a second one.
    """

    # One per community, reachable from it (``community.pass_policy``): a scan reads the gate,
    # its community and the policy in one query.
    community = models.OneToOneField(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="pass_policy",
        verbose_name=_("community"),
        limit_choices_to={"level": "community"},
    )
    outings = models.PositiveSmallIntegerField(
        _("outings per period"),
        default=1,
        help_text=_("How many exits a household (or person) may make in each period."),
    )
    window_days = models.PositiveSmallIntegerField(
        _("period in calendar days"),
        default=2,
        help_text=_("One outing in two days: out on Monday, next allowed from Wednesday 00:00."),
    )
    max_minutes = models.PositiveIntegerField(
        _("maximum time out (minutes)"),
        null=True,
        blank=True,
        default=240,
        help_text=_("Leave empty for no limit."),
    )
    visitors_allowed = models.BooleanField(_("visitors allowed"), default=True)
    pass_scope = models.CharField(
        _("passes"), max_length=10, choices=PassScope.choices, default=PassScope.HOUSEHOLD
    )
    #: The last serial sequence handed out in this community (serials never repeat).
    last_serial = models.PositiveIntegerField(default=0, editable=False)

    audit_fields = ("outings", "window_days", "max_minutes", "visitors_allowed", "pass_scope")

    class Meta:
        # The table's own columns: "community" would sort by the area's own order (a join).
        ordering = ("community_id", "id")
        verbose_name = _("pass policy")
        verbose_name_plural = _("pass policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(outings__gte=1) & Q(window_days__gte=1) & Q(window_days__lte=31),
                name="access_policy_sensible_quota",
                violation_error_message=_("At least one outing in a period of 1 to 31 days."),
            ),
        ]

    def __str__(self) -> str:
        return _("Pass policy of %(community)s") % {"community": self.community}

    def get_absolute_url(self) -> str:
        return reverse("access:policy")


class Exemption(Placed, CommunityOwned):
    """A household (or one member) exempt from the outing quota and the time limit until a
    date, on a document shown to the office: an employer's letter, a hospital's appointment."""

    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExemptionKind.choices)
    document = models.CharField(
        _("document"),
        max_length=200,
        help_text=_("What was shown: an employer's letter, a hospital's appointment..."),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    notes = models.TextField(_("notes"), blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    grid = grid_copy()
    placement = Placement("household", "household__building")
    scope_rule = HOUSEHOLD_SCOPE
    audit_fields = (
        "household",
        "person",
        "kind",
        "document",
        "starts_on",
        "ends_on",
        "notes",
        "revoked_at",
    )

    class Meta:
        ordering = ("-ends_on", "-pk")
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        indexes = [
            models.Index(fields=["household", "ends_on"], name="access_exempt_hh_idx"),
            models.Index(fields=["grid", "ends_on"], name="access_exempt_grid_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="access_exemption_ends_after_start",
                violation_error_message=_("An exemption ends on or after the day it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.household}"

    def get_absolute_url(self) -> str:
        return reverse("access:exemption_list")

    def area_path(self) -> str:
        return self.household.area_path()

    def covers(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on


class Pass(Placed, CommunityOwned):
    """An access pass (出入证): a numbered card with a QR code, for a household or a member.

    ``status`` is kept by the services: ``suspended`` while any suspension of the household
    remains (``suspended_until`` is the latest end, or empty for "until lifted"); a replaced
    pass points at its successor. ``out_since`` marks an outing in progress.
    """

    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="passes",
        verbose_name=_("household"),
    )
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("holder"),
    )
    serial = models.CharField(_("serial number"), max_length=12)
    nonce = models.CharField(max_length=24, unique=True, editable=False)
    digest = models.CharField(max_length=32, db_index=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PassStatus.choices,
        default=PassStatus.ACTIVE,
        db_index=True,
    )
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    void_reason = models.CharField(_("reason"), max_length=200, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    out_since = models.DateTimeField(_("out since"), null=True, blank=True, db_index=True)
    #: The household has an exemption not yet ended: only then does a scan look them up.
    has_exemption = models.BooleanField(default=False, editable=False)

    grid = grid_copy()
    placement = Placement("household", "household__building")
    scope_rule = HOUSEHOLD_SCOPE
    audit_fields = (
        "household",
        "person",
        "serial",
        "status",
        "suspended_until",
        "void_reason",
        "replaced_by",
    )

    class Meta:
        # Own columns only, read in order from the serial's unique index (community_id,
        # serial); unique, so the order is total without the id.
        ordering = ("community_id", "serial")
        verbose_name = _("pass")
        verbose_name_plural = _("passes")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "serial"],
                name="access_pass_serial_unique",
                violation_error_message=_(
                    "This community already has a pass with this serial number."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["household", "status"], name="access_pass_hh_idx"),
            models.Index(fields=["grid", "status"], name="access_pass_grid_idx"),
        ]

    def __str__(self) -> str:
        return _("Pass %(serial)s") % {"serial": self.serial}

    def get_absolute_url(self) -> str:
        return reverse("access:pass_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.household.area_path()

    @property
    def token(self) -> str:
        """What the QR code says. Never stored: derived from the nonce and the key."""
        return token_for(self.nonce)

    def set_nonce(self, nonce: str) -> None:
        self.nonce = nonce
        self.digest = token_digest(token_for(nonce))

    @property
    def serial_display(self) -> str:
        return f"{self.serial[:-1]}-{self.serial[-1]}" if len(self.serial) > 1 else self.serial


class Suspension(Placed, CommunityOwned):
    """Why a household's passes are suspended, who asked and until when.

    Sources (the community office, the health module...) suspend and lift independently; a
    pass works again only when no suspension of any source remains. The reason is for the
    office: the gate only ever says "suspended, please contact the community".
    """

    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    source = models.CharField(_("source"), max_length=30)
    reason = models.CharField(_("reason"), max_length=300)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    grid = grid_copy()
    placement = Placement("household", "household__building")
    scope_rule = HOUSEHOLD_SCOPE
    audit_fields = ("household", "source", "reason", "until", "lifted_at")

    class Meta:
        ordering = ("-created", "-pk")
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        indexes = [models.Index(fields=["grid", "created"], name="access_susp_grid_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "source"],
                condition=Q(lifted_at__isnull=True),
                name="access_one_open_suspension_per_source",
                violation_error_message=_("This source has already suspended this household."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_label} · {self.household}"

    @property
    def source_label(self) -> str:
        """The source's name when it is a known one (``SuspensionSource``), else its code."""
        return str(dict(SuspensionSource.choices).get(self.source, self.source))

    def area_path(self) -> str:
        return self.household.area_path()

    def in_force(self, at: dt.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.lifted_at is None and (self.until is None or self.until > at)


class GateEvent(Placed, CommunityOwned):
    """One scan at a gate: who (which pass), where, which way, the decision and its reason.

    A gate event is its own log row (no change-log row besides it, but for the office's
    review of a flagged one). ``client_event_id`` is
    the scanner's UUID: the same event sent again is recognised, never counted twice — a
    unique constraint, so concurrent replays are safe. ``device_time`` is when the gate saw
    it, ``received_at`` when the server did; ``time`` is the one used for rules and reports
    (the device's, for events queued offline). ``passed`` says whether the person went
    through: for an event decided offline by the phone it follows the phone's decision.
    """

    # Every scan inserts a row, so the table carries no index a wider one already covers:
    # the community's by (community, time), the household's by (household, direction, time).
    community = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        limit_choices_to={"level": AreaLevel.COMMUNITY},
        db_index=False,
    )
    checkpoint = models.ForeignKey(
        "staff.Checkpoint",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checkpoint"),
    )
    pass_obj = models.ForeignKey(
        Pass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_column="pass_id",
        verbose_name=_("pass"),
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
        db_index=False,
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    decision = models.CharField(_("decision"), max_length=5, choices=Decision.choices)
    reason_code = models.CharField(_("reason"), max_length=20, choices=ReasonCode.choices)
    passed = models.BooleanField(_("went through"), default=False)
    temperature = models.DecimalField(
        _("temperature"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    quota_left = models.SmallIntegerField(null=True, blank=True)
    next_allowed_at = models.DateTimeField(null=True, blank=True)
    client_event_id = models.UUIDField(_("client event id"), unique=True)
    # No index of its own: every query by time is a community's or a household's (the
    # indexes below), and a lone time index tempts PostgreSQL's generic plan for the scan's
    # prepared read into walking every event in the window instead of one household's.
    time = models.DateTimeField(_("time"))
    device_time = models.DateTimeField(_("device time"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    offline = models.BooleanField(_("recorded offline"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    flag = models.CharField(_("for review"), max_length=20, choices=FlagReason.choices, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    grid = grid_copy()
    placement = Placement("household", "household__building")
    scope_rule = HOUSEHOLD_SCOPE
    #: A scan is its own log row; only the office's review changes one (``do_review_event``).
    audit_fields = ("flag", "reviewed_at")

    class Meta:
        ordering = ("-time", "-pk")
        verbose_name = _("gate event")
        verbose_name_plural = _("gate events")
        indexes = [
            models.Index(fields=["grid", "time", "id"], name="access_event_grid_idx"),
            # The gate log: one community's events newest first, id breaking ties, so a page
            # (or a cursor's next page) is a range of this index read backwards, no sort.
            models.Index(fields=["community", "time", "id"], name="access_event_log_idx"),
            models.Index(fields=["household", "direction", "time"], name="access_event_hh_idx"),
            # The few events for review (most scans have no flag, so they cost it nothing).
            models.Index(
                fields=["community", "time"], condition=~Q(flag=""), name="access_event_review_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} · {self.get_reason_code_display()}"

    def get_absolute_url(self) -> str:
        return reverse("access:event_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.household.area_path() if self.household is not None else self.community.path


class Visitor(Placed, CommunityOwned):
    """A visitor registered at a gate (访客登记): who, to which household, why, when in and out.

    The phone and the ID number are protected like the registry's (ciphertext, blind index,
    mask). The household is called through the logged call route; who confirmed, or the
    refusal, is recorded.
    """

    checkpoint = models.ForeignKey(
        "staff.Checkpoint",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checkpoint"),
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household visited"),
    )
    name = models.CharField(_("name"), max_length=100)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_last4_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_mask = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    id_number_mask = models.CharField(_("ID number"), max_length=40, blank=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=200)
    plate = models.CharField(_("vehicle plate"), max_length=20, blank=True)
    temperature = models.DecimalField(_("temperature"), max_digits=3, decimal_places=1)
    time_in = models.DateTimeField(_("time in"), default=timezone.now)
    time_out = models.DateTimeField(_("time out"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VisitorStatus.choices, default=VisitorStatus.WAITING
    )
    confirmed_by = models.CharField(_("confirmed by"), max_length=100, blank=True)
    refusal_reason = models.CharField(_("refusal"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    grid = grid_copy()
    placement = Placement("household", "household__building")

    #: Not a column: set on the visitors a page lists (``stats.visitors_inside_now``).
    past_closing: bool

    scope_rule = HOUSEHOLD_SCOPE
    audit_fields = (
        "name",
        "phone_mask",
        "id_number_mask",
        "household",
        "purpose",
        "plate",
        "temperature",
        "time_in",
        "time_out",
        "status",
        "confirmed_by",
        "refusal_reason",
    )

    class Meta:
        ordering = ("-time_in", "-pk")
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        indexes = [
            models.Index(fields=["community", "time_out"], name="access_visitor_in_idx"),
            models.Index(fields=["grid", "time_out"], name="access_visitor_grid_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("access:visitor_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.household.area_path()

    @property
    def inside(self) -> bool:
        return self.time_out is None and self.status != VisitorStatus.REFUSED

    def set_phone(self, protected: Protected) -> None:
        self.phone_cipher, self.phone_index, self.phone_mask = (
            protected.cipher,
            protected.index,
            protected.mask,
        )
        self.phone_last4_index = protected.extra.get("last4_index", "")

    def set_id_number(self, protected: Protected) -> None:
        self.id_number_cipher, self.id_number_index, self.id_number_mask = (
            protected.cipher,
            protected.index,
            protected.mask,
        )


def fever_threshold_of(community: object) -> Decimal:
    value = getattr(community, "fever_threshold", None)
    return (
        Decimal(str(value)) if value is not None else Decimal(str(settings.FEVER_THRESHOLD_DEFAULT))
    )
