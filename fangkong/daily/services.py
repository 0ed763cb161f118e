"""Submitting and correcting daily reports. Every write is one ``do_*`` call: atomic,
checked (scope, right, the area's own office), audited; a refused call stores nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.choices import CHILD_LEVEL, AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import require
from fangkong.core.services import actor_or_none, check_version, locked, save_checked
from fangkong.daily.choices import NOTE_FIELDS
from fangkong.daily.models import DailyReport

# The module, not its names: reports.daily collects every app's stats.py when first
# imported, and this app's stats.py imports these services.
from fangkong.reports import daily as stored

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: The levels that submit a report upward.
REPORTING_LEVELS = (AreaLevel.COMMUNITY, AreaLevel.STREET, AreaLevel.DISTRICT)
NOTE_LENGTH = 2000


def area_today(area: Area) -> dt.date:
    """The area's local today (a street's and a district's: their zone's)."""
    return area.local_today()


def current_reports_below(area: Area, day: dt.date) -> list[DailyReport]:
    """The reports in force of the areas one level below ``area`` for ``day`` (one query)."""
    child_level = CHILD_LEVEL.get(area.level)
    return list(
        DailyReport.objects.filter(
            area__parent=area, area__level=child_level, day=day, is_current=True
        )
        .select_related("area")
        .order_by("area__path")
    )


def summed_figures(reports: list[DailyReport]) -> dict[str, int]:
    """The sum of these reports' figures as submitted: a street's totals are exactly the sum
    of its communities' submitted figures, whatever was recounted since."""
    totals = dict.fromkeys(stored.DAILY_KEYS, 0)
    for report in reports:
        for key in stored.DAILY_KEYS:
            totals[key] += int(report.figures.get(key, 0))
    return totals


def figures_to_submit(area: Area, day: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """The figures a report of ``area`` for ``day`` would carry, and its parts (the revisions
    summed, below community level)."""
    if area.level == AreaLevel.COMMUNITY:
        return stored.figures_for(area, day), {}
    below = current_reports_below(area, day)
    return summed_figures(below), {str(r.area_id): r.revision for r in below}


def _check_submitter(area: Area, by: User | None, action: str) -> None:
    if area.level not in REPORTING_LEVELS:
        raise ValidationError(_("Only a community, a street or a district submits a daily report."))
    require(
        by,
        DailyReport,
        action,
        area,
        reason=_("Your role does not submit daily reports."),
    )
    # A street official covers its communities but reports for its street only: each office
    # signs its own report (the superuser may stand in for any).
    if by is not None and not by.is_superuser and by.area_id != area.pk:
        raise PermissionDeniedError(
            action, _("Only the office of %(area)s submits its daily report.") % {"area": area}
        )


def _clean_notes(data: dict[str, Any]) -> dict[str, str]:
    notes: dict[str, str] = {}
    for name in NOTE_FIELDS:
        value = str(data.get(name) or "").strip()
        if len(value) > NOTE_LENGTH:
            raise ValidationError({name: _("At most %(n)s characters.") % {"n": NOTE_LENGTH}})
        notes[name] = value
    return notes


def _check_day(area: Area, day: dt.date) -> None:
    if day > area_today(area):
        raise ValidationError(
            {"day": _("A report cannot be submitted for a future date (%(day)s).") % {"day": day}}
        )


@transaction.atomic
def do_submit_report(
    area: Area, day: dt.date, data: dict[str, Any], *, by: User | None
) -> DailyReport:
    """Submit ``area``'s report of ``day`` (its figures as stored now, and the notes). Refused
    for a day already submitted (correct it instead), a future day, an area not the
    submitter's own. Locks the area so two submissions of one report cannot both pass."""
    _check_submitter(area, by, "add")
    _check_day(area, day)
    notes = _clean_notes(data)
    locked(Area, area.pk)
    if DailyReport.objects.filter(area=area, day=day, is_current=True).exists():
        raise ValidationError(
            _("The report of %(day)s has already been submitted; correct it instead.")
            % {"day": day}
        )
    figures, parts = figures_to_submit(area, day)
    report = DailyReport(
        area=area,
        day=day,
        revision=1,
        is_current=True,
        figures=figures,
        parts=parts,
        submitted_at=timezone.now(),
        submitted_by=actor_or_none(by),
        **notes,
    )
    save_checked(report)
    record_change(ChangeAction.CREATE, report, actor=by)
    return report


def what_changed(before: DailyReport, after: DailyReport) -> dict[str, Any]:
    figures = {
        key: [before.figures.get(key, 0), after.figures.get(key, 0)]
        for key in stored.DAILY_KEYS
        if before.figures.get(key, 0) != after.figures.get(key, 0)
    }
    notes = [name for name in NOTE_FIELDS if getattr(before, name) != getattr(after, name)]
    return {"figures": figures, "notes": notes}


@transaction.atomic
def do_correct_report(
    report: DailyReport,
    data: dict[str, Any],
    *,
    reason: str,
    expected_version: int | None = None,
    by: User | None,
) -> DailyReport:
    """Correct a submitted report: a new revision in force, with the figures stored now,
    the notes given and the reason; the corrected one stays as it was (no longer in force)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the report is corrected.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": 200}})
    old = locked(DailyReport, report.pk, "area")
    _check_submitter(old.area, by, "change")
    check_version(old, expected_version)
    if not old.is_current:
        raise ValidationError(_("This revision has already been corrected; correct the newest."))
    notes = _clean_notes(data)
    figures, parts = figures_to_submit(old.area, old.day)
    before = old.audit_snapshot()
    old.is_current = False
    old.version += 1
    old.save(update_fields=["is_current", "version", "updated"])
    record_change(ChangeAction.UPDATE, old, before=before, actor=by)
    new = DailyReport(
        area=old.area,
        day=old.day,
        revision=old.revision + 1,
        is_current=True,
        figures=figures,
        parts=parts,
        reason=reason,
        submitted_at=timezone.now(),
        submitted_by=actor_or_none(by),
        **notes,
    )
    new.changes = what_changed(old, new)
    save_checked(new)
    record_change(ChangeAction.CREATE, new, actor=by)
    return new
