"""Supplies as .xlsx through ``core.exports`` (the ``export`` right): the catalogue, the
donations (a row per line), the ledger's movements and the balances on a date. Written in
the request when small, by a worker otherwise; every text cell is neutralised by core's
writer (a donor named ``=HYPERLINK(…)`` stays text). Each export is logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exports import Exporter, filter_data, register
from fangkong.core.filtersets import FilterSet, bound_numbers
from fangkong.core.spreadsheets import Progress, SheetSpec, write_xlsx
from fangkong.supplies import services
from fangkong.supplies.choices import MovementKind, Unit
from fangkong.supplies.filtersets import DonationFilterSet, ItemFilterSet, MovementFilterSet
from fangkong.supplies.models import Donation, Item, Lot, Movement, Place, Stock

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def _filtered(user: User, queryset: QuerySet[Any], filterset: type[FilterSet], params: Any) -> Any:
    data = filter_data(params.get("filters"))
    found = bound_numbers(
        filterset(data or None, queryset=queryset, request=SimpleNamespace(user=user))
    )
    return found.qs if found.is_bound else queryset


def items(user: User, params: dict[str, Any]) -> QuerySet[Item]:
    found: QuerySet[Item] = _filtered(
        user,
        Item.objects.restrict(user).select_related("community").prefetch_related("packs"),
        ItemFilterSet,
        params,
    )
    return found.order_by("community_id", "name", "id")


def lots(user: User, params: dict[str, Any]) -> QuerySet[Lot]:
    donations = _filtered(user, Donation.objects.restrict(user), DonationFilterSet, params)
    return (
        Lot.objects.filter(donation__in=donations.order_by().values("pk"))
        .select_related("donation", "donation__community", "donation__place", "item")
        .order_by("donation__donated_on", "donation_id", "id")
    )


def movements(user: User, params: dict[str, Any]) -> QuerySet[Movement]:
    found: QuerySet[Movement] = _filtered(
        user,
        Movement.objects.restrict(user).select_related("item", "place", "lot", "other_place"),
        MovementFilterSet,
        params,
    )
    return found.order_by("day", "batch", "id")


def _day(params: dict[str, Any]) -> dt.date:
    try:
        return dt.date.fromisoformat(str(params.get("day") or ""))
    except ValueError:
        return dt.datetime.fromisoformat(params["at"]).date()


def _balances(user: User, params: dict[str, Any]) -> list[list[Any]]:
    places = {p.pk: p for p in Place.objects.restrict(user).select_related("community")}
    day = _day(params)
    found = services.balances_on(
        {p.community_id for p in places.values()}, day, place_ids=list(places)
    )
    shown = {
        i.pk: i
        for i in Item.objects.restrict(user)
        .filter(pk__in={k[0] for k in found})
        .prefetch_related("packs")
    }
    minimums = {
        (s.item_id, s.place_id): s.minimum for s in Stock.objects.filter(place_id__in=list(places))
    }
    rows = []
    for (item_id, place_id), total in sorted(
        found.items(), key=lambda kv: (places[kv[0][1]].name, shown[kv[0][0]].name)
    ):
        if item_id not in shown:
            continue
        item, place = shown[item_id], places[place_id]
        rows.append(
            [
                place.community.name,
                place.name,
                place.get_kind_display(),
                item.name,
                total,
                Unit(item.base_unit).label,
                services.describe_quantity(item, total),
                minimums.get((item_id, place_id), 0),
                day,
            ]
        )
    return rows


def _item_rows(found: Iterable[Item]) -> Iterator[list[Any]]:
    for item in found:
        packs = "、".join(
            f"{Unit(p.unit).label}={p.size}{Unit(item.base_unit).label}" for p in item.packs.all()
        )
        yield [
            item.community.name,
            item.name,
            item.get_category_display(),
            Unit(item.base_unit).label,
            packs,
            item.notes,
        ]


def _lot_rows(found: Iterable[Lot]) -> Iterator[list[Any]]:
    for lot in found:
        donation = lot.donation
        assert donation is not None
        yield [
            donation.community.name,
            donation.donated_on,
            donation.donor_name,
            donation.get_donor_kind_display(),
            donation.get_veteran_display(),
            donation.place.name,
            lot.item.name,
            lot.entered_quantity,
            Unit(lot.entered_unit).label,
            lot.quantity,
            lot.get_condition_display(),
            lot.expiry,
        ]


def _movement_rows(found: QuerySet[Movement]) -> Iterator[list[Any]]:
    for row in found.iterator(chunk_size=2000):
        yield [
            row.day,
            MovementKind(row.kind).label,
            row.place.name,
            row.other_place.name if row.other_place else "",
            row.item.name,
            row.quantity,
            Unit(row.item.base_unit).label,
            row.reason,
            row.lot_id,
            row.signed_by,
            row.note,
        ]


class _Sheet:
    """One export: its name, model, header and rows."""

    def __init__(
        self,
        what: str,
        model: type[Model],
        label: Any,
        header: Callable[[], list[str]],
        rows: Callable[[User, dict[str, Any]], Any],
        count: Callable[[User, dict[str, Any]], int],
    ) -> None:
        self.what, self.model, self.label = what, model, label
        self.header, self.rows, self.count = header, rows, count

    def write(
        self, user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None
    ) -> int:
        header = self.header()
        written = write_xlsx(
            target,
            [
                SheetSpec(
                    title=str(self.label),
                    header=header,
                    rows=self.rows(user, params),
                    widths=[16] * len(header),
                )
            ],
            progress=progress,
        )
        record_access(
            AccessKind.EXPORT,
            actor=user,
            area_path=user.area.path if user.area is not None else "/",
            detail={
                "what": f"supplies.{self.what}",
                "rows": written,
                "filters": sorted(filter_data(params.get("filters")).keys()),
            },
        )
        return written

    def register(self) -> Exporter:
        what = self.what
        return register(
            Exporter(
                name=f"supplies.{what}",
                model=self.model,
                label=self.label,
                count=self.count,
                write=self.write,
                filename=lambda p: (
                    f"supplies-{what}-{dt.datetime.fromisoformat(p['at']):%Y%m%d-%H%M}"
                ),
            )
        )


ITEMS = _Sheet(
    "items",
    Item,
    gettext_lazy("Supplies"),
    lambda: [_("Community"), _("name"), _("category"), _("base unit"), _("packs"), _("notes")],
    lambda user, params: _item_rows(items(user, params)),
    lambda user, params: items(user, params).count(),
).register()

DONATIONS = _Sheet(
    "donations",
    Donation,
    gettext_lazy("Donations"),
    lambda: [
        _("Community"),
        _("date"),
        _("donor"),
        _("donor kind"),
        _("veteran"),
        _("received into"),
        _("item"),
        _("quantity"),
        _("unit"),
        _("quantity (base units)"),
        _("condition"),
        _("expiry"),
    ],
    lambda user, params: _lot_rows(lots(user, params).iterator(chunk_size=2000)),
    lambda user, params: lots(user, params).count(),
).register()

MOVEMENTS = _Sheet(
    "movements",
    Movement,
    gettext_lazy("Stock ledger"),
    lambda: [
        _("date"),
        _("kind"),
        _("place"),
        _("other place"),
        _("item"),
        _("quantity (base units)"),
        _("base unit"),
        _("reason"),
        _("lot"),
        _("signed by"),
        _("note"),
    ],
    lambda user, params: _movement_rows(movements(user, params)),
    lambda user, params: movements(user, params).count(),
).register()

BALANCES = _Sheet(
    "balances",
    Stock,
    gettext_lazy("Stock balances"),
    lambda: [
        _("Community"),
        _("place"),
        _("kind"),
        _("item"),
        _("balance (base units)"),
        _("base unit"),
        _("balance"),
        _("minimum"),
        _("date"),
    ],
    _balances,
    lambda user, params: Stock.objects.restrict(user).count(),
).register()
