"""Submitting and correcting daily reports. Every write is one ``do_*`` call: atomic,
checked (scope, right, the area's own office), audited; a refused call stores nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.choices import CHILD_LEVEL, AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import require
from fangkong.core.services import actor_or_none, check_version, locked, save_checked
from fangkong.daily.choices import NOTE_FIELDS, ReportState, TemplateLevel
from fangkong.daily.models import DailyReport, ReportDeadline, ReportTemplate
from fangkong.daily.xlsx import Source, fill_template, local_time, parse_template

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


# --- Report templates (the superiors' own forms) -------------------------------------------


def _check_template_office(area: Area, by: User | None, action: str) -> None:
    require(
        by,
        ReportTemplate,
        action,
        area,
        reason=_("Your role does not keep report templates."),
    )
    # Each office keeps its own forms: a street's official does not upload a community's.
    if by is not None and not by.is_superuser and by.area_id != area.pk:
        raise PermissionDeniedError(
            action, _("Only the office of %(area)s keeps its report templates.") % {"area": area}
        )


def check_template_level(area: Area, level: str) -> None:
    """A community's templates fill its reports; a street's fill its summary or its
    communities' reports; no other area keeps templates."""
    if level not in TemplateLevel.values:
        raise ValidationError({"level": _("Choose what the template is filled from.")})
    if area.level == AreaLevel.COMMUNITY and level != TemplateLevel.COMMUNITY:
        raise ValidationError(
            {"level": _("A community's template is filled from the community's report.")}
        )
    if area.level not in (AreaLevel.COMMUNITY, AreaLevel.STREET):
        raise ValidationError(_("Only a community or a street keeps report templates."))


@transaction.atomic
def do_upload_template(
    area: Area,
    *,
    name: str,
    level: str,
    content: bytes,
    file_name: str = "",
    by: User | None,
) -> ReportTemplate:
    """Store an uploaded .xlsx as a template of ``area``, once every placeholder in it is
    known (``daily.xlsx.parse_template``); a refused file stores nothing."""
    _check_template_office(area, by, "add")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the template a name.")})
    check_template_level(area, level)
    found = parse_template(content, level)
    template = ReportTemplate(
        area=area,
        level=level,
        name=name[:100],
        file_name=(file_name or "")[-200:],
        content=content,
        size=len(content),
        placeholders=[f.as_json() for f in found],
        uploaded_by=actor_or_none(by),
    )
    save_checked(template)
    record_change(ChangeAction.CREATE, template, actor=by)
    return template


@transaction.atomic
def do_deactivate_template(
    template: ReportTemplate, *, expected_version: int | None = None, by: User | None
) -> ReportTemplate:
    """Stop filling a template (it stays, inactive, in the list)."""
    row: ReportTemplate = locked(ReportTemplate, template.pk, "area")
    _check_template_office(row.area, by, "deactivate")
    check_version(row, expected_version)
    if not row.is_active:
        raise ValidationError(_("This template is already inactive."))
    before = row.audit_snapshot()
    row.is_active = False
    row.version += 1
    row.save(update_fields=["is_active", "version", "updated"])
    record_change(ChangeAction.UPDATE, row, before=before, actor=by)
    return row


def templates_for(report: DailyReport, user: User | None = None) -> list[ReportTemplate]:
    """The active templates a report fills: its community's (and its street's for the
    communities' reports), or a street's summaries; as ``user`` sees them when given."""
    area = report.area
    rows = ReportTemplate.objects.all() if user is None else ReportTemplate.objects.restrict(user)
    if area.level == AreaLevel.COMMUNITY:
        owners = [area.pk] + ([area.parent_id] if area.parent_id else [])
        rows = rows.filter(area_id__in=owners, level=TemplateLevel.COMMUNITY)
    elif area.level == AreaLevel.STREET:
        rows = rows.filter(area=area, level=TemplateLevel.STREET)
    else:
        return []
    return list(rows.filter(is_active=True).defer("content").order_by("area__path", "name", "id"))


def reports_summed(report: DailyReport) -> list[DailyReport]:
    """The revisions a street's (or district's) report summed when submitted (its
    ``parts``): its summary shows what it summed, whatever was corrected below since."""
    wanted = Q()
    for area_id, revision in (report.parts or {}).items():
        wanted |= Q(area_id=int(area_id), revision=int(revision))
    if not wanted:
        return []
    return list(DailyReport.objects.filter(wanted, day=report.day).select_related("area"))


def template_source(report: DailyReport) -> Source:
    """What fills a template from ``report``: its figures and notes, and for a street's
    report one entry per community of the street (the revision of each that the street's
    report summed; none for a community that had not reported)."""
    area = report.area
    zone = area.zone
    street = area if area.level == AreaLevel.STREET else area.parent
    district = street.parent if street is not None else None
    by = report.submitted_by
    source = Source(
        day=report.day,
        figures={k: int(report.figures.get(k, 0)) for k in stored.DAILY_KEYS},
        notes={name: str(getattr(report, name)) for name in NOTE_FIELDS},
        names={
            "area.name": area.name,
            "street.name": street.name if street is not None else "",
            "district.name": district.name if district is not None else "",
        },
        report={
            "revision": report.revision,
            "submitted_by": (by.full_name or by.username) if by is not None else "",
            "submitted_at": local_time(report.submitted_at, zone),
        },
    )
    if area.level == AreaLevel.STREET:
        children = Area.objects.filter(parent=area, level=AreaLevel.COMMUNITY).order_by("path")
        below = {r.area_id: r for r in reports_summed(report)}
        entries = []
        for child in children:
            found = below.get(child.pk)
            if found is None:
                state = str(ReportState.NOT_SUBMITTED.label)
            elif found.revision > 1:
                state = str(ReportState.CORRECTED.label)
            else:
                state = str(ReportState.SUBMITTED.label)
            entries.append(
                {
                    "name": child.name,
                    "state": state,
                    "figures": None
                    if found is None
                    else {k: int(found.figures.get(k, 0)) for k in stored.DAILY_KEYS},
                    "notes": {}
                    if found is None
                    else {name: str(getattr(found, name)) for name in NOTE_FIELDS},
                }
            )
        source.communities = entries
    return source


def fill_report_template(template: ReportTemplate, report: DailyReport) -> bytes:
    """The template filled from the report (refused when it does not apply to it)."""
    if template.pk not in {t.pk for t in templates_for(report)}:
        raise ValidationError(_("This template is not filled from this report."))
    return fill_template(bytes(template.content), template_source(report))


# --- The deadline of the reports below a street ---------------------------------------------


@transaction.atomic
def do_set_deadline(area: Area, due: dt.time, *, by: User | None) -> ReportDeadline:
    """Set the local time after which the reports of the areas below ``area`` (a street or
    a district) count as late."""
    if area.level not in (AreaLevel.STREET, AreaLevel.DISTRICT):
        raise ValidationError(_("Only a street or a district sets a deadline for reports."))
    require(by, ReportDeadline, "change", area, reason=_("Your role does not set the deadline."))
    if by is not None and not by.is_superuser and by.area_id != area.pk:
        raise PermissionDeniedError(
            "change", _("Only the office of %(area)s sets its deadline.") % {"area": area}
        )
    locked(Area, area.pk)
    row: ReportDeadline | None = ReportDeadline.objects.filter(area=area).first()
    if row is None:
        row = ReportDeadline(area=area, due=due)
        save_checked(row)
        record_change(ChangeAction.CREATE, row, actor=by)
        return row
    before = row.audit_snapshot()
    row.due = due
    row.version += 1
    row.save(update_fields=["due", "version", "updated"])
    record_change(ChangeAction.UPDATE, row, before=before, actor=by)
    return row
