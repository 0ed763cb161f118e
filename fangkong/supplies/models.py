"""Supplies (防护物资): the catalogue, the places stock lives, donations, lots, the stock
ledger and supply requests.

Stock changes only through ``Movement`` rows (received, issued, transferred, adjusted), each
in the item's base unit and tied to one ``Lot`` (a donation's line, an allocation or a
purchase), so every unit issued traces back to where it came from. The balance of an item in
a place on a date is the sum of its movements up to that date; ``Stock`` keeps the current
sum per item and place as the row writers lock (two people issuing the last box wait for
each other) and carries the place's minimum level. Nothing edits a balance by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import CommunityOwned
from fangkong.supplies.choices import (
    Category,
    Condition,
    DonorKind,
    MovementKind,
    PlaceKind,
    Recipient,
    RequestStatus,
    Source,
    Unit,
    Veteran,
)


class Item(CommunityOwned):
    """A kind of supply the community keeps (消毒液, 防护服…), counted in ``base_unit``."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    base_unit = models.CharField(_("base unit"), max_length=20, choices=Unit.choices)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    audit_fields = ("name", "category", "base_unit", "notes", "is_active")

    class Meta:
        ordering = ("community_id", "name", "id")
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="supplies_item_name_unique",
                violation_error_message=_("This community already has an item with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supplies:item_detail", args=[self.pk])


class Pack(CommunityOwned):
    """A pack an item comes in: ``size`` base units to one ``unit`` (a box of 30 bottles)."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="packs", verbose_name=_("item")
    )
    unit = models.CharField(_("pack"), max_length=20, choices=Unit.choices)
    size = models.PositiveIntegerField(_("base units per pack"))

    audit_fields = ("item", "unit", "size")

    class Meta:
        ordering = ("item_id", "size", "id")
        verbose_name = _("pack size")
        verbose_name_plural = _("pack sizes")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "unit"],
                name="supplies_pack_unit_unique",
                violation_error_message=_("This item already has this pack."),
            ),
            models.CheckConstraint(
                condition=Q(size__gte=2),
                name="supplies_pack_size_positive",
                violation_error_message=_("A pack holds at least two base units."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_unit_display()}={self.size}"


class Place(CommunityOwned):
    """Where stock lives: the community office, a checkpoint (``staff.Checkpoint``, the gate
    the access app scans at) or a team (``staff.Team``)."""

    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    checkpoint = models.OneToOneField(
        "staff.Checkpoint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checkpoint"),
    )
    team = models.OneToOneField(
        "staff.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("team"),
    )

    audit_fields = ("kind", "name", "checkpoint", "team")

    class Meta:
        ordering = ("community_id", "kind", "name", "id")
        verbose_name = _("stock place")
        verbose_name_plural = _("stock places")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="supplies_place_name_unique",
                violation_error_message=_("This community already has a place with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supplies:balances") + f"?place={self.pk}"


class Donation(CommunityOwned):
    """A gift of supplies to the community: who gave it, when, and who received it. Its
    lines are ``Lot`` rows, each received into a place."""

    donor_kind = models.CharField(_("donor kind"), max_length=20, choices=DonorKind.choices)
    donor_name = models.CharField(_("donor"), max_length=100)
    veteran = models.CharField(
        _("veteran"), max_length=20, choices=Veteran.choices, default=Veteran.NO
    )
    donated_on = models.DateField(_("date"))
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("received into")
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_by_name = models.CharField(_("received by"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    audit_fields = ("donor_kind", "donor_name", "veteran", "donated_on", "place", "notes")

    class Meta:
        ordering = ("community_id", "-donated_on", "-id")
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        indexes = [
            models.Index(fields=["community", "donated_on", "id"], name="supplies_donation_list")
        ]

    def __str__(self) -> str:
        return f"{self.donor_name} {self.donated_on}"

    def get_absolute_url(self) -> str:
        return reverse("supplies:donation_detail", args=[self.pk])

    @property
    def number(self) -> str:
        """The receipt's number: the year and the row's id."""
        return f"JZ{self.donated_on:%Y}-{self.pk:05d}"


class Lot(CommunityOwned):
    """Units of one item received together: a donation's line, an allocation from above or
    a purchase. Every movement names its lot, so a bottle issued names its donation."""

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="lots", verbose_name=_("item")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    donation = models.ForeignKey(
        Donation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lots",
        verbose_name=_("donation"),
    )
    received_on = models.DateField(_("received on"))
    quantity = models.PositiveIntegerField(_("quantity (base units)"))
    #: As entered: 4 (boxes) of ``unit`` box.
    entered_quantity = models.PositiveIntegerField(_("quantity as entered"))
    entered_unit = models.CharField(_("unit as entered"), max_length=20, choices=Unit.choices)
    condition = models.CharField(
        _("condition"), max_length=20, choices=Condition.choices, default=Condition.NEW
    )
    expiry = models.DateField(_("expiry"), null=True, blank=True)
    supplier = models.CharField(_("from"), max_length=100, blank=True)

    audit_fields = (
        "item",
        "source",
        "donation",
        "received_on",
        "quantity",
        "entered_quantity",
        "entered_unit",
        "condition",
        "expiry",
        "supplier",
    )

    class Meta:
        ordering = ("community_id", "received_on", "id")
        verbose_name = _("lot")
        verbose_name_plural = _("lots")

    def __str__(self) -> str:
        return f"{self.item} #{self.pk}"

    def get_absolute_url(self) -> str:
        if self.donation_id:
            return reverse("supplies:donation_detail", args=[self.donation_id])
        return reverse("supplies:movement_list") + f"?lot={self.pk}"


class Stock(CommunityOwned):
    """An item in a place: its current balance (the sum of its movements, kept by the
    services in the movement's transaction; the row they lock) and the minimum level under
    which a task is raised."""

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("item")
    )
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("place")
    )
    quantity = models.IntegerField(_("balance"), default=0)
    minimum = models.PositiveIntegerField(_("minimum level"), default=0)

    audit_fields = ("item", "place", "minimum")

    class Meta:
        ordering = ("community_id", "place_id", "item_id", "id")
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "place"],
                name="supplies_stock_unique",
                violation_error_message=_("This item already has stock in this place."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="supplies_stock_not_negative",
                violation_error_message=_("Stock cannot go below zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} @ {self.place}"

    def get_absolute_url(self) -> str:
        return reverse("supplies:item_detail", args=[self.item_id])

    @property
    def is_low(self) -> bool:
        return self.minimum > 0 and self.quantity < self.minimum


class SupplyRequest(CommunityOwned):
    """A checkpoint's or a team's request for supplies. The officer issues (a transfer
    from the office into the requesting place) or refuses it. A patrol's "supplies short"
    finding opens one without an item: the officer decides what to send."""

    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="requests", verbose_name=_("requested by")
    )
    item = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("item"),
    )
    quantity = models.PositiveIntegerField(_("quantity (base units)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    patrol_visit = models.ForeignKey(
        "staff.PatrolVisit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("patrol visit"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    refusal = models.CharField(_("reason for refusing"), max_length=200, blank=True)

    audit_fields = ("place", "item", "quantity", "note", "status", "refusal")

    class Meta:
        ordering = ("community_id", "-requested_at", "-id")
        verbose_name = _("supply request")
        verbose_name_plural = _("supply requests")
        indexes = [
            models.Index(
                fields=["community", "status", "requested_at", "id"], name="supplies_request_list"
            )
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.requested_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("supplies:request_detail", args=[self.pk])


class Movement(CommunityOwned):
    """One line of the stock ledger: ``quantity`` base units of a lot into (positive) or
    out of (negative) a place on a day. An issue or a transfer that takes several lots is
    several rows with one ``batch``; a transfer's rows out and in share it too."""

    batch = models.PositiveBigIntegerField(_("batch"), db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    day = models.DateField(_("date"))
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="movements", verbose_name=_("lot")
    )
    quantity = models.IntegerField(_("quantity (base units)"))
    #: Received: the lot's source; issued: who to; adjusted: why.
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    other_place = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from or to place"),
    )
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
    signed_by = models.CharField(_("signed by"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    request = models.ForeignKey(
        SupplyRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="movements",
        verbose_name=_("request"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    audit_fields = (
        "batch",
        "kind",
        "day",
        "item",
        "place",
        "lot",
        "quantity",
        "reason",
        "other_place",
        "household",
        "signed_by",
        "note",
    )

    class Meta:
        ordering = ("community_id", "-day", "-id")
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [
            # The ledger's page, newest first.
            models.Index(fields=["community", "day", "id"], name="supplies_movement_list"),
            # Balances on a date: one range of a community's rows up to the day, read from
            # the index alone (it holds the item, the place and the quantity).
            models.Index(
                fields=["community", "day", "item", "place", "quantity"],
                name="supplies_movement_balance",
            ),
            # What a lot has left in a place (the first-expiring-first choice).
            models.Index(fields=["item", "place", "lot", "day"], name="supplies_movement_lot"),
            models.Index(fields=["household", "day"], name="supplies_movement_household"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0),
                name="supplies_movement_not_zero",
                violation_error_message=_("A movement moves at least one unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.quantity}"

    def get_absolute_url(self) -> str:
        return reverse("supplies:movement_list") + f"?batch={self.batch}"

    def reason_label(self) -> str:
        from fangkong.supplies.choices import AdjustReason

        for choices in (Source, Recipient, AdjustReason):
            if self.reason in choices.values:
                return str(choices(self.reason).label)
        return self.reason
