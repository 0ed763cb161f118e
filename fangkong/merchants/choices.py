"""Stable codes of the merchants app: kinds of shop, statuses, the inspection checklist."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MerchantKind(models.TextChoices):
    GROCERY = "grocery", _("Grocery")
    SUPERMARKET = "supermarket", _("Supermarket")
    PHARMACY = "pharmacy", _("Pharmacy")
    RESTAURANT = "restaurant", _("Restaurant")
    BARBER = "barber", _("Barber")
    BAKERY = "bakery", _("Bakery")
    HARDWARE = "hardware", _("Hardware shop")
    CLINIC = "clinic", _("Clinic")
    OTHER = "other", _("Other shop")


class MerchantStatus(models.TextChoices):
    CLOSED = "closed", _("Closed")
    OPEN = "open", pgettext_lazy("shop status", "Open")
    REOPENED = "reopened", _("Reopened")
    CLOSED_BY_ORDER = "closed_by_order", _("Closed by order")


#: The statuses of a shop that serves customers (it gets a register poster).
OPEN_STATUSES = (MerchantStatus.OPEN, MerchantStatus.REOPENED)


class CheckItem(models.TextChoices):
    """The inspection checklist, in the order the form asks it."""

    STAFF_MASKS = "staff_masks", _("Masks on staff")
    DOOR_TEMPERATURE = "door_temperature", _("Temperature checks at the door")
    REGISTER_KEPT = "register_kept", _("Registration kept")
    DISINFECTION = "disinfection", _("Disinfection schedule")
    VENTILATION = "ventilation", _("Ventilation")
    HAND_SANITISER = "hand_sanitiser", _("Hand sanitiser")
    DISTANCE = "distance", _("Distance between customers")
    STAFF_HEALTH = "staff_health", _("Staff health reports")


class CheckResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class ComplaintKind(models.TextChoices):
    NO_MASKS = "no_masks", _("No masks")
    CROWDING = "crowding", _("Crowding")
    PRICE_GOUGING = "price_gouging", _("Price gouging")
    NO_REGISTER = "no_register", _("No registration")
    OTHER = "other", _("Other complaint")


class EntrySource(models.TextChoices):
    QR = "qr", _("QR code")
    OWNER = "owner", _("Entered by the shop")
