"""Calls: the outcome of each call, the answers, retries, door visits and move-outs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.core.audit import record_access, record_change, record_changes
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.exceptions import ConflictError, PermissionDeniedError
from fangkong.core.personal_data import decrypt, phone_digits
from fangkong.core.querysets import covers, require
from fangkong.core.services import actor_or_none
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Household, Person
from fangkong.screening.choices import (
    FAILED_OUTCOMES,
    REACHED_OUTCOMES,
    AssignmentStatus,
    CampaignStatus,
    CampaignUnit,
    Outcome,
    ProposalStatus,
    RecordSource,
)
from fangkong.screening.models import (
    Alert,
    CallAssignment,
    CallAttempt,
    Campaign,
    MoveOutProposal,
    QuestionnaireVersion,
    ScreeningRecord,
)
from fangkong.screening.questionnaires import (
    alert_hits,
    clean_answers,
    highest_level,
)
from fangkong.screening.services.alerts import alert_task, follow_up_task, raise_alert
from fangkong.screening.services.campaigns import grid_workers
from fangkong.screening.services.questionnaires import version_specs

if TYPE_CHECKING:
    from fangkong.accounts.models import User

DOOR_VISIT_TASK = "screening.door_visit"
DOOR_VISIT_DUE = dt.timedelta(hours=24)


# --- Calls ----------------------------------------------------------------------------------


def may_call(user: User | None, assignment: CallAssignment) -> bool:
    """The household's caller, or the worker of its grid (who answers for the grid even
    when a helper took a share of it)."""
    if user is None:
        return True
    if not user.is_authenticated or not user.has_action(CallAttempt, "add"):
        return False
    if assignment.assignee_id == user.pk:
        return True
    return (
        user.role == Role.GRID_WORKER
        and assignment.grid_id is not None
        and user.area_id == assignment.grid_id
    )


def _not_yours() -> PermissionDeniedError:
    return PermissionDeniedError(
        "call",
        _("This household is not on your call list; ask your community officer to move it to you."),
    )


def check_open(campaign: Campaign, today: dt.date) -> None:
    """Calls and answers are taken while the campaign is under way and within its dates."""
    if campaign.status == CampaignStatus.DRAFT:
        raise ValidationError(_("This campaign has not started yet."))
    if campaign.status == CampaignStatus.CLOSED or today > campaign.ends_on:
        raise ValidationError(_("This campaign is closed; answers are no longer taken."))
    if today < campaign.starts_on:
        raise ValidationError(
            _("This campaign starts on %(date)s.") % {"date": campaign.starts_on.isoformat()}
        )


def active_members(household_id: int) -> list[Person]:
    return list(
        Person.objects.filter(household_id=household_id, status=PersonStatus.ACTIVE).order_by("pk")
    )


@dataclass
class CallResult:
    assignment: CallAssignment
    attempt: CallAttempt
    records: list[ScreeningRecord] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    proposals: list[MoveOutProposal] = field(default_factory=list)


def _lock_assignment(pk: int) -> CallAssignment:
    assignment: CallAssignment = (
        CallAssignment.objects.select_for_update(of=("self",))
        .select_related(
            "campaign__questionnaire__current",
            "campaign__area",
            "community",
            "grid",
            "household__building",
        )
        .get(pk=pk)
    )
    return assignment


def clean_call_answers(
    assignment: CallAssignment,
    *,
    answers: Mapping[str, Any] | None,
    people_answers: Mapping[Any, Mapping[str, Any]] | None,
    today: dt.date,
    version: QuestionnaireVersion,
    lenient: bool = False,
) -> list[tuple[Person | None, dict[str, Any]]]:
    """Checked answers for the household, or for each active member in a per-person
    campaign. Errors are keyed by question code (``<person id>.<code>`` per person)."""
    specs = version_specs(version)
    if assignment.campaign.unit == CampaignUnit.PERSON:
        members = active_members(assignment.household_id)
        if members:
            given = {str(k): v for k, v in (people_answers or {}).items()}
            cleaned: list[tuple[Person | None, dict[str, Any]]] = []
            errors: dict[str, list[str]] = {}
            for person in members:
                try:
                    cleaned.append(
                        (
                            person,
                            clean_answers(
                                specs, given.get(str(person.pk), {}), today=today, lenient=lenient
                            ),
                        )
                    )
                except ValidationError as exc:
                    for code, messages in exc.message_dict.items():
                        errors[f"{person.pk}.{code}"] = messages
            if errors:
                raise ValidationError(errors)
            return cleaned
    return [(None, clean_answers(specs, answers or {}, today=today, lenient=lenient))]


def write_records(
    assignment: CallAssignment,
    version: QuestionnaireVersion,
    cleaned: list[tuple[Person | None, dict[str, Any]]],
    *,
    by: User | None,
    now: dt.datetime,
    attempt: CallAttempt | None,
    source: str,
) -> tuple[list[ScreeningRecord], list[Alert]]:
    """Store answers as the current records of the household (or its people), with the
    alerts they raise. Earlier records of the same household stay, no longer current."""
    ScreeningRecord.objects.filter(assignment=assignment, is_current=True).update(is_current=False)
    threshold = assignment.community.fever_threshold
    specs = version_specs(version)
    records, alerts = [], []
    for person, answers in cleaned:
        hits = alert_hits(specs, answers, fever_threshold=threshold)
        record = ScreeningRecord(
            community=assignment.community,
            grid=assignment.grid,
            campaign=assignment.campaign,
            assignment=assignment,
            household=assignment.household,
            person=person,
            questionnaire_version=version,
            answers=answers,
            attempt=attempt,
            source=source,
            recorded_by=actor_or_none(by),
            recorded_at=now,
            alert_level=highest_level(h.level for h in hits),
        )
        record.save()
        records.append(record)
        for hit in hits:
            alerts.append(raise_alert(assignment, record, person, hit, now))
    record_changes(ChangeAction.CREATE, records, actor=by)
    if alerts:
        record_changes(ChangeAction.CREATE, alerts, actor=by)
        today = assignment.community.local_today(now)
        for alert in alerts:
            alert_task(alert, now)
            follow_up_task(alert, alert.record.answers, specs, today, threshold)
    return records, alerts


def _door_visit_task(assignment: CallAssignment, now: dt.datetime) -> None:
    """After the failed calls the household is visited: a task for its grid's worker."""
    from fangkong.staff.services import do_create_task

    worker_id = (
        grid_workers([assignment.grid_id]).get(assignment.grid_id) if (assignment.grid_id) else None
    )
    worker = User.objects.get(pk=worker_id) if worker_id else None
    campaign = assignment.campaign
    task = do_create_task(
        community=assignment.community,
        kind=DOOR_VISIT_TASK,
        by=None,
        title=_("Door visit: %(household)s") % {"household": assignment.household.label},
        description=_(
            "Not reached by phone in %(campaign)s (%(n)s calls, last: %(outcome)s). "
            "Visit and record the answers as a visit."
        )
        % {
            "campaign": campaign.name,
            "n": assignment.attempts,
            "outcome": assignment.get_last_outcome_display(),
        },
        assignee=worker,
        area=assignment.grid or assignment.community,
        link=assignment.household,
        reason=f"campaign:{campaign.pk}",
        due=now + DOOR_VISIT_DUE,
    )
    assignment.door_visit_task_id = task.pk


def _propose_move_outs(
    assignment: CallAssignment,
    people_ids: Sequence[Any],
    *,
    date: dt.date | None,
    reason: str,
    today: dt.date,
    by: User | None,
    attempt: CallAttempt,
) -> list[MoveOutProposal]:
    members = {p.pk: p for p in active_members(assignment.household_id)}
    chosen = [members[int(pk)] for pk in people_ids if str(pk).isdigit() and int(pk) in members]
    if not members:
        return []
    errors: dict[str, str] = {}
    if not chosen:
        errors["people"] = _("Choose who moved away.")
    if date is None:
        errors["date"] = _("Give the date they moved, as the household said.")
    elif date > today:
        errors["date"] = _("A date cannot be in the future.")
    if errors or date is None:  # no date is one of the errors
        raise ValidationError(errors)
    pending = set(
        MoveOutProposal.objects.filter(
            person__in=chosen, status=ProposalStatus.PENDING
        ).values_list("person_id", flat=True)
    )
    proposals = []
    for person in chosen:
        if person.pk in pending:
            continue  # already waiting for the grid worker
        proposal = MoveOutProposal(
            community=assignment.community,
            grid=assignment.grid,
            assignment=assignment,
            household=assignment.household,
            person=person,
            date=date,
            reason=(reason or "").strip()[:200] or _("Moved away (heard on a screening call)"),
            proposed_by=actor_or_none(by),
            attempt=attempt,
        )
        proposal.save()
        proposals.append(proposal)
    record_changes(ChangeAction.CREATE, proposals, actor=by)
    return proposals


def _keep_conflicted(
    attempt: CallAttempt,
    assignment: CallAssignment,
    *,
    by: Any,
    answers: Mapping[str, Any] | None,
    people_answers: Mapping[Any, Mapping[str, Any]] | None,
    moved_people: Sequence[Any],
) -> ConflictError:
    """The other save won. This attempt is kept, with what was typed, so nothing is lost;
    the household stays as the winner left it. Returns the error that tells the caller."""
    attempt.conflicted = True
    attempt.input = {
        "answers": dict(answers or {}),
        "people_answers": {str(k): dict(v) for k, v in (people_answers or {}).items()},
        "moved_people": [str(p) for p in moved_people],
    }
    attempt.save()
    record_change(ChangeAction.CREATE, attempt, actor=by)
    return ConflictError(
        _(
            "Someone else saved this household a moment ago; their call counts. Your "
            "answers are shown again below: check them against the household's record "
            "and save again if something is missing."
        ),
        current_version=assignment.version,
    )


def do_record_call(
    assignment: CallAssignment,
    *,
    by: User | None,
    outcome: str,
    expected_version: int | None = None,
    answers: Mapping[str, Any] | None = None,
    people_answers: Mapping[Any, Mapping[str, Any]] | None = None,
    note: str = "",
    moved_people: Sequence[Any] = (),
    moved_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> CallResult:
    """Record one call (or visit) to a household and what follows from its outcome.

    * answered / visited: the answers are checked (a required answer missing, a temperature
      outside 34.0–43.0 °C, a date in the future are refused with the reason) and stored;
      alerts are raised with a task for the community officer;
    * no answer / refused: offered again after the campaign's delay; after the campaign's
      number of failed calls (three by default) a door visit for the grid worker;
    * number invalid: a door visit straight away — a dead number will not answer later;
    * moved away: a move-out of the chosen people, for the grid worker to confirm.

    Refused outright: a caller the household is not assigned to (``PermissionDeniedError``),
    a campaign not under way (``ValidationError``). When someone saved the household since
    ``expected_version`` was read, this attempt is still stored — marked as conflicted, with
    what was typed — and ``ConflictError`` tells the caller, whose input is shown again.
    """
    now = now or timezone.now()
    conflict: ConflictError | None = None
    with transaction.atomic():
        assignment = _lock_assignment(assignment.pk)
        campaign = assignment.campaign
        if (
            by is not None
            and not covers(by, assignment)
            and (assignment.assignee_id != getattr(by, "pk", None))
        ):
            raise Http404
        if not may_call(by, assignment):
            raise _not_yours()
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": _("Choose what happened on the call.")})
        today = assignment.community.local_today(now)
        check_open(campaign, today)
        version = campaign.questionnaire.current_version
        cleaned = []
        # A notification run asks nothing: reaching the household is the whole of it.
        if outcome in REACHED_OUTCOMES and not campaign.is_notification:
            cleaned = clean_call_answers(
                assignment,
                answers=answers,
                people_answers=people_answers,
                today=today,
                version=version,
            )
        attempt = CallAttempt(
            community=assignment.community,
            grid=assignment.grid,
            campaign=campaign,
            assignment=assignment,
            caller=actor_or_none(by),
            outcome=outcome,
            at=now,
            note=(note or "").strip()[:300],
        )
        if expected_version is not None and assignment.version != expected_version:
            conflict = _keep_conflicted(
                attempt,
                assignment,
                by=by,
                answers=answers,
                people_answers=people_answers,
                moved_people=moved_people,
            )
        else:
            result = _apply_call(
                assignment,
                attempt,
                cleaned,
                by=by,
                now=now,
                today=today,
                moved_people=moved_people,
                moved_date=moved_date,
                note=note,
            )
    if conflict is not None:
        raise conflict
    return result


def _apply_call(
    assignment: CallAssignment,
    attempt: CallAttempt,
    cleaned: list[tuple[Person | None, dict[str, Any]]],
    *,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    moved_people: Sequence[Any],
    moved_date: dt.date | None,
    note: str,
) -> CallResult:
    campaign = assignment.campaign
    outcome = attempt.outcome
    before = assignment.audit_snapshot()
    attempt.save()
    result = CallResult(assignment=assignment, attempt=attempt)
    assignment.last_outcome, assignment.last_attempt_at = outcome, now
    if outcome in REACHED_OUTCOMES:
        source = RecordSource.VISIT if outcome == Outcome.VISITED else RecordSource.CALL
        result.records, result.alerts = write_records(
            assignment,
            campaign.questionnaire.current_version,
            cleaned,
            by=by,
            now=now,
            attempt=attempt,
            source=source,
        )
        assignment.status, assignment.reached_at = AssignmentStatus.REACHED, now
        assignment.next_call_at = None
        assignment.alert_level = highest_level(
            [assignment.alert_level, *(a.level for a in result.alerts)]
        )
    elif outcome in FAILED_OUTCOMES:
        assignment.attempts += 1
        if assignment.status == AssignmentStatus.PENDING and (
            outcome == Outcome.NUMBER_INVALID or assignment.attempts >= campaign.max_attempts
        ):
            assignment.status = AssignmentStatus.UNREACHABLE
            assignment.next_call_at = None
            _door_visit_task(assignment, now)
        elif assignment.status == AssignmentStatus.PENDING:
            assignment.next_call_at = now + dt.timedelta(minutes=campaign.retry_delay_minutes)
    elif outcome == Outcome.MOVED:
        result.proposals = _propose_move_outs(
            assignment,
            moved_people,
            date=moved_date,
            reason=note,
            today=today,
            by=by,
            attempt=attempt,
        )
        assignment.status, assignment.next_call_at = AssignmentStatus.MOVED, None
    assignment.version += 1
    assignment.save(
        update_fields=[
            "status",
            "attempts",
            "last_outcome",
            "last_attempt_at",
            "next_call_at",
            "reached_at",
            "alert_level",
            "door_visit_task_id",
            "version",
            "updated",
        ]
    )
    record_change(ChangeAction.CREATE, attempt, actor=by)
    record_change(ChangeAction.UPDATE, assignment, before=before, actor=by)
    return result


def do_dial(assignment: CallAssignment, *, by: User, person: Person | None) -> str:
    """The number to dial for a member (or the household's landline when ``person`` is
    None), for the household's caller only. Each dial is an access event; the number is
    returned for a ``tel:`` redirect and never written to a page or a log."""
    assignment = CallAssignment.objects.select_related(
        "campaign", "community", "grid", "household"
    ).get(pk=assignment.pk)
    if not may_call(by, assignment):
        raise _not_yours()
    check_open(assignment.campaign, assignment.community.local_today())
    target: Person | Household
    if person is not None:
        if person.household_id != assignment.household_id or not person.is_active:
            raise Http404
        cipher, target = person.phone_cipher, person
    else:
        cipher, target = assignment.household.phone_cipher, assignment.household
    if not cipher:
        raise ValidationError(_("There is no phone number to call."))
    record_access(
        AccessKind.CALL,
        actor=by,
        area_path=assignment.area_path(),
        obj=target,
        reason=_("Screening call"),
        detail={"campaign": assignment.campaign_id, "assignment": assignment.pk, "field": "phone"},
    )
    return phone_digits(decrypt(cipher))


# --- Move-outs ------------------------------------------------------------------------------


def _locked_proposal(proposal: MoveOutProposal) -> MoveOutProposal:
    locked: MoveOutProposal = (
        MoveOutProposal.objects.select_for_update(of=("self",))
        .select_related("grid", "community", "person")
        .get(pk=proposal.pk)
    )
    return locked


@transaction.atomic
def do_confirm_move_out(proposal: MoveOutProposal, *, by: User) -> MoveOutProposal:
    """The grid worker confirms: the person is deactivated in the registry (moved out)."""
    from fangkong.registry.services import do_deactivate_person

    proposal = _locked_proposal(proposal)
    require(by, Person, "deactivate", proposal)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(_("This move-out has already been decided."))
    before = proposal.audit_snapshot()
    if proposal.person.is_active:
        do_deactivate_person(
            proposal.person,
            by=by,
            status=PersonStatus.MOVED_OUT,
            date=proposal.date,
            reason=proposal.reason,
        )
    proposal.status, proposal.decided_by, proposal.decided_at = (
        ProposalStatus.CONFIRMED,
        actor_or_none(by),
        timezone.now(),
    )
    proposal.version += 1
    proposal.save(update_fields=["status", "decided_by", "decided_at", "version", "updated"])
    record_change(ChangeAction.UPDATE, proposal, before=before, actor=by)
    return proposal


@transaction.atomic
def do_reject_move_out(proposal: MoveOutProposal, *, by: User) -> MoveOutProposal:
    """The grid worker knows better: the person still lives here; the registry is unchanged."""
    proposal = _locked_proposal(proposal)
    require(by, Person, "deactivate", proposal)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(_("This move-out has already been decided."))
    before = proposal.audit_snapshot()
    proposal.status, proposal.decided_by, proposal.decided_at = (
        ProposalStatus.REJECTED,
        actor_or_none(by),
        timezone.now(),
    )
    proposal.version += 1
    proposal.save(update_fields=["status", "decided_by", "decided_at", "version", "updated"])
    record_change(ChangeAction.UPDATE, proposal, before=before, actor=by)
    return proposal
