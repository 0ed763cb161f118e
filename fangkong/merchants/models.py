"""Merchants (商户): the shops around a community, their inspections, notices, complaints and
the digital personnel register (人员登记) customers sign at the door.

A shop belongs to the community that watches it (``community_id``) and sits in the community
or one of its grids (``area``). Its status changes are kept as a history
(``MerchantStatusChange``). An inspection answers the checklist item by item; a failed item
raises a follow-up task (``staff.Task`` of kind ``merchant.reinspect``) and stays open until
the follow-up is closed or a later visit passes it. Register entries are the one place a
customer's name and phone are kept; they are deleted after the retention period
(``settings.MERCHANT_REGISTER_DAYS``) and searched only by the health role, with a reason.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area, CommunityOwned
from fangkong.core.scope import ScopeRule
from fangkong.merchants.choices import (
    OPEN_STATUSES,
    CheckItem,
    CheckResult,
    ComplaintKind,
    EntrySource,
    MerchantKind,
    MerchantStatus,
)


def _whole_community() -> Q:
    # Every worker of the community (inspectors are often grid workers or lent bureau
    # staff) sees its shops: a shop is a public place, not a household.
    return Q()


#: Shops, visits, notices and complaints: seen by the whole community's staff.
SHOP_RULE = ScopeRule(wide=_whole_community)


class Merchant(CommunityOwned):
    """A shop, pharmacy, restaurant… that the community watches."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=MerchantKind.choices)
    address = models.CharField(_("address"), max_length=200)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
        help_text=_("The community or one of its grids."),
    )
    licence_number = models.CharField(_("licence number"), max_length=40, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_last4_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_mask = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=MerchantStatus.choices, default=MerchantStatus.CLOSED
    )
    status_since = models.DateField(_("status since"), null=True, blank=True)
    takes_temperature = models.BooleanField(
        _("takes temperatures at the door"),
        default=False,
        help_text=_("The sign-in page then asks for the temperature too."),
    )
    #: What the register poster's QR code carries (signed: see ``register_tokens``).
    register_nonce = models.CharField(max_length=32, unique=True, editable=False)
    #: The owner's link, as a SHA-256 digest only; empty: no link (never issued, or revoked).
    owner_token_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    owner_token_issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)

    scope_rule = SHOP_RULE
    audit_fields = (
        "name",
        "kind",
        "address",
        "area",
        "licence_number",
        "contact_name",
        "phone_mask",
        "status",
        "status_since",
        "takes_temperature",
        "owner_token_issued_at",
        "notes",
    )

    class Meta:
        ordering = ("community_id", "name", "id")
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        indexes = [
            models.Index(fields=["community", "name", "id"], name="merchant_community_name"),
            models.Index(fields=["community", "status"], name="merchant_community_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "licence_number"],
                condition=~Q(licence_number=""),
                name="merchant_unique_licence",
                violation_error_message=_("A shop with this licence number is already listed."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("merchants:merchant_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_owner_link(self) -> bool:
        return bool(self.owner_token_digest)


class MerchantStatusChange(CommunityOwned):
    """One change of a shop's status: the history the registry keeps."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("shop")
    )
    status = models.CharField(_("status"), max_length=20, choices=MerchantStatus.choices)
    on = models.DateField(_("since"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )

    scope_rule = SHOP_RULE
    audit_fields = ("merchant", "status", "on", "reason")

    class Meta:
        ordering = ("community_id", "merchant_id", "-on", "-id")
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["merchant", "on", "id"], name="merchant_status_history")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.on}"

    def get_absolute_url(self) -> str:
        return reverse("merchants:merchant_detail", args=[self.merchant_id])


class Inspection(CommunityOwned):
    """A visit to a shop: the checklist, and whether the notice and the book were delivered."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("shop")
    )
    visited_on = models.DateField(_("visited on"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    notice_delivered = models.BooleanField(_("prevention notice delivered"), default=False)
    book_delivered = models.BooleanField(_("registration book delivered"), default=False)
    signed_by = models.CharField(_("signed for by"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    failed_count = models.PositiveSmallIntegerField(_("failed items"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    scope_rule = SHOP_RULE
    audit_fields = (
        "merchant",
        "visited_on",
        "inspectors",
        "notice_delivered",
        "book_delivered",
        "signed_by",
        "notes",
        "failed_count",
    )

    class Meta:
        ordering = ("community_id", "-visited_on", "-id")
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["community", "visited_on", "id"], name="inspection_community_day"),
            models.Index(fields=["merchant", "visited_on", "id"], name="inspection_merchant_day"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} {self.visited_on}"

    def get_absolute_url(self) -> str:
        return reverse("merchants:inspection_detail", args=[self.pk])


class InspectionCheck(CommunityOwned):
    """One item of an inspection's checklist; a failed one carries its follow-up task and
    stays open until the follow-up is closed (``resolved_at``)."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="checks", verbose_name=_("inspection")
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="+", verbose_name=_("shop")
    )
    item = models.CharField(_("item"), max_length=30, choices=CheckItem.choices)
    result = models.CharField(_("result"), max_length=4, choices=CheckResult.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    follow_up = models.ForeignKey(
        "staff.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("follow-up"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(_("how it was resolved"), max_length=200, blank=True)

    scope_rule = SHOP_RULE
    audit_fields = (
        "inspection",
        "item",
        "result",
        "note",
        "follow_up",
        "resolved_at",
        "resolution",
    )

    class Meta:
        ordering = ("community_id", "inspection_id", "id")
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        indexes = [
            models.Index(
                fields=["community", "result", "resolved_at"], name="check_community_open"
            ),
            models.Index(fields=["merchant", "result", "resolved_at"], name="check_merchant_open"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"],
                name="check_one_answer_per_item",
                violation_error_message=_("Each item of the checklist is answered once."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.get_result_display()}"

    def get_absolute_url(self) -> str:
        return reverse("merchants:inspection_detail", args=[self.inspection_id])

    @property
    def is_open(self) -> bool:
        return self.result == CheckResult.FAIL and self.resolved_at is None


class NoticeTemplate(CommunityOwned):
    """The community's wording of the prevention notice (疫情防控告知函); printed per shop."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    contact = models.CharField(_("community contact"), max_length=100, blank=True)

    scope_rule = SHOP_RULE
    audit_fields = ("title", "body", "contact")

    class Meta:
        ordering = ("community_id", "id")
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        constraints = [
            models.UniqueConstraint(
                fields=["community"],
                name="notice_template_one_per_community",
                violation_error_message=_("The community already has a notice template."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("merchants:notice_template")


class Notice(CommunityOwned):
    """A prevention notice handed to a shop, with who signed for it."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="notices", verbose_name=_("shop")
    )
    inspection = models.ForeignKey(
        Inspection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("inspection"),
    )
    delivered_on = models.DateField(_("delivered on"))
    signed_by = models.CharField(_("signed for by"), max_length=50, blank=True)
    with_book = models.BooleanField(_("registration book delivered with it"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    scope_rule = SHOP_RULE
    audit_fields = ("merchant", "inspection", "delivered_on", "signed_by", "with_book")

    class Meta:
        ordering = ("community_id", "-delivered_on", "-id")
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["community", "delivered_on", "id"], name="notice_community_day"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} {self.delivered_on}"

    def get_absolute_url(self) -> str:
        return reverse("merchants:merchant_detail", args=[self.merchant_id])


class Complaint(CommunityOwned):
    """A resident's complaint about a shop; shown on the shop's page until closed."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="complaints", verbose_name=_("shop")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ComplaintKind.choices)
    received_on = models.DateField(_("received on"))
    description = models.TextField(_("description"), blank=True)
    task = models.ForeignKey(
        "staff.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("inspection task"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    scope_rule = SHOP_RULE
    audit_fields = (
        "merchant",
        "kind",
        "received_on",
        "description",
        "task",
        "closed_at",
        "outcome",
    )

    class Meta:
        ordering = ("community_id", "-received_on", "-id")
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["merchant", "closed_at"], name="complaint_merchant_open"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant}: {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("merchants:merchant_detail", args=[self.merchant_id])


class RegisterEntry(CommunityOwned):
    """Someone who came into a shop: name, phone (protected), maybe a temperature.

    Never copied into the change log (it would outlive the retention period there); a
    search of the register is recorded as an access event instead."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="+", verbose_name=_("shop")
    )
    at = models.DateTimeField(_("time"))
    name = models.CharField(_("name"), max_length=50)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_last4_index = models.CharField(max_length=40, blank=True, editable=False)
    phone_mask = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    temperature = models.DecimalField(
        _("temperature"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    source = models.CharField(_("entered through"), max_length=10, choices=EntrySource.choices)

    scope_rule = ScopeRule()

    class Meta:
        ordering = ("community_id", "-at", "-id")
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        indexes = [
            models.Index(fields=["merchant", "at", "id"], name="register_merchant_time"),
            models.Index(fields=["community", "at"], name="register_community_time"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("merchants:register_search")

    def audit_snapshot(self) -> dict[str, Any]:
        return {"merchant": self.merchant_id, "at": self.at.isoformat()}
