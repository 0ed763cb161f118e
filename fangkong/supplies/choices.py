"""Stable codes of the supplies app: units, donors, movements, requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    """What a quantity is counted in: an item's base unit, or one of its packs."""

    BOTTLE = "bottle", _("bottle")
    PIECE = "piece", _("piece")
    PAIR = "pair", _("pair")
    SET = "set", _("set")
    BAG = "bag", _("bag")
    BOX = "box", _("box")
    CASE = "case", _("case")
    BARREL = "barrel", _("barrel")
    PARCEL = "parcel", _("parcel")


class Category(models.TextChoices):
    DISINFECTANT = "disinfectant", _("Disinfectant")
    PROTECTIVE = "protective", _("Protective clothing")
    MASK = "mask", _("Masks")
    GLOVES = "gloves", _("Gloves")
    GOGGLES = "goggles", _("Goggles")
    THERMOMETER = "thermometer", _("Thermometers")
    FOOD = "food", _("Food")
    MEDICINE = "medicine", _("Medicine")
    OTHER = "other", _("Other supplies")


class PlaceKind(models.TextChoices):
    OFFICE = "office", _("Community office")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    TEAM = "team", _("Team")


class DonorKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")
    ORGANISATION = "organisation", _("Organisation")


class Veteran(models.TextChoices):
    NO = "no", _("Not a veteran")
    VETERAN = "veteran", _("Veteran")
    VETERAN_RUN = "veteran_run", _("Run by a veteran")


class Condition(models.TextChoices):
    NEW = "new", _("New, sealed")
    GOOD = "good", _("Good")
    DAMAGED = "damaged", _("Partly damaged")


class Source(models.TextChoices):
    """Where a lot came from."""

    DONATION = "donation", _("Donation")
    ALLOCATION = "allocation", _("Allocation from above")
    PURCHASE = "purchase", _("Purchase")


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ISSUED = "issued", _("Issued")
    TRANSFER_OUT = "transfer_out", _("Transferred out")
    TRANSFER_IN = "transfer_in", _("Transferred in")
    ADJUSTED = "adjusted", _("Adjusted")


class Recipient(models.TextChoices):
    """To whom stock is issued (a checkpoint or a team receives it as a transfer into its
    place, so its stock stays counted there)."""

    HOUSEHOLD = "household", _("A household")
    PERSON = "person", _("A person")


class AdjustReason(models.TextChoices):
    COUNTED = "counted", _("Counted")
    EXPIRED = "expired", _("Expired")
    DAMAGED = "damaged", _("Damaged")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
