"""Self-service: a household's private link, residents' proposed corrections, and the log of
what was done through the link.

A link's token is 256 random bits (``tokens``) shown once, to print on the household's slip;
only its SHA-256 is stored, so the database cannot give a link back and a stolen copy of it
opens no household page. A token identifies a household and nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import CommunityOwned
from fangkong.core.personal_data import Protected
from fangkong.core.placement import Placed, Placement, grid_copy
from fangkong.core.scope import ScopeRule
from fangkong.selfservice.choices import ActivityKind, CorrectionKind, CorrectionStatus

#: Rows of a household are scoped like the household: its grid first, then the community.
HOUSEHOLD_SCOPE = ScopeRule(grid="grid_id")


class HouseholdLink(Placed, CommunityOwned):
    """A household's private link (and the slip printed with it). At most one is in force
    per household; revoking or replacing it ends the old one at once."""

    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=200, blank=True)
    #: The one-time sign-in code sent by SMS (its hash), until it is used or expires.
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    failed_codes = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    grid = grid_copy()
    placement = Placement("household", "household__building")
    scope_rule = HOUSEHOLD_SCOPE
    audit_fields = ("household", "expires_at", "revoked_at", "revoked_reason", "locked_until")

    class Meta:
        ordering = ("community_id", "-created", "-id")
        verbose_name = _("household link")
        verbose_name_plural = _("household links")
        indexes = [
            models.Index(fields=["household", "created"], name="selfservice_link_hh_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(revoked_at__isnull=True),
                name="selfservice_one_link_in_force",
                violation_error_message=_("This household already has a link in force."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("selfservice:household", args=[self.household_id])

    def area_path(self) -> str:
        return self.household.area_path()

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class Correction(Placed, CommunityOwned):
    """A change to the registry a resident proposes through the household's page. Nothing in
    the registry changes until the grid worker (or the office) approves it."""

    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    kind = models.CharField(_("change"), max_length=12, choices=CorrectionKind.choices)
    #: The member concerned (phone: empty for the household's own phone).
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    proposed_phone_cipher = models.TextField(blank=True, editable=False)
    proposed_phone_mask = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    #: A newborn's name, sex and birth date.
    name = models.CharField(_("name"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    #: Moved out: since when.
    date = models.DateField(_("date"), null=True, blank=True)
    #: Moved to another room of the same community.
    target_household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("new room"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
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
    decision_reason = models.CharField(_("reason"), max_length=200, blank=True)

    grid = grid_copy()
    placement = Placement("household", "household__building")
    scope_rule = HOUSEHOLD_SCOPE
    audit_fields = (
        "household",
        "kind",
        "person",
        "proposed_phone_mask",
        "name",
        "sex",
        "birth_date",
        "date",
        "target_household",
        "note",
        "status",
        "decided_by",
        "decided_at",
        "decision_reason",
    )

    class Meta:
        ordering = ("community_id", "-created", "-id")
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        indexes = [
            models.Index(
                fields=["community", "status", "created", "id"], name="selfservice_corr_idx"
            ),
            models.Index(fields=["grid", "status", "created"], name="selfservice_corr_grid_idx"),
            models.Index(fields=["household", "created"], name="selfservice_corr_hh_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.household}"

    def get_absolute_url(self) -> str:
        return reverse("selfservice:correction_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.household.area_path()

    def set_phone(self, protected: Protected) -> None:
        self.proposed_phone_cipher, self.proposed_phone_mask = protected.cipher, protected.mask


class Activity(Placed, CommunityOwned):
    """One thing done through a household's link (the officer's page lists them)."""

    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    link = models.ForeignKey(
        HouseholdLink,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("link"),
    )
    kind = models.CharField(_("what"), max_length=16, choices=ActivityKind.choices)
    time = models.DateTimeField(_("time"), default=timezone.now)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    grid = grid_copy()
    placement = Placement("household", "household__building")
    scope_rule = HOUSEHOLD_SCOPE
    audit_fields = ("household", "kind", "time", "detail")

    class Meta:
        ordering = ("community_id", "-time", "-id")
        verbose_name = _("self-service activity")
        verbose_name_plural = _("self-service activity")
        indexes = [
            models.Index(fields=["community", "time", "id"], name="selfservice_activity_idx"),
            models.Index(fields=["household", "time"], name="selfservice_activity_hh_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.household}"

    def get_absolute_url(self) -> str:
        return reverse("selfservice:household", args=[self.household_id])

    def area_path(self) -> str:
        return self.household.area_path()
