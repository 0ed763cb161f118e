"""The shops as .xlsx, as an export (``core.exports``): written in the request when small,
by a worker when a district's thousands of shops are asked for. Phones are masked; every
text cell is neutralised by core's writer (a shop named ``=HYPERLINK(…)`` stays text)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exports import Exporter, filter_data, register
from fangkong.core.filtersets import bound_numbers
from fangkong.core.spreadsheets import Progress, SheetSpec, write_xlsx
from fangkong.merchants.filtersets import MerchantFilterSet
from fangkong.merchants.models import Merchant

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def merchants_for_export(user: User, filters: Any) -> QuerySet[Merchant]:
    shops = Merchant.objects.restrict(user).select_related("community", "area")
    filterset = bound_numbers(
        MerchantFilterSet(filters or None, queryset=shops, request=SimpleNamespace(user=user))
    )
    return filterset.qs if filterset.is_bound else shops


def count(user: User, params: dict[str, Any]) -> int:
    return merchants_for_export(user, filter_data(params.get("filters"))).count()


def write(user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None) -> int:
    filters = filter_data(params.get("filters"))
    rows = (
        [
            shop.community.name,
            shop.area.name,
            shop.name,
            shop.get_kind_display(),
            shop.address,
            shop.licence_number,
            shop.contact_name,
            shop.phone_mask,
            shop.get_status_display(),
            shop.status_since,
        ]
        for shop in merchants_for_export(user, filters).iterator(chunk_size=2000)
    )
    header = [
        _("Community"),
        _("Area"),
        _("Name"),
        _("Kind"),
        _("Address"),
        _("Licence number"),
        _("Contact person"),
        _("Phone"),
        _("Status"),
        _("Status since"),
    ]
    written = write_xlsx(
        target,
        [
            SheetSpec(
                title=str(_("Merchants")),
                header=header,
                rows=rows,
                widths=[16, 16, 30, 12, 40, 20, 12, 14, 10, 12],
                text_columns=[5],
            )
        ],
        progress=progress,
    )
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=user.area.path if user.area is not None else "/",
        detail={
            "what": "merchants.merchants",
            "rows": written,
            "filters": sorted(k for k, v in filters.items() if v and k != "page"),
        },
    )
    return written


def _filename(params: dict[str, Any]) -> str:
    return f"merchants-{dt.datetime.fromisoformat(params['at']):%Y%m%d-%H%M}"


MERCHANTS = register(
    Exporter(
        name="merchants.merchants",
        model=Merchant,
        label=gettext_lazy("Merchants"),
        count=count,
        write=write,
        filename=_filename,
    )
)
