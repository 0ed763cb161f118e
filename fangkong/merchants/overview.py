"""The shops at a glance, per street and community: of all the shops, how many were visited,
how many are open, to how many a notice and a book were delivered, and how many failed checks
are still open (the story's "~500 visited, 55 open with notice and book"). A few grouped
queries for any number of communities, always through ``restrict()``."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.spreadsheets import SheetSpec, write_xlsx
from fangkong.merchants.choices import OPEN_STATUSES
from fangkong.merchants.models import Inspection, InspectionCheck, Merchant, Notice

if TYPE_CHECKING:
    from fangkong.accounts.models import User

FIGURES = ("shops", "visited", "open", "notice", "book", "notice_and_book", "open_checks")


def _labels() -> dict[str, str]:
    return {
        "shops": _("Shops"),
        "visited": _("Visited"),
        "open": _("Open"),
        "notice": _("Notice delivered"),
        "book": _("Book delivered"),
        "notice_and_book": _("Open with notice and book"),
        "open_checks": _("Failed checks still open"),
    }


def counts_by_community(user: User) -> dict[int, dict[str, int]]:
    from fangkong.merchants.services import OPEN_CHECK

    shops = Merchant.objects.restrict(user)
    visited = Exists(Inspection.objects.filter(merchant=OuterRef("pk")))
    notice = Exists(Notice.objects.filter(merchant=OuterRef("pk")))
    book = Exists(Notice.objects.filter(merchant=OuterRef("pk"), with_book=True)) | Exists(
        Inspection.objects.filter(merchant=OuterRef("pk"), book_delivered=True)
    )
    is_open = Q(status__in=OPEN_STATUSES)
    rows = (
        shops.annotate(v=visited, n=notice, b=book)
        .order_by()
        .values("community_id")
        .annotate(
            shops=Count("pk"),
            visited=Count("pk", filter=Q(v=True)),
            open=Count("pk", filter=is_open),
            notice=Count("pk", filter=Q(n=True)),
            book=Count("pk", filter=Q(b=True)),
            notice_and_book=Count("pk", filter=is_open & Q(n=True, b=True)),
        )
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result[row["community_id"]] = {k: int(row.get(k) or 0) for k in FIGURES}
        result[row["community_id"]]["open_checks"] = 0
    checks = (
        InspectionCheck.objects.filter(merchant__in=shops)
        .filter(OPEN_CHECK)
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk"))
    )
    for row in checks:
        result.setdefault(row["community_id"], dict.fromkeys(FIGURES, 0))["open_checks"] = row["n"]
    return result


def overview_rows(user: User) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Streets, each with its communities' figures and their sum; and the grand total."""
    counts = counts_by_community(user)
    communities = Area.objects.filter(pk__in=counts).select_related("parent").order_by("path")
    streets: dict[int | None, dict[str, Any]] = {}
    total = dict.fromkeys(FIGURES, 0)
    for community in communities:
        street = community.parent
        key = street.pk if street is not None else None
        group = streets.setdefault(
            key,
            {"street": street, "communities": [], "sum": dict.fromkeys(FIGURES, 0)},
        )
        figures = counts[community.pk]
        group["communities"].append({"community": community, "figures": figures})
        for name in FIGURES:
            group["sum"][name] += figures[name]
            total[name] += figures[name]
    return list(streets.values()), total


def overview_xlsx(user: User) -> bytes:
    streets, total = overview_rows(user)
    labels = _labels()
    rows: list[list[Any]] = []
    for group in streets:
        street_name = group["street"].name if group["street"] is not None else ""
        for item in group["communities"]:
            rows.append(
                [street_name, item["community"].name, *(item["figures"][k] for k in FIGURES)]
            )
        rows.append([street_name, _("Street total"), *(group["sum"][k] for k in FIGURES)])
    rows.append([_("Total"), "", *(total[k] for k in FIGURES)])
    target = io.BytesIO()
    write_xlsx(
        target,
        [
            SheetSpec(
                title=str(_("Shops at a glance")),
                header=[_("Street"), _("Community"), *(labels[k] for k in FIGURES)],
                rows=rows,
                widths=[16, 16, 8, 8, 8, 10, 10, 14, 14],
            )
        ],
    )
    return target.getvalue()


def labels() -> dict[str, str]:
    return _labels()
