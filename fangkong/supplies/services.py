"""Every change to supplies: the catalogue, places, donations, the stock ledger, requests.

Each ``do_*`` is atomic, checks the right (``require``) and writes its audit rows; a refused
call stores nothing. Stock moves only through ``Movement`` rows in base units. Writers of an
item's stock in a place lock its ``Stock`` row first (``select_for_update``: PostgreSQL
serialises them there; SQLite's IMMEDIATE transaction already holds the one write lock), then
read what each lot has left from the ledger, so two people issuing the last box cannot both
take it and no balance on any date goes below zero.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_change, record_changes
from fangkong.core.choices import ChangeAction
from fangkong.core.querysets import require
from fangkong.core.services import actor_or_none, check_version, locked, officer_of, save_checked
from fangkong.staff.choices import OPEN_STATUSES, TaskKind, TaskPriority
from fangkong.staff.models import Checkpoint, PatrolVisit, Task, Team
from fangkong.staff.services.tasks import do_cancel_task, do_complete_task, do_create_task
from fangkong.supplies.choices import (
    AdjustReason,
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
from fangkong.supplies.models import (
    Donation,
    Item,
    Lot,
    Movement,
    Pack,
    Place,
    Stock,
    SupplyRequest,
)

if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.registry.models import Household, Person

#: The task kinds this module raises.
REQUEST_TASK = TaskKind.SUPPLIES_REQUEST
LOW_STOCK_TASK = TaskKind.SUPPLIES_LOW_STOCK
#: The biggest quantity one line may move (a district's allocation of masks fits).
MAX_QUANTITY = 10_000_000
TEXT_MAX = 200
#: The office's place as it is stored (a row's name, in the office's language, not the UI's).
OFFICE_NAME = "社区办公室"


# --- units ----------------------------------------------------------------------------------


def pack_sizes(item: Item) -> dict[str, int]:
    """Base units per unit the item is counted in: its base unit (1) and its packs."""
    sizes = {item.base_unit: 1}
    sizes.update({pack.unit: pack.size for pack in item.packs.all()})
    return sizes


def to_base(item: Item, quantity: Any, unit: str, field: str = "quantity") -> int:
    """``quantity`` of ``unit`` in the item's base units (4 boxes of 30 = 120 bottles).
    Refuses a quantity that is not a whole number above zero and a unit the item does not
    come in."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationError({field: _("Give a whole number above zero.")})
    if unit not in Unit.values:
        raise ValidationError({"unit": _("Unknown unit: %(unit)s.") % {"unit": unit}})
    sizes = pack_sizes(item)
    if unit not in sizes:
        raise ValidationError(
            {
                "unit": _("%(item)s is not counted in %(unit)s; use %(units)s.")
                % {
                    "item": item,
                    "unit": Unit(unit).label,
                    "units": "、".join(str(Unit(u).label) for u in sizes),
                }
            }
        )
    base = quantity * sizes[unit]
    if base > MAX_QUANTITY:
        raise ValidationError({field: _("That is more than one line can hold.")})
    return base


def describe_quantity(item: Item, quantity: int) -> str:
    """``120`` bottles as "120瓶（4箱）" where it fills whole packs of the biggest size."""
    base = f"{quantity}{Unit(item.base_unit).label}"
    packs = sorted(item.packs.all(), key=lambda p: -p.size)
    for pack in packs:
        if quantity and quantity % pack.size == 0:
            return f"{base}（{quantity // pack.size}{Unit(pack.unit).label}）"
    return base


def _text(value: Any, field: str, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return text


def _community(community: Area) -> None:
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Supplies are kept by a community."))


def _same_community(row: Any, community_id: int, field: str) -> None:
    if row is not None and row.community_id != community_id:
        raise ValidationError({field: _("Choose one of this community's own.")})


def _today(community: Area) -> dt.date:
    return community.local_today()


def _check_day(community: Area, day: Any, field: str = "day") -> dt.date:
    if not isinstance(day, dt.date):
        raise ValidationError({field: _("Give the date.")})
    if day > _today(community):
        raise ValidationError({field: _("A date in the future cannot be recorded.")})
    return day


# --- catalogue and places -------------------------------------------------------------------


def _save_packs(item: Item, packs: Iterable[tuple[str, int]], by: User | None) -> None:
    for unit, size in packs:
        if unit not in Unit.values:
            raise ValidationError({"pack_unit": _("Unknown unit: %(unit)s.") % {"unit": unit}})
        if unit == item.base_unit:
            raise ValidationError({"pack_unit": _("A pack is not the base unit itself.")})
        if not isinstance(size, int) or size < 2 or size > 100_000:
            raise ValidationError({"pack_size": _("A pack holds 2 to 100000 base units.")})
        pack = Pack.objects.filter(item=item, unit=unit).first()
        if pack is not None:
            if pack.size != size:
                if Movement.objects.filter(item=item).exists():
                    raise ValidationError(
                        {"pack_size": _("Stock was counted in this pack already; add a new pack.")}
                    )
                before = pack.audit_snapshot()
                pack.size = size
                pack.version += 1
                pack.save(update_fields=["size", "version", "updated"])
                record_change(ChangeAction.UPDATE, pack, before=before, actor=by)
            continue
        pack = Pack(community_id=item.community_id, item=item, unit=unit, size=size)
        save_checked(pack)
        record_change(ChangeAction.CREATE, pack, actor=by)


@transaction.atomic
def do_save_item(
    *,
    community: Area | None = None,
    item: Item | None = None,
    by: User | None,
    name: str,
    category: str,
    base_unit: str,
    notes: str = "",
    is_active: bool = True,
    packs: Iterable[tuple[str, int]] = (),
    expected_version: int | None = None,
) -> Item:
    """Add an item to the catalogue (``community``) or change one (``item``); ``packs`` are
    (unit, base units) pairs added or resized (a size stock was counted in stays)."""
    name = _text(name, "name", required=True, limit=100)
    if base_unit not in Unit.values:
        raise ValidationError({"base_unit": _("Unknown unit: %(unit)s.") % {"unit": base_unit}})
    from fangkong.supplies.choices import Category

    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    notes = _text(notes, "notes", limit=2000)
    if item is None:
        if community is None:
            raise TypeError("do_save_item needs the community or the item")
        _community(community)
        require(by, Item, "add", community, reason=_("Your role does not keep the supplies."))
        item = Item(community=community)
        before = None
    else:
        item = locked(Item, item.pk)
        require(by, Item, "change", item, reason=_("Your role does not keep the supplies."))
        check_version(item, expected_version)
        before = item.audit_snapshot()
        if base_unit != item.base_unit and Movement.objects.filter(item=item).exists():
            raise ValidationError(
                {"base_unit": _("Stock was counted in this unit already; it cannot change.")}
            )
        item.version += 1
    item.name, item.category, item.base_unit = name, category, base_unit
    item.notes, item.is_active = notes, bool(is_active)
    save_checked(item)
    if before is None:
        record_change(ChangeAction.CREATE, item, actor=by)
    else:
        record_change(ChangeAction.UPDATE, item, before=before, actor=by)
    _save_packs(item, packs, by)
    return item


@transaction.atomic
def do_add_place(
    *,
    community: Area,
    by: User | None,
    kind: str,
    name: str = "",
    checkpoint: Checkpoint | None = None,
    team: Team | None = None,
) -> Place:
    """A place stock lives in: the office, a checkpoint or a team of the community."""
    _community(community)
    require(by, Place, "add", community, reason=_("Your role does not keep the supplies."))
    if kind not in PlaceKind.values:
        raise ValidationError({"kind": _("Choose a kind of place.")})
    if kind == PlaceKind.CHECKPOINT:
        if checkpoint is None:
            raise ValidationError({"checkpoint": _("Choose the checkpoint.")})
        _same_community(checkpoint, community.pk, "checkpoint")
        name = name or checkpoint.name
        team = None
    elif kind == PlaceKind.TEAM:
        if team is None:
            raise ValidationError({"team": _("Choose the team.")})
        _same_community(team, community.pk, "team")
        name = name or team.name
        checkpoint = None
    else:
        checkpoint = team = None
    name = _text(name, "name", required=True, limit=100)
    if checkpoint is not None and Place.objects.filter(checkpoint=checkpoint).exists():
        raise ValidationError({"checkpoint": _("This checkpoint is a place already.")})
    if team is not None and Place.objects.filter(team=team).exists():
        raise ValidationError({"team": _("This team is a place already.")})
    place = Place(community=community, kind=kind, name=name, checkpoint=checkpoint, team=team)
    save_checked(place)
    record_change(ChangeAction.CREATE, place, actor=by)
    return place


def office_of(community: Area) -> Place:
    """The community office's place (made the first time it is needed)."""
    place: Place | None = (
        Place.objects.filter(community=community, kind=PlaceKind.OFFICE).order_by("pk").first()
    )
    if place is not None:
        return place
    return do_add_place(community=community, by=None, kind=PlaceKind.OFFICE, name=OFFICE_NAME)


def place_of_checkpoint(checkpoint: Checkpoint) -> Place:
    """The checkpoint's place (made the first time it is needed)."""
    place: Place | None = Place.objects.filter(checkpoint=checkpoint).first()
    if place is not None:
        return place
    return do_add_place(
        community=checkpoint.community,
        by=None,
        kind=PlaceKind.CHECKPOINT,
        checkpoint=checkpoint,
    )


@transaction.atomic
def do_set_minimum(stock_item: Item, place: Place, minimum: int, *, by: User | None) -> Stock:
    """The level under which the item's stock in ``place`` raises a task."""
    require(by, Stock, "change", place, reason=_("Your role does not keep the supplies."))
    _same_community(stock_item, place.community_id, "item")
    if not isinstance(minimum, int) or minimum < 0 or minimum > MAX_QUANTITY:
        raise ValidationError({"minimum": _("Give a whole number from 0.")})
    stock = _lock_stock(stock_item, place, create=True)
    before = stock.audit_snapshot()
    stock.minimum = minimum
    stock.version += 1
    stock.save(update_fields=["minimum", "version", "updated"])
    record_change(ChangeAction.UPDATE, stock, before=before, actor=by)
    _check_minimum(stock, minimum)  # already under the new minimum: the task now
    return stock


# --- the ledger -----------------------------------------------------------------------------


def _lock_stock(item: Item, place: Place, *, create: bool) -> Stock:
    """The (item, place) stock row, locked; made at 0 when ``create``. Raises
    ``Stock.DoesNotExist`` without it."""
    found: Stock | None = Stock.objects.select_for_update().filter(item=item, place=place).first()
    if found is not None:
        return found
    if not create:
        raise Stock.DoesNotExist
    try:
        with transaction.atomic():
            Stock.objects.create(community_id=place.community_id, item=item, place=place)
    except IntegrityError:
        pass  # made by a concurrent writer meanwhile
    made: Stock = Stock.objects.select_for_update().get(item=item, place=place)
    return made


def _lock_pair(item: Item, first: Place, second: Place) -> tuple[Stock, Stock]:
    """Both rows of a transfer, locked in a fixed order (two opposite transfers do not
    deadlock)."""
    _lock_stock(item, first, create=False)  # refuses at once when the source holds none
    rows = {}
    for place in sorted((first, second), key=lambda p: p.pk):
        rows[place.pk] = _lock_stock(item, place, create=True)
    return rows[first.pk], rows[second.pk]


def _new_batch() -> int:
    return secrets.randbits(62)


def _check_minimum(stock: Stock, before: int) -> None:
    """Raise the low-stock task when the balance crosses below the minimum."""
    if stock.minimum and stock.quantity < stock.minimum <= before:
        place = stock.place
        do_create_task(
            community=place.community,
            by=None,
            kind=LOW_STOCK_TASK,
            title=_("%(item)s at %(place)s: %(n)s left, below the minimum of %(m)s")
            % {"item": stock.item, "place": place, "n": stock.quantity, "m": stock.minimum},
            link=stock,
            reason="below_minimum",
            assignee=officer_of(place.community),
            priority=TaskPriority.HIGH,
            due=timezone.now() + dt.timedelta(days=1),
        )


def _apply(stock: Stock, delta: int) -> None:
    before = stock.quantity
    stock.quantity += delta
    if stock.quantity < 0:  # the checks above make this unreachable; the constraint too
        raise ValidationError(_("Stock cannot go below zero."))
    stock.version += 1
    stock.save(update_fields=["quantity", "version", "updated"])
    if delta < 0:
        _check_minimum(stock, before)


@dataclass
class LotLeft:
    """What one lot has left in a place on a day (and keeps having on every later day)."""

    lot: Lot
    left: int


def lots_left(item: Item, place: Place, day: dt.date) -> list[LotLeft]:
    """The lots of ``item`` in ``place`` that can give units on ``day``: for each, the least
    its balance is on ``day`` and any later day (a movement dated back must not take what a
    later one already took). First expiring first, then oldest first. One query for the
    ledger, one for the lots."""
    rows = (
        Movement.objects.filter(item=item, place=place)
        .order_by()
        .values("lot_id", "day")
        .annotate(total=Sum("quantity"))
    )
    by_lot: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for row in rows:
        by_lot[row["lot_id"]].append((row["day"], row["total"]))
    left: dict[int, int] = {}
    for lot_id, days in by_lot.items():
        days.sort()
        running = sum(total for when, total in days if when <= day)
        least = running
        for when, total in days:
            if when > day:
                running += total
                least = min(least, running)
        if least > 0:
            left[lot_id] = least
    lots = Lot.objects.filter(pk__in=left).select_related("donation")
    found = [LotLeft(lot, left[lot.pk]) for lot in lots]
    found.sort(
        key=lambda x: (
            x.lot.expiry is None,
            x.lot.expiry or dt.date.max,
            x.lot.received_on,
            x.lot.pk,
        )
    )
    return found


def first_arrival(item: Item, place: Place) -> dt.date | None:
    """The first day stock of ``item`` came into ``place``."""
    return (
        Movement.objects.filter(item=item, place=place, quantity__gt=0)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )


def _take(
    item: Item,
    place: Place,
    quantity: int,
    day: dt.date,
    *,
    confirm_expired: bool,
    lot: Lot | None = None,
) -> list[tuple[Lot, int]]:
    """Which lots give ``quantity`` units in ``place`` on ``day`` (first expiring first), or
    the reason they cannot. The caller holds the stock row's lock."""
    available = lots_left(item, place, day)
    if lot is not None:
        available = [a for a in available if a.lot.pk == lot.pk]
    total = sum(a.left for a in available)
    if total < quantity:
        arrived = first_arrival(item, place)
        if arrived is not None and arrived > day:
            raise ValidationError(
                {
                    "day": _(
                        "%(item)s first arrived at %(place)s on %(arrived)s; a movement cannot "
                        "be dated before the stock arrived."
                    )
                    % {"item": item, "place": place, "arrived": arrived}
                }
            )
        raise ValidationError(
            {
                "quantity": _(
                    "Only %(left)s of %(item)s can be taken from %(place)s on %(day)s; "
                    "%(asked)s were asked for."
                )
                % {
                    "left": describe_quantity(item, total),
                    "item": item,
                    "place": place,
                    "day": day,
                    "asked": describe_quantity(item, quantity),
                }
            }
        )
    taken: list[tuple[Lot, int]] = []
    need = quantity
    for entry in available:
        if need == 0:
            break
        share = min(need, entry.left)
        taken.append((entry.lot, share))
        need -= share
    expired = [lot for lot, _n in taken if lot.expiry is not None and lot.expiry < day]
    if expired and not confirm_expired:
        raise ValidationError(
            {
                "confirm_expired": _(
                    "%(item)s of lot %(lot)s expired on %(expiry)s. Confirm to issue expired "
                    "stock, or record it as expired instead."
                )
                % {"item": item, "lot": expired[0].pk, "expiry": expired[0].expiry}
            }
        )
    return taken


def _movements(
    taken: list[tuple[Lot, int]], *, sign: int, common: dict[str, Any]
) -> list[Movement]:
    return [Movement(lot=lot, item_id=lot.item_id, quantity=sign * n, **common) for lot, n in taken]


def _write(movements: list[Movement], by: User | None) -> list[Movement]:
    Movement.objects.bulk_create(movements)
    record_changes(ChangeAction.CREATE, movements, actor=by)
    return movements


def _recipient_of(
    place: Place, recipient: str, household: Household | None, person: Person | None
) -> None:
    if recipient not in Recipient.values:
        raise ValidationError({"recipient": _("Choose to whom the supplies go.")})
    if recipient == Recipient.HOUSEHOLD and household is None:
        raise ValidationError({"household": _("Choose the household.")})
    _same_community(household, place.community_id, "household")
    _same_community(person, place.community_id, "person")


@transaction.atomic
def do_issue_stock(
    *,
    place: Place,
    item: Item,
    quantity: int,
    unit: str,
    day: dt.date,
    recipient: str,
    household: Household | None = None,
    person: Person | None = None,
    signed_by: str,
    note: str = "",
    confirm_expired: bool = False,
    by: User | None,
) -> list[Movement]:
    """Issue stock from ``place`` to a household or a person, who signs for it. Takes the
    first-expiring lots first (one ledger row per lot). Refused beyond what the place holds
    on ``day`` and every day after, before the stock arrived, or from an expired lot without
    ``confirm_expired``."""
    require(by, Movement, "add", place, reason=_("Your role does not issue supplies."))
    _same_community(item, place.community_id, "item")
    base = to_base(item, quantity, unit)
    day = _check_day(place.community, day)
    _recipient_of(place, recipient, household, person)
    signed_by = _text(signed_by, "signed_by", required=True, limit=100)
    note = _text(note, "note")
    try:
        stock = _lock_stock(item, place, create=False)
    except Stock.DoesNotExist:
        raise ValidationError(
            {"quantity": _("%(place)s holds no %(item)s.") % {"place": place, "item": item}}
        ) from None
    taken = _take(item, place, base, day, confirm_expired=confirm_expired)
    rows = _movements(
        taken,
        sign=-1,
        common={
            "community_id": place.community_id,
            "batch": _new_batch(),
            "kind": MovementKind.ISSUED,
            "day": day,
            "place": place,
            "reason": recipient,
            "household": household if recipient == Recipient.HOUSEHOLD else None,
            "person": person if recipient == Recipient.PERSON else None,
            "signed_by": signed_by,
            "note": note,
            "recorded_by": actor_or_none(by),
        },
    )
    _apply(stock, -base)
    return _write(rows, by)


@transaction.atomic
def do_transfer_stock(
    *,
    source: Place,
    target: Place,
    item: Item,
    quantity: int,
    unit: str,
    day: dt.date,
    signed_by: str,
    note: str = "",
    confirm_expired: bool = False,
    request: SupplyRequest | None = None,
    by: User | None,
) -> list[Movement]:
    """Move stock from one place to another (the office to a gate: a checkpoint or a team
    is issued supplies this way, and keeps counting them). Each lot taken leaves ``source``
    and enters ``target`` on the same day, so its trail goes on."""
    require(by, Movement, "add", source, reason=_("Your role does not issue supplies."))
    _same_community(target, source.community_id, "target")
    _same_community(item, source.community_id, "item")
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another place to send the stock to.")})
    base = to_base(item, quantity, unit)
    day = _check_day(source.community, day)
    signed_by = _text(signed_by, "signed_by", required=True, limit=100)
    note = _text(note, "note")
    try:
        out_stock, in_stock = _lock_pair(item, source, target)
    except Stock.DoesNotExist:
        raise ValidationError(
            {"quantity": _("%(place)s holds no %(item)s.") % {"place": source, "item": item}}
        ) from None
    taken = _take(item, source, base, day, confirm_expired=confirm_expired)
    common = {
        "community_id": source.community_id,
        "batch": _new_batch(),
        "day": day,
        "signed_by": signed_by,
        "note": note,
        "request": request,
        "recorded_by": actor_or_none(by),
    }
    rows = _movements(
        taken,
        sign=-1,
        common={
            **common,
            "kind": MovementKind.TRANSFER_OUT,
            "place": source,
            "other_place": target,
        },
    ) + _movements(
        taken,
        sign=1,
        common={**common, "kind": MovementKind.TRANSFER_IN, "place": target, "other_place": source},
    )
    _apply(out_stock, -base)
    _apply(in_stock, base)
    return _write(rows, by)


@transaction.atomic
def do_adjust_stock(
    *,
    lot: Lot,
    place: Place,
    quantity: int,
    reason: str,
    note: str,
    day: dt.date,
    confirm_expired: bool = True,
    by: User | None,
) -> Movement:
    """Correct a lot's stock in a place by ``quantity`` base units (negative: fewer) with a
    reason: counted (either way), expired or damaged (fewer only), and a note saying what
    was found."""
    require(by, Movement, "add", place, reason=_("Your role does not keep the supplies."))
    _same_community(lot, place.community_id, "lot")
    if reason not in AdjustReason.values:
        raise ValidationError({"reason": _("Choose why the stock is adjusted.")})
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise ValidationError({"quantity": _("Give the units more (or, negative, fewer).")})
    if abs(quantity) > MAX_QUANTITY:
        raise ValidationError({"quantity": _("That is more than one line can hold.")})
    if reason != AdjustReason.COUNTED and quantity > 0:
        raise ValidationError({"quantity": _("Expired or damaged stock only goes down.")})
    note = _text(note, "note", required=True)
    day = _check_day(place.community, day)
    if day < lot.received_on:
        raise ValidationError({"day": _("A movement cannot be dated before the stock arrived.")})
    item = lot.item
    stock = _lock_stock(item, place, create=quantity > 0)
    if quantity < 0:
        _take(item, place, -quantity, day, confirm_expired=True, lot=lot)
    elif not Movement.objects.filter(lot=lot, place=place, day__lte=day).exists():
        raise ValidationError({"lot": _("This lot was never in this place by that date.")})
    row = Movement(
        community_id=place.community_id,
        batch=_new_batch(),
        kind=MovementKind.ADJUSTED,
        day=day,
        item=item,
        place=place,
        lot=lot,
        quantity=quantity,
        reason=reason,
        note=note,
        recorded_by=actor_or_none(by),
    )
    _apply(stock, quantity)
    return _write([row], by)[0]


@dataclass
class Line:
    """One line of a donation or a receipt, as entered."""

    item: Item
    quantity: int
    unit: str
    condition: str = Condition.NEW
    expiry: dt.date | None = None


def _receive(
    place: Place,
    lines: list[Line],
    *,
    day: dt.date,
    source: str,
    donation: Donation | None,
    supplier: str,
    signed_by: str,
    by: User | None,
) -> list[Lot]:
    if not lines:
        raise ValidationError({"lines": _("Give at least one item.")})
    batch = _new_batch()
    lots: list[Lot] = []
    rows: list[Movement] = []
    for number, line in enumerate(lines, start=1):
        _same_community(line.item, place.community_id, "item")
        base = to_base(line.item, line.quantity, line.unit)
        if line.condition not in Condition.values:
            raise ValidationError({"condition": _("Choose the condition.")})
        if line.expiry is not None and not isinstance(line.expiry, dt.date):
            raise ValidationError({"expiry": _("Give the expiry date.")})
        lot = Lot(
            community_id=place.community_id,
            item=line.item,
            source=source,
            donation=donation,
            received_on=day,
            quantity=base,
            entered_quantity=line.quantity,
            entered_unit=line.unit,
            condition=line.condition,
            expiry=line.expiry,
            supplier=supplier,
        )
        lot.save()
        lots.append(lot)
        stock = _lock_stock(line.item, place, create=True)
        _apply(stock, base)
        rows.append(
            Movement(
                community_id=place.community_id,
                batch=batch,
                kind=MovementKind.RECEIVED,
                day=day,
                item=line.item,
                place=place,
                lot=lot,
                quantity=base,
                reason=source,
                signed_by=signed_by,
                note=_("line %(n)s") % {"n": number},
                recorded_by=actor_or_none(by),
            )
        )
    record_changes(ChangeAction.CREATE, lots, actor=by)
    _write(rows, by)
    return lots


@transaction.atomic
def do_record_donation(
    *,
    place: Place,
    by: User | None,
    donor_kind: str,
    donor_name: str,
    veteran: str = Veteran.NO,
    donated_on: dt.date,
    lines: list[Line],
    received_by_name: str = "",
    notes: str = "",
) -> Donation:
    """A donation received into ``place``: the donor, the date, and its lines (each becomes
    a lot and a "received" movement; 4 boxes of 30 are 120 bottles)."""
    require(by, Donation, "add", place, reason=_("Your role does not record donations."))
    if donor_kind not in DonorKind.values:
        raise ValidationError({"donor_kind": _("Choose who the donor is.")})
    if veteran not in Veteran.values:
        raise ValidationError({"veteran": _("Choose whether the donor is a veteran.")})
    donor_name = _text(donor_name, "donor_name", required=True, limit=100)
    donated_on = _check_day(place.community, donated_on, "donated_on")
    received_by_name = _text(
        received_by_name or (getattr(by, "full_name", "") or str(by or "")),
        "received_by_name",
        limit=100,
    )
    donation = Donation(
        community_id=place.community_id,
        donor_kind=donor_kind,
        donor_name=donor_name,
        veteran=veteran,
        donated_on=donated_on,
        place=place,
        received_by=actor_or_none(by),
        received_by_name=received_by_name,
        notes=_text(notes, "notes", limit=2000),
    )
    save_checked(donation)
    record_change(ChangeAction.CREATE, donation, actor=by)
    _receive(
        place,
        lines,
        day=donated_on,
        source=Source.DONATION,
        donation=donation,
        supplier=donor_name,
        signed_by=received_by_name,
        by=by,
    )
    return donation


@transaction.atomic
def do_receive_stock(
    *,
    place: Place,
    by: User | None,
    source: str,
    day: dt.date,
    lines: list[Line],
    supplier: str = "",
    signed_by: str,
) -> list[Lot]:
    """Stock allocated from above or purchased, received into ``place``."""
    require(by, Movement, "add", place, reason=_("Your role does not keep the supplies."))
    if source not in (Source.ALLOCATION, Source.PURCHASE):
        raise ValidationError({"source": _("Donations are recorded as donations.")})
    day = _check_day(place.community, day)
    return _receive(
        place,
        lines,
        day=day,
        source=source,
        donation=None,
        supplier=_text(supplier, "supplier", limit=100),
        signed_by=_text(signed_by, "signed_by", required=True, limit=100),
        by=by,
    )


# --- balances and trails --------------------------------------------------------------------


def balances_on(
    community_ids: Iterable[int], day: dt.date, *, place_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], int]:
    """{(item id, place id): balance} at the end of ``day`` for these communities: one
    grouped query over the ledger's balance index (the rows of the communities asked for,
    up to the day)."""
    qs = Movement.objects.filter(community_id__in=list(community_ids), day__lte=day)
    if place_ids is not None:
        qs = qs.filter(place_id__in=list(place_ids))
    rows = qs.order_by().values_list("item_id", "place_id").annotate(total=Sum("quantity"))
    return {(item_id, place_id): total for item_id, place_id, total in rows if total}


def trail_of_donation(donation: Donation) -> list[Movement]:
    """Every ledger row of the donation's lots: where each unit went."""
    return list(
        Movement.objects.filter(lot__donation=donation)
        .select_related("item", "place", "other_place", "household", "person", "lot")
        .order_by("day", "id")
    )


def trail_of_household(household: Household) -> list[Movement]:
    """What the household was issued, each row with its lot and the lot's donation."""
    return list(
        Movement.objects.filter(household=household)
        .select_related("item", "place", "lot", "lot__donation")
        .order_by("-day", "-id")
    )


# --- requests -------------------------------------------------------------------------------


def _request_task(request: SupplyRequest) -> Task | None:
    content_type = ContentType.objects.get_for_model(SupplyRequest)
    return Task.objects.filter(
        content_type=content_type,
        object_id=request.pk,
        kind=REQUEST_TASK,
        status__in=OPEN_STATUSES,
    ).first()


def _open_request(
    place: Place,
    *,
    by: User | None,
    item: Item | None,
    quantity: int | None,
    note: str,
    visit: PatrolVisit | None = None,
) -> SupplyRequest:
    request = SupplyRequest(
        community_id=place.community_id,
        place=place,
        item=item,
        quantity=quantity,
        note=note,
        requested_at=timezone.now(),
        requested_by=actor_or_none(by),
        patrol_visit=visit,
    )
    save_checked(request)
    record_change(ChangeAction.CREATE, request, actor=by)
    what = (
        describe_quantity(item, quantity)
        if item is not None and quantity is not None
        else _("supplies")
    )
    do_create_task(
        community=place.community,
        by=None,
        kind=REQUEST_TASK,
        title=_("%(place)s asks for %(what)s") % {"place": place, "what": f"{item or ''}{what}"},
        description=note,
        link=request,
        reason="request",
        assignee=officer_of(place.community),
        due=timezone.now() + dt.timedelta(days=1),
    )
    return request


@transaction.atomic
def do_request_supplies(
    *,
    place: Place,
    by: User | None,
    item: Item | None = None,
    quantity: int | None = None,
    unit: str = "",
    note: str = "",
) -> SupplyRequest:
    """A checkpoint or a team asks for supplies (an item and quantity, or words saying what
    is short); the office gets a task to issue or refuse."""
    require(by, SupplyRequest, "add", place, reason=_("Your role does not request supplies."))
    if place.kind == PlaceKind.OFFICE:
        raise ValidationError({"place": _("A checkpoint or a team asks for supplies.")})
    note = _text(note, "note", limit=1000)
    base = None
    if item is not None:
        _same_community(item, place.community_id, "item")
        base = to_base(item, quantity, unit or item.base_unit)
    elif not note:
        raise ValidationError({"note": _("Say what is needed, or choose an item.")})
    return _open_request(place, by=by, item=item, quantity=base, note=note)


def open_request_for_patrol(visit: PatrolVisit, by: User | None) -> SupplyRequest:
    """A patrol found the checkpoint's supplies short: open a request for it, unless one
    opened by a patrol is still waiting (called by the patrol's service, in its
    transaction; the patrol's own right covers it)."""
    place = place_of_checkpoint(visit.checkpoint)
    waiting: SupplyRequest | None = SupplyRequest.objects.filter(
        place=place, status=RequestStatus.OPEN, patrol_visit__isnull=False
    ).first()
    if waiting is not None:
        return waiting
    note = _("Patrol found supplies short.")
    if visit.notes:
        note = f"{note} {visit.notes}"
    return _open_request(place, by=by, item=None, quantity=None, note=note[:1000], visit=visit)


def _decide(request: SupplyRequest, expected_version: int | None, by: User | None) -> SupplyRequest:
    request = locked(SupplyRequest, request.pk)
    require(by, SupplyRequest, "change", request, reason=_("Your role does not decide requests."))
    check_version(request, expected_version)
    if request.status != RequestStatus.OPEN:
        raise ValidationError(_("This request has been decided already."))
    return request


@transaction.atomic
def do_issue_request(
    request: SupplyRequest,
    *,
    source: Place,
    item: Item,
    quantity: int,
    unit: str,
    day: dt.date | None = None,
    signed_by: str,
    confirm_expired: bool = False,
    expected_version: int | None = None,
    by: User | None,
) -> SupplyRequest:
    """Approve a request by sending the stock from ``source`` (the office) to the place
    that asked; its task is done."""
    request = _decide(request, expected_version, by)
    before = request.audit_snapshot()
    do_transfer_stock(
        source=source,
        target=request.place,
        item=item,
        quantity=quantity,
        unit=unit,
        day=day or _today(source.community),
        signed_by=signed_by,
        note=_("Supply request"),
        confirm_expired=confirm_expired,
        request=request,
        by=by,
    )
    request.status = RequestStatus.ISSUED
    if request.item_id is None:
        request.item = item
        request.quantity = to_base(item, quantity, unit)
    request.decided_at = timezone.now()
    request.decided_by = actor_or_none(by)
    request.version += 1
    request.save()
    record_change(ChangeAction.UPDATE, request, before=before, actor=by)
    task = _request_task(request)
    if task is not None:
        do_complete_task(task, by=None, note=_("Issued."))
    return request


@transaction.atomic
def do_refuse_request(
    request: SupplyRequest,
    *,
    reason: str,
    expected_version: int | None = None,
    by: User | None,
) -> SupplyRequest:
    """Refuse a request with the reason the place will read; its task is cancelled."""
    reason = _text(reason, "reason", required=True)
    request = _decide(request, expected_version, by)
    before = request.audit_snapshot()
    request.status = RequestStatus.REFUSED
    request.refusal = reason
    request.decided_at = timezone.now()
    request.decided_by = actor_or_none(by)
    request.version += 1
    request.save()
    record_change(ChangeAction.UPDATE, request, before=before, actor=by)
    task = _request_task(request)
    if task is not None:
        do_cancel_task(task, by=None, reason=reason)
    return request


def waiting_requests(community_ids: Iterable[int]) -> Any:
    """Open requests, longest waiting first."""
    return SupplyRequest.objects.filter(
        Q(community_id__in=list(community_ids)), status=RequestStatus.OPEN
    ).order_by("requested_at", "id")
