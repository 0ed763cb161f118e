"""The registry: buildings, households and people of a community.

``Person`` is the one identity table: a resident, a visitor, a shop's staff, a case and a
volunteer are all people. ID numbers and phones are protected (see core.personal_data):
ciphertext, blind indexes and a mask, never plaintext.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area, CommunityOwned
from fangkong.core.imports.places import FLOORS_MAX, UNITS_MAX
from fangkong.core.personal_data import Protected
from fangkong.core.placement import Placed, Placement, grid_copy
from fangkong.core.scope import ScopeRule
from fangkong.registry.choices import (
    IdType,
    PersonStatus,
    PersonTag,
    Relation,
    Residency,
    Sex,
)

#: A building's units and floors (declared with the import's place parsers, which read
#: them too), a household's floor: the bounds of real buildings (and of the pages' fields).
#: 2,147,483,648 units is a typo, not a building.
FLOOR_MIN = -10  # basements are negative floors


def building_sort_key(number: str) -> int:
    digits = re.sub(r"\D", "", number or "")
    return int(digits[:9]) if digits else 0


class Building(Placed, CommunityOwned):
    """A residential building (楼栋), numbered within its community and named as locals call it."""

    grid = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
        limit_choices_to={"level": AreaLevel.GRID},
        verbose_name=_("grid"),
    )
    number = models.CharField(_("building number"), max_length=20)
    name = models.CharField(_("name"), max_length=100, blank=True)
    section = models.CharField(_("section"), max_length=50, blank=True)
    units = models.PositiveSmallIntegerField(
        _("units"), default=1, validators=[MinValueValidator(1), MaxValueValidator(UNITS_MAX)]
    )
    floors = models.PositiveSmallIntegerField(
        _("floors"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(FLOORS_MAX)],
    )
    notes = models.TextField(_("notes"), blank=True)
    sort_key = models.PositiveIntegerField(default=0, editable=False)

    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = ("number", "name", "section", "grid", "units", "floors", "notes")

    class Meta:
        # The table's own columns: a related ordering ("community") would sort by the area's
        # columns through a join. building_list_idx serves the community's list in this order.
        ordering = ("community_id", "section", "sort_key", "number", "id")
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "number"],
                name="building_number_unique_in_community",
                violation_error_message=_(
                    "This community already has a building with this number."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(units__gte=1) & models.Q(floors__gte=1),
                name="building_has_units_and_floors",
                violation_error_message=_("A building has at least one unit and one floor."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "section", "sort_key", "number", "id"],
                name="building_list_idx",
            ),
            # The search's address branch finds buildings by number (东园1号楼, 1-2-301) in
            # any community of the scope.
            models.Index(fields=["number"], name="building_number_idx"),
        ]

    def __str__(self) -> str:
        return self.name or _("Building %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("registry:building_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.grid.path if self.grid is not None else self.community.path


class Household(Placed, CommunityOwned):
    """A household (户): the people living in one room of a building, with a head."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("building")
    )
    unit = models.PositiveSmallIntegerField(
        _("unit"), default=1, validators=[MinValueValidator(1), MaxValueValidator(UNITS_MAX)]
    )
    floor = models.SmallIntegerField(
        _("floor"),
        null=True,
        blank=True,
        validators=[MinValueValidator(FLOOR_MIN), MaxValueValidator(FLOORS_MAX)],
    )
    room = models.CharField(_("room"), max_length=20)
    number = models.CharField(_("household number"), max_length=40, blank=True)
    head = models.ForeignKey(
        "Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("head of household"),
    )
    # A household's landline (024-…), protected like every phone.
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_last4_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_mask = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    is_active = models.BooleanField(_("occupied"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    grid = grid_copy()
    placement = Placement("building", "building")
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = (
        "building",
        "unit",
        "floor",
        "room",
        "number",
        "head",
        "phone_mask",
        "is_active",
        "notes",
    )

    class Meta:
        # Own columns only (a building's households by unit, floor and room); the list index
        # below serves it.
        ordering = ("community_id", "building_id", "unit", "floor", "room", "id")
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"],
                name="household_room_unique_in_building",
                violation_error_message=_("This room already has a household."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["grid", "building", "unit", "floor", "room", "id"],
                name="household_grid_idx",
            ),
            models.Index(
                fields=["community", "building", "unit", "floor", "room", "id"],
                name="household_list_idx",
            ),
            # Search by household number or room: the value first, so any scope (one
            # community, a district's many) is served.
            models.Index(fields=["number", "community"], name="household_number_idx"),
            models.Index(fields=["room"], name="household_room_idx"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _("%(building)s unit %(unit)s room %(room)s") % {
            "building": self.building,
            "unit": self.unit,
            "room": self.room,
        }

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.building.area_path()

    def set_phone(self, protected: Protected) -> None:
        self.phone_cipher, self.phone_index, self.phone_mask = (
            protected.cipher,
            protected.index,
            protected.mask,
        )
        self.phone_last4_index = protected.extra.get("last4_index", "")


class Person(Placed, CommunityOwned):
    """A person known to a community: resident, tenant, visitor, shop staff, case, volunteer.

    Belongs to the community that recorded them (where they live, for residents). Never
    deleted by a worker: a person who moves out, moves house or dies is deactivated with a
    date and a reason.
    """

    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("household"),
    )
    relation = models.CharField(
        _("relation to head"), max_length=20, choices=Relation.choices, blank=True
    )
    name = models.CharField(_("name"), max_length=100)
    # For search by pinyin (zs finds 张三); computed by the service, surnames read correctly.
    name_pinyin = models.CharField(max_length=300, blank=True, db_index=True, editable=False)
    name_initials = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_type = models.CharField(
        _("ID type"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    id_number_mask = models.CharField(_("ID number"), max_length=40, blank=True, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_last4_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_mask = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    residency = models.CharField(
        _("residency"), max_length=20, choices=Residency.choices, default=Residency.PERMANENT
    )
    # Tag codes between bars (``|veteran|chronic|``): filterable with one LIKE on any database.
    tags = models.CharField(_("tags"), max_length=200, blank=True, default="")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PersonStatus.choices,
        default=PersonStatus.ACTIVE,
        db_index=True,
    )
    status_date = models.DateField(_("status date"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    grid = grid_copy()
    placement = Placement("household", "household__building")
    scope_rule = ScopeRule(grid="grid_id")
    audit_fields = (
        "name",
        "sex",
        "birth_date",
        "id_type",
        "id_number_mask",
        "phone_mask",
        "household",
        "relation",
        "residency",
        "tags",
        "status",
        "status_date",
        "status_reason",
        "notes",
    )

    class Meta:
        # Own columns only: ("community", "household") expanded into an 8-key sort over four
        # tables. People of a household stay together; the list indexes serve this order.
        ordering = ("community_id", "household_id", "id")
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="person_id_number_unique_in_community",
                violation_error_message=_(
                    "A person with this ID number is already registered in this community."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["grid", "status", "household", "id"], name="person_grid_idx"),
            models.Index(fields=["community", "name"], name="person_name_idx"),
            # The people page (active people by default) and the API (every status).
            models.Index(fields=["community", "status", "household", "id"], name="person_list_idx"),
            models.Index(fields=["community", "household", "id"], name="person_order_idx"),
        ]
        # Search indexes outside the model state (migration 0003): on PostgreSQL a pg_trgm
        # GIN index on UPPER(name); on SQLite the name gram table and its triggers.

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:person_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.household.area_path() if self.household is not None else self.community.path

    def audit_person_id(self) -> int:
        return self.pk

    @property
    def is_active(self) -> bool:
        return self.status == PersonStatus.ACTIVE

    @property
    def age(self) -> int | None:
        if not self.birth_date:
            return None
        today = timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.strip("|").split("|") if t]

    def tag_labels(self) -> list[str]:
        labels = dict(PersonTag.choices)
        return [str(labels.get(t, t)) for t in self.tag_list]

    @staticmethod
    def encode_tags(tags: list[str] | tuple[str, ...] | set[str]) -> str:
        ordered = [t for t in PersonTag.values if t in set(tags)]
        return f"|{'|'.join(ordered)}|" if ordered else ""

    def set_id_number(self, protected: Protected) -> None:
        self.id_number_cipher, self.id_number_index, self.id_number_mask = (
            protected.cipher,
            protected.index,
            protected.mask,
        )

    def set_phone(self, protected: Protected) -> None:
        self.phone_cipher, self.phone_index, self.phone_mask = (
            protected.cipher,
            protected.index,
            protected.mask,
        )
        self.phone_last4_index = protected.extra.get("last4_index", "")

    def inactive_since(self) -> dt.date | None:
        return None if self.is_active else self.status_date
