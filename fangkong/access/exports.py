"""The gate report as .xlsx (the period's figures and its gate log, masked) and the printed
pass cards of a whole community, each as an export job.

A community's gate log over a period of up to 93 days runs to tens of thousands of rows (a
community of 8,000 people passes its gates ~1,000 times a day), so the export goes through
``core.exports``: written in the request when it is small (``INLINE_ROWS`` log rows or fewer),
else by a worker and downloaded once from the job's page. The job asks again: the right, and
the community within the user's area. Every export is an access event (``record_access``).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from types import SimpleNamespace
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.access import cards, stats
from fangkong.access.cards import MAX_CARDS
from fangkong.access.choices import Direction, PassStatus, ReasonCode
from fangkong.access.filtersets import PassFilterSet
from fangkong.access.models import GateEvent, Pass
from fangkong.access.pass_policy import day_start
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exports import Exporter, filter_data, register
from fangkong.core.filtersets import bound_numbers
from fangkong.core.querysets import works_in
from fangkong.core.spreadsheets import Progress, SheetSpec, write_xlsx

CHUNK = 2000


def _community(user: Any, params: dict[str, Any]) -> Area:
    """The community asked for, if it is still within the user's area (else 404: the job
    turns it into "no longer within your area")."""
    pk = params.get("community")
    community: Area | None = (
        None if pk is None else Area.objects.filter(pk=pk, level=AreaLevel.COMMUNITY).first()
    )
    if community is None or not works_in(user, community.pk):
        raise Http404
    return community


def _period(params: dict[str, Any]) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(params["since"]), dt.date.fromisoformat(params["until"])


def gate_log(user: Any, params: dict[str, Any]) -> tuple[Area, QuerySet[GateEvent]]:
    """The community and the events of the period the user sees, through ``restrict()``."""
    community = _community(user, params)
    since, until = _period(params)
    events = GateEvent.objects.restrict(user).filter(
        community=community,
        time__gte=day_start(since, community.time_zone),
        time__lt=day_start(until + dt.timedelta(days=1), community.time_zone),
    )
    return community, events


def count(user: Any, params: dict[str, Any]) -> int:
    """The gate log's rows: the sheet that grows (the others have a row per day, gate, hour,
    household or reason)."""
    return gate_log(user, params)[1].count()


def write(user: Any, params: dict[str, Any], target: BinaryIO, progress: Progress | None) -> int:
    """Write the report's sheets and the gate log; record the export. Returns the rows."""
    community, events = gate_log(user, params)
    since, until = _period(params)
    report = stats.gate_report(
        GateEvent.objects.restrict(user).filter(community=community),
        community.time_zone,
        since,
        until,
    )
    log = events.select_related("checkpoint", "pass_obj", "household__building").order_by(
        "time", "pk"
    )
    directions, decisions = (
        dict(Direction.choices),
        dict(GateEvent._meta.get_field("decision").choices or ()),
    )
    reasons = dict(ReasonCode.choices)
    sheets = [
        SheetSpec(
            _("Per day"),
            [_("Day"), _("Exits"), _("Entries")],
            ([str(r["day"]), r["out"], r["in"]] for r in report["per_day"]),
        ),
        SheetSpec(
            _("Per gate"),
            [_("Checkpoint"), _("Exits"), _("Entries")],
            ([r["checkpoint__name"], r["out"], r["in"]] for r in report["per_gate"]),
        ),
        SheetSpec(
            _("Per hour"),
            [_("Hour"), _("Exits"), _("Entries")],
            ([f"{r['hour']:02d}:00", r["out"], r["in"]] for r in report["per_hour"]),
        ),
        SheetSpec(
            _("Outings per household"),
            [_("Building"), _("Unit"), _("Room"), _("Outings")],
            (
                [
                    r["household__building__number"],
                    r["household__unit"],
                    r["household__room"],
                    r["outings"],
                ]
                for r in report["per_household"]
            ),
            text_columns=(0, 2),
        ),
        SheetSpec(
            _("Refusals"),
            [_("Reason"), _("Count")],
            ([str(r["label"]), r["count"]] for r in report["refusals"]),
        ),
        SheetSpec(
            _("Gate log"),
            [
                _("Time"),
                _("Checkpoint"),
                _("Direction"),
                _("Pass"),
                _("Room"),
                _("Decision"),
                _("Reason"),
                _("Temperature"),
                _("Recorded offline"),
            ],
            (
                [
                    timezone.localtime(e.time).strftime("%Y-%m-%d %H:%M:%S"),
                    e.checkpoint.name,
                    str(directions.get(e.direction, "")),
                    e.pass_obj.serial if e.pass_obj is not None else "",
                    e.household.label if e.household is not None else "",
                    str(decisions.get(e.decision, "")),
                    str(reasons.get(e.reason_code, "")),
                    str(e.temperature) if e.temperature is not None else "",
                    _("Yes") if e.offline else "",
                ]
                for e in log.iterator(chunk_size=CHUNK)
            ),
            text_columns=(3,),
        ),
    ]
    rows = write_xlsx(target, sheets, progress=progress)
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=community.path,
        detail={
            "export": "access.gate_report",
            "since": str(since),
            "until": str(until),
            "rows": rows,
            "masked": True,
        },
    )
    return rows


def _check(user: Any, params: dict[str, Any]) -> None:
    if params.get("format") != "xlsx":
        raise PermissionDenied  # the report is a workbook of several sheets: no CSV


GATE_REPORT = register(
    Exporter(
        name="access.gate_report",
        model=GateEvent,
        label=gettext_lazy("Gate report"),
        count=count,
        write=write,
        check=_check,
        filename=lambda p: f"gate-{p['since']}-{p['until']}",
    )
)


# --- Pass cards -------------------------------------------------------------------------------
#
# A community of 1,901 households is 1,901 cards: too many for one PDF made in a request (and
# WeasyPrint holds a whole document in memory), so more than ``MAX_CARDS`` cards are written
# by a job as a zip of PDFs of ``MAX_CARDS`` cards each, in the list's order, and downloaded
# once. Fewer come back at once as one PDF, as before.


def passes_for_cards(user: Any, filters: Any) -> QuerySet[Pass]:
    """The working passes the pass list shows ``user`` with ``filters``, in card order."""
    queryset = (
        Pass.objects.restrict(user)
        .filter(status__in=[PassStatus.ACTIVE, PassStatus.SUSPENDED])
        .select_related("household__building", "community", "person")
    )
    filterset = bound_numbers(
        PassFilterSet(filters or None, queryset=queryset, request=SimpleNamespace(user=user))
    )
    if filterset.is_bound:
        queryset = filterset.qs
    return queryset.order_by(
        "household__building__sort_key",
        "household__building__number",
        "household__unit",
        "household__room",
        "serial",
    )


def _count_cards(user: Any, params: dict[str, Any]) -> int:
    return passes_for_cards(user, filter_data(params.get("filters") or {})).count()


def _write_cards(
    user: Any, params: dict[str, Any], target: BinaryIO, progress: Progress | None
) -> int:
    """One PDF (``format`` pdf) or a zip of PDFs of ``MAX_CARDS`` cards (``zip``)."""
    passes = list(passes_for_cards(user, filter_data(params.get("filters") or {})))
    if params.get("format") == "pdf":
        target.write(cards.render_cards_pdf(passes))
    else:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
            for start in range(0, len(passes), MAX_CARDS):
                part = passes[start : start + MAX_CARDS]
                name = f"passes-{start + 1:05d}-{start + len(part):05d}.pdf"
                # PDFs are compressed already: stored, not deflated again.
                archive.writestr(name, cards.render_cards_pdf(part))
                if progress is not None:
                    progress(start + len(part))
    community_paths = {p.community.path for p in passes[:1]}
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=next(iter(community_paths), getattr(getattr(user, "area", None), "path", "/")),
        detail={"export": "access.pass_cards", "rows": len(passes), "masked": False},
    )
    return len(passes)


def _check_cards(user: Any, params: dict[str, Any]) -> None:
    if params.get("format") not in ("pdf", "zip"):
        raise PermissionDenied


PASS_CARDS = register(
    Exporter(
        name="access.pass_cards",
        model=Pass,
        label=gettext_lazy("Pass cards"),
        count=_count_cards,
        write=_write_cards,
        check=_check_cards,
        filename=lambda p: "passes",
        action="print",
        inline_rows=MAX_CARDS,
    )
)
