"""Every state change of the registry. Atomic, checked against the actor's scope, audited.

Views, the API, imports and the demo all come through here; nothing else writes registry rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_access, record_change, record_changes
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.personal_data import (
    decrypt,
    id_number_indexes,
    phone_indexes,
    protect_id_number,
    protect_phone,
    retired_keys_in_use,
)
from fangkong.core.pinyin import name_pinyin
from fangkong.core.querysets import covers, require
from fangkong.core.services import check_version, locked, save_checked
from fangkong.core.validators import (
    id_birth_date_and_sex,
    validate_birth_date,
    validate_phone,
    validate_resident_id,
)
from fangkong.registry.choices import IdType, PersonStatus
from fangkong.registry.models import Building, Household, Person, building_sort_key

if TYPE_CHECKING:
    from fangkong.accounts.models import User

BUILDING_FIELDS = ("grid", "number", "name", "section", "units", "floors", "notes")
HOUSEHOLD_FIELDS = ("building", "unit", "floor", "room", "number", "head", "is_active", "notes")
PERSON_FIELDS = (
    "household",
    "relation",
    "name",
    "sex",
    "birth_date",
    "id_type",
    "residency",
    "notes",
)


# --- Checks shared by every service ---------------------------------------------------------


# --- Buildings ------------------------------------------------------------------------------


def _validate_building(building: Building) -> None:
    if building.grid is not None and (
        building.grid.level != AreaLevel.GRID or building.grid.parent_id != building.community_id
    ):
        raise ValidationError({"grid": _("Choose a grid of this building's community.")})
    if building.grid is not None and not building.grid.is_open:
        raise ValidationError({"grid": _("This grid is closed: choose an open one.")})
    exclude = ["community", "grid"]
    building.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)


@transaction.atomic
def do_create_building(*, community: Area, by: User | None, **data: Any) -> Building:
    require(by, Building, "add", community)
    fields = {k: v for k, v in data.items() if k in BUILDING_FIELDS}
    building = Building(community=community, **fields)
    building.sort_key = building_sort_key(building.number)
    _validate_building(building)
    save_checked(building)
    record_change(ChangeAction.CREATE, building, actor=by)
    return building


@transaction.atomic
def do_update_building(
    building: Building, *, by: User, expected_version: int | None = None, **data: Any
) -> Building:
    building = locked(Building, building.pk)
    require(by, Building, "change", building)
    check_version(building, expected_version)
    before = building.audit_snapshot()
    for key, value in data.items():
        if key in BUILDING_FIELDS:
            setattr(building, key, value)
    building.sort_key = building_sort_key(building.number)
    _validate_building(building)
    building.version += 1
    save_checked(building)
    record_change(ChangeAction.UPDATE, building, before=before, actor=by)
    return building


def _move_building(building: Building, grid: Area | None, by: User | None) -> bool:
    """The one way a building changes grid: its row saved (``Placed.save`` carries the new
    ``grid_id`` down to every household, person, pass and case below it, in this transaction)
    and audited. False: it was there already."""
    if building.grid_id == (grid.pk if grid else None):
        return False
    before = building.audit_snapshot()
    building.grid = grid
    _validate_building(building)
    building.version += 1
    building.save(update_fields=["grid", "version", "updated"])
    record_change(ChangeAction.UPDATE, building, before=before, actor=by)
    return True


@transaction.atomic
def do_assign_buildings_to_grid(
    *, community: Area, buildings: Iterable[int], grid: Area | None, by: User | None
) -> int:
    """Put the community's ``buildings`` (ids) into ``grid`` (None: no grid), all or none;
    the count moved.

    Laying out a community's grids is area management: it takes the right to change the
    community's areas (an administrator's), not the registry's, and shows no resident.
    """
    from fangkong.areas.models import Area as AreaModel

    require(by, AreaModel, "change", community)
    if community.level != AreaLevel.COMMUNITY or not community.is_open:
        raise ValidationError(_("Choose an open community."))
    if grid is not None and (
        grid.level != AreaLevel.GRID or grid.parent_id != community.pk or not grid.is_open
    ):
        raise ValidationError({"grid": _("Choose an open grid of this community.")})
    wanted = sorted(set(buildings))
    if not wanted:
        raise ValidationError({"buildings": _("Tick at least one building.")})
    rows = list(
        # Only the buildings are locked: PostgreSQL refuses to lock the grid's outer join.
        Building.objects.select_for_update(of=("self",))
        .filter(community=community, pk__in=wanted)
        .select_related("grid")
        .order_by("pk")
    )
    if len(rows) != len(wanted):
        raise ValidationError({"buildings": _("Choose buildings of this community.")})
    return sum(_move_building(building, grid, by) for building in rows)


def move_grid_buildings(grid: Area, target: Area, by: User | None) -> int:
    """Every building of ``grid`` into ``target`` (closing a grid: ``core.area_contents``)."""
    ids = Building.objects.filter(grid=grid).values_list("pk", flat=True)
    if target.parent_id is None:
        raise ValidationError(_("Choose an open grid of this community."))
    community = Area.objects.get(pk=target.parent_id)
    return do_assign_buildings_to_grid(community=community, buildings=ids, grid=target, by=by)


# --- Households -----------------------------------------------------------------------------


def _household_number(household: Household) -> str:
    return f"{household.building.number}-{household.unit}-{household.room}"


def _validate_household(household: Household) -> None:
    building = household.building
    if household.unit < 1 or household.unit > building.units:
        raise ValidationError(
            {
                "unit": _("Building %(building)s has units 1 to %(units)s.")
                % {"building": building, "units": building.units}
            }
        )
    if household.floor is not None and household.floor > building.floors:
        raise ValidationError(
            {
                "floor": _("Building %(building)s has %(floors)s floors.")
                % {"building": building, "floors": building.floors}
            }
        )
    if household.head is not None and household.head.household_id != household.pk:
        raise ValidationError({"head": _("The head must be a member of this household.")})
    household.full_clean(exclude=["community", "building", "head"])


@transaction.atomic
def do_create_household(*, building: Building, by: User, phone: str = "", **data: Any) -> Household:
    require(by, Household, "add", building)
    household = Household(
        community_id=building.community_id,
        building=building,
        **{k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS and k != "building"},
    )
    household.room = str(household.room).strip()
    household.number = household.number or _household_number(household)
    household.set_phone(protect_phone(validate_phone(phone) if phone else ""))
    _validate_household(household)
    save_checked(household)
    record_change(ChangeAction.CREATE, household, actor=by)
    return household


@transaction.atomic
def do_update_household(
    household: Household,
    *,
    by: User,
    expected_version: int | None = None,
    phone: str | None = None,
    **data: Any,
) -> Household:
    household = locked(Household, household.pk)
    require(by, Household, "change", household)
    check_version(household, expected_version)
    before = household.audit_snapshot()
    for key, value in data.items():
        if key in HOUSEHOLD_FIELDS:
            setattr(household, key, value)
    if household.building.community_id != household.community_id:
        raise ValidationError({"building": _("Choose a building of this community.")})
    require(by, Household, "change", household.building)
    if phone is not None:
        household.set_phone(protect_phone(validate_phone(phone) if phone else ""))
    household.number = household.number or _household_number(household)
    _validate_household(household)
    household.version += 1
    save_checked(household)
    record_change(ChangeAction.UPDATE, household, before=before, actor=by)
    return household


# --- People ---------------------------------------------------------------------------------


def _apply_person_data(
    person: Person, data: dict[str, Any], id_number: str | None, phone: str | None
) -> None:
    for key, value in data.items():
        if key in PERSON_FIELDS:
            setattr(person, key, value)
    if "tags" in data:
        person.tags = Person.encode_tags(data["tags"] or [])
    person.name = (person.name or "").strip()
    person.name_pinyin, person.name_initials = name_pinyin(person.name)
    if id_number is not None:
        if id_number and person.id_type == IdType.RESIDENT_ID:
            try:
                number = validate_resident_id(id_number)
            except ValidationError as exc:
                raise ValidationError({"id_number": exc.messages}) from None
            birth, sex = id_birth_date_and_sex(number)
            person.birth_date, person.sex = birth, sex
            person.set_id_number(protect_id_number(number))
        else:
            person.set_id_number(protect_id_number(id_number.strip()))
    if phone is not None:
        try:
            person.set_phone(protect_phone(validate_phone(phone) if phone else ""))
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None


def _validate_person(person: Person, by: User | None) -> None:
    if not person.name:
        raise ValidationError({"name": _("Enter the person's name.")})
    if person.household is not None:
        if person.household.community_id != person.community_id:
            raise ValidationError({"household": _("Choose a household of this community.")})
        require(by, Person, "add" if person.pk is None else "change", person.household)
    try:
        validate_birth_date(person.birth_date)  # not in the future, not before 1890
    except ValidationError as exc:
        raise ValidationError({"birth_date": exc.messages}) from None
    if person.id_number_index:
        indexes = [person.id_number_index]
        if retired_keys_in_use():
            # During a key rotation the other holder's row may still carry a retired key's
            # index, which the unique constraint cannot compare with this one.
            indexes = id_number_indexes(decrypt(person.id_number_cipher))
        clash = Person.objects.filter(
            community_id=person.community_id, id_number_index__in=indexes
        ).exclude(pk=person.pk)
        if clash.exists():
            raise ValidationError(
                {
                    "id_number": _(
                        "A person with this ID number is already registered in this community."
                    )
                }
            )
    person.full_clean(exclude=["community", "household"], validate_constraints=False)


@transaction.atomic
def do_create_person(
    *, community: Area, by: User | None, id_number: str = "", phone: str = "", **data: Any
) -> Person:
    # Checked where the person will live: a grid worker may add to their own grid's households.
    household = data.get("household")
    require(by, Person, "add", household if household else community)
    person = Person(community=community)
    _apply_person_data(person, data, id_number, phone)
    if person.household_id is None and by is not None and not covers(by, community):
        raise Http404
    _validate_person(person, by)
    save_checked(person)
    record_change(ChangeAction.CREATE, person, actor=by)
    return person


@transaction.atomic
def do_update_person(
    person: Person,
    *,
    by: User,
    expected_version: int | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    **data: Any,
) -> Person:
    """Change a person. ``id_number``/``phone`` of None keep the stored value; "" clears it."""
    person = locked(Person, person.pk)
    require(by, Person, "change", person)
    check_version(person, expected_version)
    before = person.audit_snapshot()
    _apply_person_data(person, data, id_number, phone)
    _validate_person(person, by)
    person.version += 1
    save_checked(person)
    record_change(ChangeAction.UPDATE, person, before=before, actor=by)
    return person


@transaction.atomic
def do_deactivate_person(
    person: Person,
    *,
    by: User,
    status: PersonStatus | str,
    date: dt.date,
    reason: str,
    expected_version: int | None = None,
) -> Person:
    """Record that a person moved out, moved house or died. Rows are never deleted."""
    person = locked(Person, person.pk)
    require(by, Person, "deactivate", person)
    check_version(person, expected_version)
    if status == PersonStatus.ACTIVE or status not in PersonStatus.values:
        raise ValidationError({"status": _("Choose why the person leaves the registry.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    before = person.audit_snapshot()
    person.status, person.status_date, person.status_reason = status, date, reason.strip()
    person.version += 1
    person.save(update_fields=["status", "status_date", "status_reason", "version", "updated"])
    household = person.household
    if household is not None and household.head_id == person.pk:
        household_before = household.audit_snapshot()
        household.head = None
        household.version += 1
        household.save(update_fields=["head", "version", "updated"])
        record_change(ChangeAction.UPDATE, household, before=household_before, actor=by)
    record_change(ChangeAction.UPDATE, person, before=before, actor=by)
    return person


def reactivation_refused() -> str:
    """Why a user without the right is not shown the way back (the page and the service)."""
    return _(
        "Only the community office and grid workers may bring a person back into the registry."
    )


@transaction.atomic
def do_reactivate_person(
    person: Person,
    *,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> Person:
    """Bring a deactivated person back: deactivated by mistake, or moved back in.

    The same right as leaving the registry (``deactivate``); the status date becomes today
    and the reason replaces the old one (the audit row keeps both). The person comes back
    without their household's head role: whoever heads it now stays head.
    """
    person = locked(Person, person.pk)
    require(by, Person, "deactivate", person, reason=reactivation_refused())
    check_version(person, expected_version)
    if person.is_active:
        raise ValidationError(_("This person is already active in the registry."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    before = person.audit_snapshot()
    person.status, person.status_date, person.status_reason = (
        PersonStatus.ACTIVE,
        person.community.local_today(),
        reason,
    )
    person.version += 1
    person.save(update_fields=["status", "status_date", "status_reason", "version", "updated"])
    record_change(ChangeAction.UPDATE, person, before=before, actor=by)
    return person


def do_reveal_person(person: Person, *, by: User, reason: str) -> dict[str, str]:
    """One person's full ID number and phone, for a user with the right and a reason.

    Each reveal is an access event; the values themselves are never logged.
    """
    require(by, Person, "reveal", person)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why you need to see the full numbers.")})
    record_access(
        AccessKind.REVEAL,
        actor=by,
        area_path=person.area_path(),
        obj=person,
        reason=reason,
        detail={"fields": ["id_number", "phone"]},
    )
    return {"id_number": decrypt(person.id_number_cipher), "phone": decrypt(person.phone_cipher)}


def find_people_by_id_number(queryset: Any, value: str, *, by: User) -> Any:
    """People whose ID number equals ``value``, through the blind index (no decryption)."""
    record_access(
        AccessKind.SEARCH,
        actor=by,
        area_path=(by.area.path if by and by.area is not None else "/"),
        detail={"by": "id_number"},
    )
    return queryset.filter(id_number_index__in=id_number_indexes(value))


def find_people_by_phone(queryset: Any, value: str, *, by: User) -> Any:
    """People whose phone equals ``value``, through the blind index; an access event."""
    record_access(
        AccessKind.SEARCH,
        actor=by,
        area_path=(by.area.path if by and by.area is not None else "/"),
        detail={"by": "phone"},
    )
    return queryset.filter(phone_index__in=phone_indexes(value))


@transaction.atomic
def do_bulk_create_people(
    people: Iterable[Person], *, by: User, batch_size: int = 1000
) -> list[Person]:
    """Insert prepared people in batches with one audit row each (imports, the demo)."""
    people = list(people)
    for person in people:
        person.name_pinyin, person.name_initials = name_pinyin(person.name)
    created = Person.objects.bulk_create(people, batch_size=batch_size)
    if any(p.pk is None for p in created):
        # SQLite before 3.35 cannot return ids; never the case with Django 6's minimum.
        raise RuntimeError("bulk_create did not return primary keys")
    record_changes(ChangeAction.CREATE, created, actor=by)
    return created
