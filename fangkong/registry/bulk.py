"""Bulk changes of the registry: the resident import's writing half.

``do_import_residents`` takes rows already parsed and validated row by row (see
``fangkong.registry.imports``) and, in one transaction:

* checks the actor's right to import and, row by row, that the building lies in their area
  (checked here, inside the transaction, not trusted from a preview);
* resolves each row's building (``core.imports.places.BuildingIndex``), unit and room to a
  household, creating missing households in existing buildings (an unknown building is a
  row error);
* matches people already registered: by the ID number's blind index within the community,
  and people without an ID number by household and name; a match is *unchanged* or
  *updated* (only columns the file has, and an empty cell never clears a stored value);
* writes new households and people in batched multi-row INSERTs and changed people in
  prepared UPDATEs (``core.bulk.BulkWriter``: what ``bulk_create`` and ``bulk_update`` do,
  without their per-value overhead), with one audit row each (built by
  ``core.audit.ChangeRows``, as every audit row is), applying
  pinyin, validation results and encryption exactly as ``do_create_person`` does.

Performance notes (bench/import_residents.py, profiled): Django's insert compiler cost
~15 µs per value and keyword construction of a 26-column model ~40 µs, which together were
most of an import; the mandatory work per person (phone and ID validation, two Fernet
encryptions, blind indexes, pinyin) is now the larger part.

Decisions worth knowing (also in the import page's help):

* An ID number already registered in *another* household of the community is a row error:
  moving a person is done on their page, never silently by a spreadsheet.
* A person recorded as moved out or died is a row error: reactivating is a decision.
* When the household has no head yet, the first row whose relation is 户主 becomes its head.
* With ``all_or_nothing`` a single row error rolls everything back; with ``dry_run`` nothing
  is written and no write lock is taken (the preview).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.audit import (
    ChangeRows,
    audit_plan,
    insert_changes,
    record_changes,
    snapshot_of_values,
)
from fangkong.core.bulk import BATCH_SIZE, BulkWriter, sqlite_cache
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.imports.places import BuildingIndex
from fangkong.core.imports.rows import RowError
from fangkong.core.models import ObjectChange
from fangkong.core.personal_data import (
    id_number_indexes,
    mask_id_number,
    retired_keys_in_use,
)
from fangkong.core.querysets import covered, covers, works_in
from fangkong.registry.choices import IdType, PersonStatus, Relation, Residency
from fangkong.registry.import_rows import (
    ImportOutcome,
    ResidentRow,
    SystemActor,
    apply_changes,
    pinyin,
)
from fangkong.registry.models import Building, Household, Person

__all__ = ["ImportOutcome", "ResidentRow", "SystemActor", "do_import_residents"]

#: Fields an import may change on a person already registered.
UPDATABLE_FIELDS = (
    "name",
    "name_pinyin",
    "name_initials",
    "sex",
    "birth_date",
    "id_number_cipher",
    "id_number_index",
    "id_number_mask",
    "phone_cipher",
    "phone_index",
    "phone_last4_index",
    "phone_mask",
    "relation",
    "residency",
    "tags",
    "notes",
    "version",
    "updated",
)


# --- The import -----------------------------------------------------------------------------


@dataclass(slots=True)
class _HouseholdSlot:
    """A household of the community, existing or being created by this import."""

    pk: int
    building_id: int
    head_id: int | None


@dataclass
class _Run:
    """State of one import run."""

    community: Area
    by: Any
    actor: Any
    dry_run: bool
    columns: dict[str, str]
    # The django plugin gives Building its fields after mypy checks this bound (BuildingLike).
    buildings: BuildingIndex[Building]  # type: ignore[type-var]
    allowed: set[int]
    households: dict[tuple[int, int, str], _HouseholdSlot]
    units_by_room: dict[tuple[int, str], list[int]]
    outcome: ImportOutcome
    #: Keys of households this import creates (virtual, negative keys in a dry run). Only
    #: keys are kept: the rows are audited at the end from the database, so memory stays
    #: flat however many households a file brings.
    new_households: set[int] = field(default_factory=set)
    #: Household → the person becoming its head (by key).
    heads: dict[int, int] = field(default_factory=dict)
    matched: set[int] = field(default_factory=set)
    #: (household key, name) → first row: who is known by household and name. The pair
    #: itself, not its hash: two pairs with one hash would refuse a person as a repeat.
    seen_names: dict[tuple[tuple[int, int, str], str], int] = field(default_factory=dict)
    next_virtual: int = -1
    now: dt.datetime = field(default_factory=timezone.now)

    def __post_init__(self) -> None:
        self.people_writer = BulkWriter(Person, self.now)
        self.households_writer = BulkWriter(Household, self.now)
        self.audit_writer = BulkWriter(ObjectChange, self.now)
        self.person_defaults = _person_defaults()
        self.household_defaults = {
            f.attname: f.get_default() for f in Household._meta.concrete_fields
        }
        # Every building a row can resolve to (by name or by number).
        self.building_by_pk = {
            b.pk: b
            for b in itertools.chain(
                self.buildings.by_name.values(), self.buildings.by_number.values()
            )
        }
        #: Building key → its area path (every household's and person's path in it).
        self.paths: dict[int, str] = {}

    def path_of(self, building_id: int) -> str:
        path = self.paths.get(building_id)
        if path is None:
            path = self.paths[building_id] = self.building_by_pk[building_id].area_path()
        return path

    def error(
        self, row: ResidentRow, column: str, code: str, message: str, value: str = ""
    ) -> None:
        self.outcome.errors.append(
            RowError(row.row, self.columns.get(column, column), message, code, value)
        )


def _check_rights(by: Any, community: Area) -> None:
    if by is None:
        return
    if not by.has_action(Person, "import"):
        raise PermissionDeniedError("import")
    if not works_in(by, community.pk):
        raise Http404


def _prepare(community: Area, by: Any, actor: Any, dry_run: bool, columns: dict[str, str]) -> _Run:
    buildings = list(Building.objects.filter(community=community).select_related("grid"))
    for building in buildings:
        building.community = community  # area_path() without a query per row
    allowed = (
        {b.pk for b in buildings}
        if by is None
        else set(
            covered(Building.objects.filter(community=community), by).values_list("pk", flat=True)
        )
    )
    households: dict[tuple[int, int, str], _HouseholdSlot] = {}
    units_by_room: dict[tuple[int, str], list[int]] = {}
    for pk, building_id, unit, room, head_id in Household.objects.filter(
        community=community
    ).values_list("pk", "building_id", "unit", "room", "head_id"):
        households[(building_id, unit, room)] = _HouseholdSlot(pk, building_id, head_id)
        units_by_room.setdefault((building_id, room), []).append(unit)
    return _Run(
        community=community,
        by=by,
        actor=actor,
        dry_run=dry_run,
        columns=columns,
        buildings=BuildingIndex(buildings, community.name),
        allowed=allowed,
        households=households,
        units_by_room=units_by_room,
        outcome=ImportOutcome(),
    )


def _place(run: _Run, row: ResidentRow) -> tuple[Building, tuple[int, int, str]] | None:
    """The row's building and household key, or None after recording why not."""
    building = run.buildings.resolve(row.building_ref)
    if building is None:
        if not row.building_ref:
            run.error(row, "building", "building_missing", _("The building is missing."))
        else:
            run.error(
                row,
                "building",
                "building_unknown",
                _("There is no building %(building)s in this community.")
                % {"building": row.building_ref},
                row.building_ref,
            )
        return None
    if building.pk not in run.allowed:
        run.error(
            row,
            "building",
            "outside_area",
            _(
                "Building %(building)s is outside your area: you can import only into "
                "the buildings of your own grid."
            )
            % {"building": building},
            row.building_ref,
        )
        return None
    unit = row.unit
    if unit is None:
        units = run.units_by_room.get((building.pk, row.room), [])
        if len(units) == 1:
            unit = units[0]
        elif building.units == 1:
            unit = 1
        else:
            run.error(
                row,
                "unit",
                "unit_missing",
                _("Building %(building)s has %(units)s units: give the unit.")
                % {"building": building, "units": building.units},
            )
            return None
    key = (building.pk, unit, row.room)
    if key in run.households:
        return building, key
    # A new household: the checks do_create_household makes.
    if unit < 1 or unit > building.units:
        run.error(
            row,
            "unit",
            "unit_range",
            _("Building %(building)s has units 1 to %(units)s.")
            % {"building": building, "units": building.units},
            str(unit),
        )
        return None
    if row.floor is not None and row.floor > building.floors:
        run.error(
            row,
            "room",
            "floor_range",
            _(
                "Room %(room)s would be on floor %(floor)s, but building %(building)s has "
                "%(floors)s floors."
            )
            % {
                "room": row.room,
                "floor": row.floor,
                "building": building,
                "floors": building.floors,
            },
            row.room,
        )
        return None
    return building, key


def _person_defaults() -> dict[str, Any]:
    return {f.attname: f.get_default() for f in Person._meta.concrete_fields}


def _new_person(
    run: _Run, row: ResidentRow, household_id: int, grid_id: int | None
) -> dict[str, Any]:
    """A new person's column values, set field by field as do_create_person sets them.

    Values, not a model instance: constructing this 26-column model, then its audit
    snapshot, cost more than a fifth of an import; ``_create_people`` inserts the values and
    writes the same audit rows core would.
    """
    values = dict(run.person_defaults)
    values.update(
        community_id=run.community.pk,
        household_id=household_id,
        grid_id=grid_id,
        relation=row.relation or "",
        name=row.name,
        residency=row.residency or Residency.PERMANENT,
        tags=row.tags or "",
        notes=row.notes or "",
        id_type=IdType.RESIDENT_ID,
    )
    values["name_pinyin"], values["name_initials"] = (
        (row.name_pinyin, row.name_initials) if row.name_pinyin else pinyin(row.name)
    )
    if row.id_number:
        values["birth_date"], values["sex"] = row.birth_date, row.id_sex
        protected = row.protected_id()
        values.update(
            id_number_cipher=protected.cipher,
            id_number_index=protected.index,
            id_number_mask=protected.mask,
        )
    elif row.sex:
        values["sex"] = row.sex
    if row.phone:
        protected = row.protected_phone()
        values.update(
            phone_cipher=protected.cipher,
            phone_index=protected.index,
            phone_mask=protected.mask,
            phone_last4_index=protected.extra.get("last4_index", ""),
        )
    return values


def _create_people(run: _Run, people: list[tuple[dict[str, Any], str]]) -> list[int]:
    """Insert new people and their audit rows; their primary keys, in order.

    ``people`` pairs each person's column values with their area path (Person.area_path():
    their household's building's, see ``_Run.path_of``).
    """
    keys = run.people_writer.insert_values([values for values, _path in people])
    auditor = ChangeRows.of(run.actor)
    rows = []
    community_id = run.community.pk
    for (values, path), pk in zip(people, keys, strict=True):
        # Person.__str__ is the name; a person is its own audit person.
        rows.append(
            auditor.row(
                ChangeAction.CREATE,
                Person,
                pk,
                values["name"],
                path,
                community_id,
                pk,
                None,
                snapshot_of_values(Person, values),
            )
        )
    insert_changes(rows, run.now, run.audit_writer)
    return keys


def _batch(run: _Run, rows: Sequence[ResidentRow]) -> None:
    """Place, match and (unless a dry run) write one batch of rows."""
    placed = _place_rows(run, rows)
    if not placed:
        return
    new_pks = _add_households(run, placed)
    buildings = {b.pk: b for _, b, _ in placed}
    households, existing_pks = _load_households(run, placed, new_pks, buildings)
    creates, updates, befores = _match(run, placed, households, existing_pks)
    run.outcome.created += len(creates)
    run.outcome.updated += len(updates)
    if run.dry_run:
        return  # counted: nothing to encrypt, build or write
    keys = _create_people(
        run,
        [
            (
                _new_person(run, row, slot.pk, buildings[slot.building_id].grid_id),
                run.path_of(slot.building_id),
            )
            for row, slot in creates
        ],
    )
    if updates:
        run.people_writer.update(updates, UPDATABLE_FIELDS)
        record_changes(ChangeAction.UPDATE, updates, befores=befores, actor=run.actor)
    for (row, slot), key in zip(creates, keys, strict=True):
        _claim_head(run, row, slot, key)


_Placed = list[tuple[ResidentRow, Building, tuple[int, int, str]]]


def _place_rows(run: _Run, rows: Sequence[ResidentRow]) -> _Placed:
    """The rows that have a place (building and household key), without repeated names."""
    placed: _Placed = []
    for row in rows:
        spot = _place(run, row)
        if spot is None:
            continue
        building, key = spot
        name_key = (key, row.name)
        if not row.id_number:
            # Without an ID number a person is known by household and name: twice is once.
            first = run.seen_names.get(name_key)
            if first is not None:
                run.error(
                    row,
                    "name",
                    "duplicate_name",
                    _(
                        "%(name)s appears twice in this household without an ID number "
                        "(first at row %(first)s); only the first row is imported."
                    )
                    % {"name": row.name, "first": first},
                    row.name,
                )
                continue
        run.seen_names.setdefault(name_key, row.row)
        placed.append((row, building, key))
    return placed


def _add_households(run: _Run, placed: _Placed) -> set[int]:
    """Create the missing households (virtual keys in a dry run); their keys.

    As column values: constructing model instances was a tenth of the import's main
    process, and only their keys are needed here; they are audited from the database in
    _finish_households."""
    missing: dict[tuple[int, int, str], dict[str, Any]] = {}
    for row, building, key in placed:
        if key not in run.households and key not in missing:
            values = dict(run.household_defaults)
            values.update(
                community_id=run.community.pk,
                building_id=building.pk,
                grid_id=building.grid_id,  # the building's, as save() copies it
                unit=key[1],
                floor=row.floor,
                room=key[2],
                number=f"{building.number}-{key[1]}-{key[2]}",
            )
            missing[key] = values
    if not missing:
        return set()
    if run.dry_run:
        keys = list(range(run.next_virtual, run.next_virtual - len(missing), -1))
        run.next_virtual -= len(missing)
    else:
        keys = run.households_writer.insert_values(list(missing.values()))
    for key, pk in zip(missing, keys, strict=True):
        run.households[key] = _HouseholdSlot(pk, key[0], None)
        run.units_by_room.setdefault((key[0], key[2]), []).append(key[1])
        run.new_households.add(pk)
    run.outcome.households_created += len(missing)
    return set(keys)


def _load_households(
    run: _Run, placed: _Placed, new_pks: set[int], buildings: dict[int, Building]
) -> tuple[dict[int, Household], set[int]]:
    """Households existing before this batch, loaded (a registered person's audit rows need
    theirs; people matched in a household created just now cannot exist), and the keys of
    those that existed before this import."""
    households: dict[int, Household] = {}
    wanted = {run.households[key].pk for _, _, key in placed} - new_pks
    existing_pks = {pk for pk in wanted if pk not in run.new_households}
    # Households created by earlier batches are real rows by now (not in a dry run).
    for household in Household.objects.filter(pk__in=existing_pks if run.dry_run else wanted):
        household.building = buildings[household.building_id]
        households[household.pk] = household
    return households, existing_pks


def _registered_people(
    run: _Run, placed: _Placed, existing_pks: set[int]
) -> tuple[dict[str, Person], dict[tuple[int, str], list[Person]]]:
    """People already registered: by ID number in the community, and by household and
    name."""
    wanted_indexes = [r.id_index for r, _b, _k in placed if r.id_index]
    # During a key rotation a registered person's row may still hold a retired key's index:
    # each such index is looked up too, and stands for the row's current one.
    current_of: dict[str, str] = {}
    if retired_keys_in_use():
        for r, _b, _k in placed:
            if r.id_index:
                for retired in id_number_indexes(r.id_number)[1:]:
                    current_of[retired] = r.id_index
    registered = _registered_indexes(run, [*wanted_indexes, *current_of])
    by_index = (
        {
            current_of.get(p.id_number_index, p.id_number_index): p
            for p in Person.objects.filter(
                community=run.community,
                id_number_index__in=registered,
            )
        }
        if registered
        else {}
    )
    by_name: dict[tuple[int, str], list[Person]] = {}
    if existing_pks:
        for person in Person.objects.filter(
            household_id__in=existing_pks, name__in={r.name for r, _, _ in placed}
        ).order_by("pk"):
            by_name.setdefault((person.household_id, person.name), []).append(person)
    return by_index, by_name


def _match(
    run: _Run, placed: _Placed, households: dict[int, Household], existing_pks: set[int]
) -> tuple[list[tuple[ResidentRow, _HouseholdSlot]], list[Person], dict[int, dict[str, Any]]]:
    """Each placed row: a new person (``creates``), a registered one changed (``updates``,
    with their snapshots before), unchanged, or an error."""
    by_index, by_name = _registered_people(run, placed, existing_pks)
    creates: list[tuple[ResidentRow, _HouseholdSlot]] = []
    updates: list[Person] = []
    befores: dict[int, dict[str, Any]] = {}
    for row, _building, key in placed:
        slot = run.households[key]
        person = by_index.get(row.id_index) if row.id_index else None
        matched_by_id = person is not None
        if person is not None and person.household_id != slot.pk:
            _error_elsewhere(run, row, person)
            continue
        if person is None:
            for candidate in by_name.get((slot.pk, row.name), []):
                # The same name with another ID number is another person.
                if not row.id_index or not candidate.id_number_index:
                    person = candidate
                    break
        if person is None:
            creates.append((row, slot))
            continue
        if not _may_update(run, row, person):
            continue
        run.matched.add(person.pk)
        person.household = households[slot.pk]
        snapshot = person.audit_snapshot()
        if apply_changes(person, row, matched_by_id):
            befores[person.pk] = snapshot
            person.version += 1
            person.updated = run.now
            updates.append(person)
        else:
            run.outcome.unchanged += 1
        _claim_head(run, row, slot, person.pk)
    return creates, updates, befores


def _error_elsewhere(run: _Run, row: ResidentRow, person: Person) -> None:
    if run.by is None or covers(run.by, person):
        message = _(
            "A person with this ID number is already registered in this "
            "community in another household. To move them, change the "
            "household on their page."
        )
    else:
        # Outside the importer's area: never reveal where (or that) they live.
        message = _("This ID number cannot be registered here; ask the community office.")
    run.error(row, "id_number", "id_elsewhere", message, mask_id_number(row.id_number))


def _may_update(run: _Run, row: ResidentRow, person: Person) -> bool:
    """Whether the row may update this registered person (else an error is recorded)."""
    if person.status != PersonStatus.ACTIVE:
        run.error(
            row,
            "name",
            "inactive",
            _(
                "This person is recorded as %(status)s; reactivate them on their page "
                "before importing them again."
            )
            % {"status": person.get_status_display().lower()},
            row.name,
        )
        return False
    if person.pk in run.matched:
        run.error(
            row,
            "name",
            "duplicate_person",
            _("This person already appears on an earlier row; only the first row is imported."),
            row.name,
        )
        return False
    return True


def _registered_indexes(run: _Run, indexes: list[str]) -> list[str]:
    """Which of these ID number blind indexes are registered in the community.

    One plain query: most rows of an import are new people, and the ORM's ``__in`` prepared
    each of a batch's thousand values one by one (a twentieth of the main process), only to
    find nothing. People are then loaded by the indexes found.
    """
    if not indexes:
        return []
    from django.db import connection

    quote = connection.ops.quote_name
    index_column = Person._meta.get_field("id_number_index").column
    assert index_column is not None  # a concrete field has its column
    index = quote(index_column)
    community = quote(Person._meta.get_field("community").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {index} FROM {quote(Person._meta.db_table)} "  # noqa: S608 - quoted
            f"WHERE {community} = %s AND {index} IN ({', '.join(['%s'] * len(indexes))})",
            [run.community.pk, *indexes],
        )
        return [index for (index,) in cursor.fetchall()]


def _claim_head(run: _Run, row: ResidentRow, slot: _HouseholdSlot, person_pk: int) -> None:
    """The first 户主 of a household without a head becomes its head."""
    if row.relation != Relation.HEAD or slot.pk in run.heads or slot.head_id is not None:
        return
    run.heads[slot.pk] = person_pk


def _finish_households(run: _Run) -> None:
    """Heads of households, and the households' audit rows (after heads, as the demo does).

    Households are read back from the database in batches rather than kept in memory
    through the import.
    """
    from django.db import connection

    ops = connection.ops
    if run.heads:
        # One UPDATE per head through executemany: bulk_update's CASE WHEN over thousands of
        # rows cost seconds in the profile. An existing household gaining a head is a change
        # (a new version); a new one is created with it.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {ops.quote_name(Household._meta.db_table)} "  # noqa: S608
                f"SET {ops.quote_name('head_id')} = %s, {ops.quote_name('updated')} = %s, "
                f"{ops.quote_name('version')} = {ops.quote_name('version')} + %s "
                f"WHERE {ops.quote_name('id')} = %s",
                [
                    (
                        head,
                        ops.adapt_datetimefield_value(run.now),
                        0 if pk in run.new_households else 1,
                        pk,
                    )
                    for pk, head in run.heads.items()
                ],
            )
    auditor = ChangeRows.of(run.actor)
    # Column values, not model instances (constructing them was a fifth of the main
    # process): the snapshot records the head's key (reading it through the model would load
    # every head), str() is Household.label with str(building) and the format translated
    # once per building and once per run, the area path Household.area_path() by building.
    attnames = ("id", "community_id", *(a for _n, a, _c in audit_plan(Household)))
    label = _("%(building)s unit %(unit)s room %(room)s")
    names: dict[int, str] = {}
    for keys, action in (
        (sorted(run.new_households), ChangeAction.CREATE),
        (sorted(set(run.heads) - run.new_households), ChangeAction.UPDATE),
    ):
        for start in range(0, len(keys), BATCH_SIZE):
            rows = []
            # The model's ordering kept: the audit rows are written in the same order.
            for row in Household.objects.filter(
                pk__in=keys[start : start + BATCH_SIZE]
            ).values_list(*attnames):
                values = dict(zip(attnames, row, strict=True))
                building_id = values["building_id"]
                if building_id not in names:
                    names[building_id] = str(run.building_by_pk[building_id])
                after = snapshot_of_values(Household, values)
                before = {**after, "head": None} if action == ChangeAction.UPDATE else None
                rows.append(
                    auditor.row(
                        action,
                        Household,
                        values["id"],
                        label
                        % {
                            "building": names[building_id],
                            "unit": values["unit"],
                            "room": values["room"],
                        },
                        run.path_of(building_id),
                        values["community_id"],
                        None,
                        before,
                        after,
                    )
                )
            insert_changes(rows, run.now, run.audit_writer)


def do_import_residents(
    rows: Iterable[ResidentRow],
    *,
    community: Area,
    by: Any,
    actor: Any = None,
    columns: dict[str, str] | None = None,
    all_or_nothing: bool = False,
    dry_run: bool = False,
    known_errors: int | Callable[[], int] = 0,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Write (or, with ``dry_run``, only plan) the import of ``rows`` into ``community``.

    ``by`` is the user whose rights and area apply (None: system work); ``actor`` is who
    the audit log names (defaults to ``by``). ``rows`` may be any iterable, consumed batch
    by batch as it comes (the import streams rows from the file's checking into here).
    ``known_errors`` counts rows rejected while checking (or a callable giving the count
    once ``rows`` is exhausted): with ``all_or_nothing`` they roll the import back too.
    ``progress`` hears the number of rows handled. Atomic: an exception midway leaves
    nothing behind.
    """
    _check_rights(by, community)
    actor = by if actor is None else actor
    if dry_run:
        # A preview reads only: no transaction, so no write lock held on SQLite.
        return _run(rows, community, by, actor, columns or {}, True, progress)
    with sqlite_cache(), transaction.atomic():
        # Serialises imports into one community on PostgreSQL (SQLite's IMMEDIATE
        # transactions already hold the one write lock).
        Area.objects.select_for_update().only("pk").get(pk=community.pk)
        outcome = _run(rows, community, by, actor, columns or {}, False, progress)
        rejected = known_errors() if callable(known_errors) else known_errors
        if all_or_nothing and (outcome.errors or rejected):
            transaction.set_rollback(True)
            outcome.written = False
            outcome.created = outcome.updated = outcome.households_created = 0
        else:
            outcome.written = True
    return outcome


def _run(
    rows: Iterable[ResidentRow],
    community: Area,
    by: Any,
    actor: Any,
    columns: dict[str, str],
    dry_run: bool,
    progress: Callable[[int], None] | None,
) -> ImportOutcome:
    run = _prepare(community, by, actor, dry_run, columns)
    stream = iter(rows)
    done = 0
    while batch := list(itertools.islice(stream, BATCH_SIZE)):
        _batch(run, batch)
        done += len(batch)
        if progress is not None:
            progress(done)
    if not dry_run:
        _finish_households(run)
    return run.outcome
