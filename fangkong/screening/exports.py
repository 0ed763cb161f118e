"""The campaign as the screening register (排查登记表) .xlsx, and a summary for the street office.

The register has one row per household (per person in a per-person campaign): where it is,
who answered (masked unless the officer asks for full numbers with a reason), the outcome,
and one column per question. Questions of older versions that the current one dropped get
their own columns at the end, so no answer given is lost. Every export is an access event;
every text cell that a spreadsheet would run as a formula is neutralised by
``core.spreadsheets``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.exports import Exporter, register
from fangkong.core.personal_data import decrypt
from fangkong.core.querysets import covers
from fangkong.core.spreadsheets import Progress, SheetSpec, write_xlsx
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Person
from fangkong.screening.choices import CHOICE_KINDS, AlertStatus
from fangkong.screening.masking import mask_name
from fangkong.screening.models import (
    Alert,
    CallAssignment,
    Campaign,
    Question,
    ScreeningRecord,
)
from fangkong.screening.questionnaires import QuestionSpec
from fangkong.screening.services import version_specs
from fangkong.screening.stats import HOUSEHOLD_ORDER, campaign_coverage

if TYPE_CHECKING:
    from fangkong.accounts.models import User

CHUNK = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_export(user: User, campaign: Campaign, unmasked: bool) -> None:
    if user is None:
        return
    if not covers(user, campaign.area) or not user.has_action(Campaign, "export"):
        raise PermissionDeniedError("export")
    if unmasked and not user.has_action("registry.person", "reveal"):
        raise PermissionDeniedError("reveal")


def register_columns(campaign: Campaign) -> list[QuestionSpec]:
    """The current version's questions, then any older version's that it no longer has."""
    current = version_specs(campaign.questionnaire.current_version)
    codes = {s.code for s in current}
    used_versions = (
        ScreeningRecord.objects.filter(campaign=campaign)
        .exclude(questionnaire_version=campaign.questionnaire.current_id)
        .order_by()
        .values("questionnaire_version")
        .distinct()
    )
    older = [
        QuestionSpec.from_question(q)
        for q in Question.objects.filter(version__in=used_versions).order_by(
            "-version__number", "position"
        )
    ]
    extra = []
    for spec in older:
        if spec.code not in codes:
            codes.add(spec.code)
            extra.append(spec)
    return [*current, *extra]


def _rows(
    campaign: Campaign, user: User, specs: list[QuestionSpec], unmasked: bool
) -> Iterator[list[Any]]:
    assignments = (
        CallAssignment.objects.restrict(user) if user is not None else CallAssignment.objects.all()
    ).filter(campaign=campaign)
    ids = list(assignments.order_by(*HOUSEHOLD_ORDER).values_list("pk", flat=True))
    tz = timezone.get_current_timezone()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = {
            a.pk: a
            for a in CallAssignment.objects.filter(pk__in=chunk).select_related(
                "household__building", "household__head", "grid", "assignee"
            )
        }
        # Who a household row names: the head, or its first active member.
        first_member: dict[int, Person] = {}
        for member in Person.objects.filter(
            household_id__in=[a.household_id for a in rows.values()],
            status=PersonStatus.ACTIVE,
        ).order_by("household_id", "pk"):
            first_member.setdefault(member.household_id, member)
        records: dict[int, list[ScreeningRecord]] = {}
        for record in (
            ScreeningRecord.objects.filter(assignment_id__in=chunk, is_current=True)
            .select_related("person")
            .order_by("pk")
        ):
            records.setdefault(record.assignment_id, []).append(record)
        for pk in chunk:
            assignment = rows[pk]
            household = assignment.household
            for record in records.get(pk, [None]):  # never an empty list
                person = (
                    record.person
                    if record is not None and record.person_id
                    else household.head or first_member.get(household.pk)
                )
                name = person.name if person else ""
                phone = ""
                if person is not None:
                    phone = decrypt(person.phone_cipher) if unmasked else person.phone_mask
                if not phone:
                    phone = decrypt(household.phone_cipher) if unmasked else household.phone_mask
                answers = record.answers if record is not None else {}
                yield [
                    assignment.grid.name if assignment.grid_id else "",
                    household.building.number,
                    household.unit,
                    household.room,
                    household.number,
                    name if unmasked else mask_name(name),
                    phone,
                    str(assignment.assignee) if assignment.assignee_id else "",
                    assignment.get_status_display(),
                    assignment.attempts,
                    assignment.get_last_outcome_display(),
                    timezone.localtime(record.recorded_at, tz).strftime("%Y-%m-%d %H:%M")
                    if record is not None
                    else "",
                    record.get_source_display() if record is not None else "",
                    record.get_alert_level_display() if record is not None else "",
                    *(spec.display(answers.get(spec.code)) for spec in specs),
                ]


def export_register(
    campaign: Campaign,
    target: BinaryIO,
    *,
    by: User,
    unmasked: bool = False,
    reason: str = "",
    progress: Progress | None = None,
) -> int:
    """Write the register to ``target``; returns data rows. Masked unless ``unmasked``."""
    _require_export(by, campaign, unmasked)
    specs = register_columns(campaign)
    header = [
        _("Grid"),
        _("Building"),
        _("Unit"),
        _("Room"),
        _("Household number"),
        _("Name") if unmasked else _("Name (masked)"),
        _("Phone") if unmasked else _("Phone (masked)"),
        _("Caller"),
        _("Status"),
        _("Failed calls"),
        _("Last outcome"),
        _("Recorded"),
        _("Source"),
        _("Alert"),
        *(spec.text for spec in specs),
    ]
    written = write_xlsx(
        target,
        [
            SheetSpec(
                title=campaign.questionnaire.name,
                header=header,
                rows=_rows(campaign, by, specs, unmasked),
                widths=[10, 8, 6, 8, 14, 12, 16, 12, 12],
                text_columns=[1, 3, 4, 6],
            )
        ],
        progress=progress,
    )
    record_access(
        AccessKind.EXPORT,
        actor=by,
        area_path=campaign.area.path,
        obj=campaign,
        reason=(reason or "").strip()[:300],
        detail={
            "what": "screening_register",
            "campaign": campaign.pk,
            "rows": written,
            "masked": not unmasked,
        },
    )
    return written


def summary_figures(campaign: Campaign, user: User) -> dict[str, Any]:
    """What the street office asks for: coverage per grid, alerts by kind, and how many
    households gave each answer to the choice questions."""
    coverage = campaign_coverage(campaign, user)
    records = (
        ScreeningRecord.objects.restrict(user)
        if user is not None
        else ScreeningRecord.objects.all()
    ).filter(campaign=campaign, is_current=True)
    specs = [
        s for s in version_specs(campaign.questionnaire.current_version) if s.kind in CHOICE_KINDS
    ]
    tallies: dict[str, Counter[str]] = {s.code: Counter() for s in specs}
    for answers in records.values_list("answers", flat=True).iterator(chunk_size=CHUNK):
        for spec in specs:
            value = answers.get(spec.code)
            for item in value if isinstance(value, list) else ([value] if value else []):
                tallies[spec.code][item] += 1
    alerts = (
        (Alert.objects.restrict(user) if user is not None else Alert.objects.all())
        .filter(campaign=campaign)
        .order_by()
        .values("kind")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status=AlertStatus.OPEN)))
    )
    return {"coverage": coverage, "specs": specs, "tallies": tallies, "alerts": list(alerts)}


def export_summary(campaign: Campaign, target: BinaryIO, *, by: User) -> int:
    """The summary workbook: figures only, no personal data; still an access event."""
    _require_export(by, campaign, unmasked=False)
    figures = summary_figures(campaign, by)
    coverage = figures["coverage"]

    def coverage_rows() -> Iterator[list[Any]]:
        for tally in [*coverage.grids, coverage.total]:
            yield [
                tally.label,
                tally.total,
                tally.reached,
                tally.pending,
                tally.unreachable,
                tally.moved,
                tally.alerts,
                f"{tally.percent_reached}%",
            ]

    def answer_rows() -> Iterator[list[Any]]:
        for spec in figures["specs"]:
            for value, label in spec.choice_list():
                yield [spec.text, label, figures["tallies"][spec.code].get(value, 0)]

    kinds = dict(Alert._meta.get_field("kind").choices or ())
    sheets = [
        SheetSpec(
            title=_("Coverage"),
            header=[
                _("Grid"),
                _("Households"),
                _("Reached"),
                _("Pending"),
                _("Unreachable"),
                _("Moved away"),
                _("With alerts"),
                _("Reached (%)"),
            ],
            rows=coverage_rows(),
            widths=[16, 10, 10, 10, 10, 10, 10, 10],
        ),
        SheetSpec(
            title=_("Answers"),
            header=[_("Question"), _("Answer"), _("Households")],
            rows=answer_rows(),
            widths=[36, 20, 10],
        ),
        SheetSpec(
            title=_("Alerts"),
            # "Raised" as a count of alerts, not the time one was raised (the detail page's label).
            header=[_("Kind"), pgettext("count of alerts", "Raised"), _("Still open")],
            rows=(
                [str(kinds.get(r["kind"], r["kind"])), r["total"], r["open"]]
                for r in figures["alerts"]
            ),
            widths=[24, 10, 10],
        ),
    ]
    written = write_xlsx(target, sheets)
    record_access(
        AccessKind.EXPORT,
        actor=by,
        area_path=campaign.area.path,
        obj=campaign,
        detail={
            "what": "screening_summary",
            "campaign": campaign.pk,
            "rows": written,
            "masked": True,
        },
    )
    return written


# --- The register as a job (core.exports) ---------------------------------------------------


def _campaign(user: User, params: dict[str, Any]) -> Campaign:
    """The campaign, if the user still runs it (404 otherwise)."""
    from fangkong.screening.views.common import get_managed_campaign

    return get_managed_campaign(user, int(params["campaign"]))


def _register_rows(user: User, params: dict[str, Any]) -> int:
    # One row per household (a per-person campaign may add rows: progress allows for it).
    return CallAssignment.objects.restrict(user).filter(campaign=_campaign(user, params)).count()


def _write_register(
    user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None
) -> int:
    try:
        return export_register(
            _campaign(user, params),
            target,
            by=user,
            unmasked=bool(params.get("unmasked")),
            reason=params.get("reason") or "",
            progress=progress,
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied from exc


def _check_unmasked(user: User, params: dict[str, Any]) -> None:
    if params.get("unmasked") and not user.has_action("registry.person", "reveal"):
        raise PermissionDenied


def _register_filename(params: dict[str, Any]) -> str:
    pk = params.get("campaign")
    campaign = None if pk is None else Campaign.objects.filter(pk=pk).only("name").first()
    return f"{campaign.name if campaign else ''}-register-{timezone.localdate():%Y%m%d}"


REGISTER_EXPORT = register(
    Exporter(
        name="screening.register",
        model=Campaign,
        label=gettext_lazy("Screening register"),
        count=_register_rows,
        write=_write_register,
        filename=_register_filename,
        check=_check_unmasked,
    )
)


# --- The import template as a job (core.exports) --------------------------------------------
# A register to fill in lists every household not reached yet: a district's campaign has
# ~285,000, so it is written in the request only when small (``INLINE_ROWS``), else by a job.
# The summary (``export_summary``) stays in the request: figures only, a row per grid, answer
# and kind of alert.


def _template_rows(user: User, params: dict[str, Any]) -> int:
    from fangkong.screening.choices import AssignmentStatus

    return (
        CallAssignment.objects.filter(campaign=_campaign(user, params))
        .exclude(status=AssignmentStatus.REACHED)
        .count()
    )


def _write_template(
    user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None
) -> int:
    from fangkong.screening.imports import template_workbook

    try:
        return template_workbook(_campaign(user, params), target, by=user, progress=progress)
    except PermissionDeniedError as exc:
        raise PermissionDenied from exc


def _check_import(user: User, params: dict[str, Any]) -> None:
    # The template is for an import: the export right (core.exports) and the import right.
    if not user.has_action(Campaign, "import"):
        raise PermissionDenied


def _template_filename(params: dict[str, Any]) -> str:
    pk = params.get("campaign")
    campaign = None if pk is None else Campaign.objects.filter(pk=pk).only("name").first()
    return f"{campaign.name if campaign else ''}-template-{timezone.localdate():%Y%m%d}"


TEMPLATE_EXPORT = register(
    Exporter(
        name="screening.import_template",
        model=Campaign,
        label=gettext_lazy("Screening register to fill in"),
        count=_template_rows,
        write=_write_template,
        filename=_template_filename,
        check=_check_import,
    )
)
