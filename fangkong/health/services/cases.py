"""Cases and close contacts: recording a case, its classification and outcome (status changes
with evidence, through the review), editing its dates and places, and linking contacts —
handing over those who live in another community."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_access, record_change
from fangkong.core.choices import AccessKind
from fangkong.core.choices import ChangeAction as AuditAction
from fangkong.core.personal_data import (
    decrypt,
    encrypt,
    id_number_indexes,
    mask_id_number,
    mask_phone,
    phone_indexes,
)
from fangkong.core.querysets import require
from fangkong.core.services import check_version, locked, officer_of
from fangkong.core.validators import validate_phone, validate_resident_id
from fangkong.health.choices import (
    ChangeAction,
    ChangeSource,
    Classification,
    ContactKind,
    Outcome,
    TakenTo,
)
from fangkong.health.models import Case, Contact, StatusChange
from fangkong.health.services.common import require_health_role
from fangkong.health.services.review import (
    APPLIERS,
    ChangeResult,
    check_evidence,
    draft,
    submit,
)
from fangkong.health.services.tasks import TASK_HANDOVER, raise_task
from fangkong.registry.models import Person

if TYPE_CHECKING:
    from fangkong.accounts.models import User

CASE_FIELDS = (
    "onset_date",
    "report_date",
    "confirmation_date",
    "isolated_on",
    "taken_to",
    "taken_to_name",
    "household",
    "building",
    "unit",
    "notes",
)
HANDOVER_DUE = dt.timedelta(hours=12)
#: How long a hand-over waits for the background task before the periodic check links it.
HANDOVER_GRACE = dt.timedelta(minutes=2)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# --- Checks ---------------------------------------------------------------------------------


def _check_dates(case: Case, today: dt.date) -> None:
    errors: dict[str, str] = {}
    for name in ("onset_date", "report_date", "confirmation_date", "isolated_on", "outcome_date"):
        value = getattr(case, name)
        if value is not None and value > today:
            errors[name] = _("This date cannot be in the future.")
    if case.onset_date and case.report_date and case.onset_date > case.report_date:
        errors["onset_date"] = _("The onset cannot be after the report.")
    if case.confirmation_date and case.onset_date and case.confirmation_date < case.onset_date:
        errors["confirmation_date"] = _("The confirmation cannot be before the onset.")
    if (
        case.isolated_on
        and case.onset_date
        and case.isolated_on < case.onset_date - dt.timedelta(days=30)
    ):
        errors["isolated_on"] = _(
            "The isolation is more than 30 days before the onset; check the dates."
        )
    if case.pk is not None and case.isolated_on:
        latest = (
            Contact.objects.filter(case=case)
            .order_by("-last_exposure")
            .values_list("last_exposure", flat=True)
            .first()
        )
        if latest and latest > case.isolated_on:
            errors["isolated_on"] = _(
                "A contact's last exposure (%(date)s) is after this day; correct the contact first."
            ) % {"date": latest}
    if case.taken_to_name and not case.taken_to:
        errors["taken_to"] = _(
            "Say whether the hospital or site is a designated hospital or a quarantine site."
        )
    if errors:
        raise ValidationError(errors)


def _check_places(case: Case) -> None:
    """The household, else the building and unit, of the case's own community."""
    household = case.household
    if household is not None:
        if household.community_id != case.community_id:
            raise ValidationError({"household": _("Choose a household of this community.")})
        case.building, case.unit = household.building, household.unit
    if case.building is not None:
        if case.building.community_id != case.community_id:
            raise ValidationError({"building": _("Choose a building of this community.")})
        if case.unit is not None and not 1 <= case.unit <= case.building.units:
            raise ValidationError(
                {
                    "unit": _("Building %(building)s has units 1 to %(units)s.")
                    % {"building": case.building, "units": case.building.units}
                }
            )
    elif case.unit is not None:
        raise ValidationError({"unit": _("Choose the building of this unit.")})


def _fresh_case(person: Person, data: dict[str, Any]) -> Case:
    case = Case(community_id=person.community_id, person=person)
    for key in CASE_FIELDS:
        if key in data:
            setattr(case, key, data[key])
    if "household" not in data and person.household_id:
        case.household = person.household
    case.taken_to = case.taken_to or ""
    case.notes = (case.notes or "").strip()
    return case


# --- Opening a case -------------------------------------------------------------------------


@transaction.atomic
def do_open_case(
    *,
    person: Person,
    classification: str,
    report_date: dt.date,
    by: User | None,
    reason: str,
    evidence_kind: str,
    evidence_ref: str,
    note: str = "",
    source: str = ChangeSource.PAGE,
    source_contact: Contact | None = None,
    outcome: str = "",
    **data: Any,
) -> ChangeResult:
    """Record a person as a case. A status change: health role, reason and evidence, and the
    four-eyes rule. A person who was a recorded contact keeps the link (the chain)."""
    require_health_role(by, Case, person)
    if classification not in Classification.values or classification == (Classification.EXCLUDED):
        raise ValidationError(
            {"classification": _("A new case is confirmed, suspected or asymptomatic.")}
        )
    if outcome and outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if data.get("taken_to") and data["taken_to"] not in TakenTo.values:
        raise ValidationError({"taken_to": _("Choose a designated hospital or a quarantine site.")})
    evidence = check_evidence(ChangeAction.CASE_OPEN, reason, evidence_kind, evidence_ref, note)
    case = _fresh_case(person, {**data, "report_date": report_date})
    case.classification, case.outcome = classification, outcome or ""
    _check_dates(case, person.community.local_today())
    _check_places(case)
    if source_contact is None:
        source_contact = (
            Contact.objects.filter(
                person=person, community_id=person.community_id, became_case__isnull=True
            )
            .order_by("-last_exposure", "-pk")
            .first()
        )
    elif source_contact.person_id != person.pk:
        raise ValidationError({"source_contact": _("That contact link is of another person.")})
    if _open_case_of(person) is not None:
        raise ValidationError(_("This person is already recorded as a case."))
    payload = {
        "op": "case_open",
        "person": person.pk,
        "classification": classification,
        "outcome": case.outcome,
        "onset_date": _iso(case.onset_date),
        "report_date": _iso(case.report_date),
        "confirmation_date": _iso(case.confirmation_date),
        "isolated_on": _iso(case.isolated_on),
        "taken_to": case.taken_to,
        "taken_to_name": case.taken_to_name,
        "household": case.household_id,
        "building": case.building_id,
        "unit": case.unit,
        "notes": case.notes,
        "source_contact": source_contact.pk if source_contact else None,
    }
    change = draft(
        ChangeAction.CASE_OPEN, person, evidence, household=case.household, to_value=classification
    )
    return submit(
        community=person.community, by=by, changes=[change], payload=payload, source=source
    )


def _open_case_of(person: Person) -> Case | None:
    return (
        Case.objects.filter(person=person).exclude(classification=Classification.EXCLUDED).first()
    )


def _apply_case_open(payload: dict[str, Any], changes: list[StatusChange], actor: User) -> Case:
    person = Person.objects.select_related("household__building", "community").get(
        pk=payload["person"]
    )
    if _open_case_of(person) is not None:
        raise ValidationError(_("This person is already recorded as a case."))
    case = Case(
        community_id=person.community_id,
        person=person,
        classification=payload["classification"],
        outcome=payload.get("outcome") or "",
        onset_date=_date(payload["onset_date"]),
        # Always given: do_open_case requires the report date.
        report_date=dt.date.fromisoformat(payload["report_date"]),
        confirmation_date=_date(payload["confirmation_date"]),
        isolated_on=_date(payload["isolated_on"]),
        taken_to=payload["taken_to"] or "",
        taken_to_name=payload["taken_to_name"] or "",
        household_id=payload["household"],
        building_id=payload["building"],
        unit=payload["unit"],
        notes=payload["notes"] or "",
        source_contact_id=payload["source_contact"],
    )
    if (
        case.source_contact_id
        and Case.objects.filter(source_contact_id=case.source_contact_id).exists()
    ):
        case.source_contact_id = None  # the link already made a case (an excluded one)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise ValidationError(_("This person is already recorded as a case.")) from None
    record_change(AuditAction.CREATE, case, actor=actor)
    for change in changes:
        change.case = case
    return case


APPLIERS["case_open"] = _apply_case_open


# --- Classification and outcome -------------------------------------------------------------


@transaction.atomic
def do_classify_case(
    case: Case,
    *,
    classification: str,
    by: User,
    reason: str,
    evidence_kind: str,
    evidence_ref: str,
    note: str = "",
    confirmation_date: dt.date | None = None,
    source: str = ChangeSource.PAGE,
    expected_version: int | None = None,
) -> ChangeResult:
    """Change a case's classification (suspected → confirmed, or excluded): a status change."""
    case = locked(Case, case.pk)
    require_health_role(by, Case, case)
    check_version(case, expected_version)
    if classification not in Classification.values:
        raise ValidationError({"classification": _("Choose a classification.")})
    if classification == case.classification:
        raise ValidationError(
            {
                "classification": _("The case is already %(label)s.")
                % {"label": case.get_classification_display()}
            }
        )
    if (
        classification != Classification.EXCLUDED
        and Case.objects.filter(person_id=case.person_id)
        .exclude(pk=case.pk)
        .exclude(classification=Classification.EXCLUDED)
        .exists()
    ):
        raise ValidationError(_("This person is already recorded as another case."))
    today = case.community.local_today()
    if confirmation_date and confirmation_date > today:
        raise ValidationError({"confirmation_date": _("This date cannot be in the future.")})
    evidence = check_evidence(ChangeAction.CASE_CLASSIFY, reason, evidence_kind, evidence_ref, note)
    payload = {
        "op": "case_classify",
        "case": case.pk,
        "classification": classification,
        "confirmation_date": _iso(confirmation_date),
    }
    change = draft(
        ChangeAction.CASE_CLASSIFY,
        case.person,
        evidence,
        household=case.household,
        case=case,
        from_value=case.classification,
        to_value=classification,
    )
    return submit(community=case.community, by=by, changes=[change], payload=payload, source=source)


def _apply_case_classify(payload: dict[str, Any], changes: list[StatusChange], actor: User) -> Case:
    case: Case = locked(Case, payload["case"])
    before = case.audit_snapshot()
    for change in changes:
        change.from_value = case.classification
    case.classification = payload["classification"]
    confirmed = _date(payload.get("confirmation_date"))
    if confirmed:
        case.confirmation_date = confirmed
    elif case.classification == Classification.CONFIRMED and not case.confirmation_date:
        case.confirmation_date = case.community.local_today()
    case.version += 1
    try:
        with transaction.atomic():
            case.save(update_fields=["classification", "confirmation_date", "version", "updated"])
    except IntegrityError:
        raise ValidationError(_("This person is already recorded as another case.")) from None
    record_change(AuditAction.UPDATE, case, before=before, actor=actor)
    return case


APPLIERS["case_classify"] = _apply_case_classify


@transaction.atomic
def do_record_outcome(
    case: Case,
    *,
    outcome: str,
    by: User,
    reason: str,
    evidence_kind: str,
    evidence_ref: str,
    note: str = "",
    outcome_date: dt.date | None = None,
    source: str = ChangeSource.PAGE,
    expected_version: int | None = None,
) -> ChangeResult:
    """In hospital, recovered or died, on a date: a status change with its evidence."""
    case = locked(Case, case.pk)
    require_health_role(by, Case, case)
    check_version(case, expected_version)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if outcome == case.outcome:
        raise ValidationError({"outcome": _("This outcome is already recorded.")})
    today = case.community.local_today()
    outcome_date = outcome_date or today
    if outcome_date > today:
        raise ValidationError({"outcome_date": _("This date cannot be in the future.")})
    start = case.onset_date or case.report_date
    if outcome_date < start:
        raise ValidationError(
            {
                "outcome_date": _("The outcome cannot be before the case began (%(date)s).")
                % {"date": start}
            }
        )
    evidence = check_evidence(ChangeAction.CASE_OUTCOME, reason, evidence_kind, evidence_ref, note)
    payload = {
        "op": "case_outcome",
        "case": case.pk,
        "outcome": outcome,
        "outcome_date": _iso(outcome_date),
    }
    change = draft(
        ChangeAction.CASE_OUTCOME,
        case.person,
        evidence,
        household=case.household,
        case=case,
        from_value=case.outcome,
        to_value=outcome,
    )
    return submit(community=case.community, by=by, changes=[change], payload=payload, source=source)


def _apply_case_outcome(payload: dict[str, Any], changes: list[StatusChange], actor: User) -> Case:
    case: Case = locked(Case, payload["case"])
    before = case.audit_snapshot()
    for change in changes:
        change.from_value = case.outcome
    case.outcome, case.outcome_date = payload["outcome"], _date(payload["outcome_date"])
    case.version += 1
    case.save(update_fields=["outcome", "outcome_date", "version", "updated"])
    record_change(AuditAction.UPDATE, case, before=before, actor=actor)
    return case


APPLIERS["case_outcome"] = _apply_case_outcome


@transaction.atomic
def do_update_case(
    case: Case, *, by: User, expected_version: int | None = None, **data: Any
) -> Case:
    """Dates, where the case was taken, its places and notes (not its status: see above)."""
    case = locked(Case, case.pk)
    require_health_role(by, Case, case)
    check_version(case, expected_version)
    before = case.audit_snapshot()
    for key, value in data.items():
        if key in CASE_FIELDS:
            setattr(case, key, value)
    case.taken_to = case.taken_to or ""
    case.taken_to_name = (case.taken_to_name or "").strip()
    case.notes = (case.notes or "").strip()
    if case.taken_to and case.taken_to not in TakenTo.values:
        raise ValidationError({"taken_to": _("Choose a designated hospital or a quarantine site.")})
    if case.report_date is None:
        raise ValidationError({"report_date": _("Give the report date.")})
    _check_dates(case, case.community.local_today())
    _check_places(case)
    case.version += 1
    case.save()
    record_change(AuditAction.UPDATE, case, before=before, actor=by)
    return case


# --- Contacts -------------------------------------------------------------------------------


def _check_exposure(case: Case, last_exposure: dt.date | None) -> dt.date:
    if last_exposure is None:
        raise ValidationError({"last_exposure": _("Give the day of the last exposure.")})
    if last_exposure > case.community.local_today():
        raise ValidationError({"last_exposure": _("This date cannot be in the future.")})
    if case.isolated_on and last_exposure > case.isolated_on:
        raise ValidationError(
            {
                "last_exposure": _(
                    "The last exposure cannot be after the case was isolated or admitted "
                    "(%(date)s)."
                )
                % {"date": case.isolated_on}
            }
        )
    return last_exposure


@transaction.atomic
def do_add_contact(
    *,
    case: Case,
    kind: str,
    last_exposure: dt.date | None,
    by: User | None,
    how: str = "",
    person: Person | None = None,
    other_community: Area | None = None,
    name: str = "",
    id_number: str = "",
    phone: str = "",
) -> Contact:
    """Link a person to a case. One of this community: ``person``. One who lives in another
    community: ``other_community`` and their name with an ID number or phone — they are
    found there (blind index of the ID number, else phone and name) or recorded there, and
    that community's officer gets a task pointing at them (see ``_hand_over``).

    A hand-over answers the same whether or not the other community knows the person: the
    row keeps what was typed, and every check that can refuse it runs on what was typed,
    before the other community's registry is searched."""
    case = Case.objects.select_related("community", "building").get(pk=case.pk)
    require(by, Contact, "add", case)
    if kind not in ContactKind.values:
        raise ValidationError({"kind": _("Choose the kind of contact.")})
    last_exposure = _check_exposure(case, last_exposure)
    how = (how or "").strip()
    if len(how) > 300:
        raise ValidationError({"how": _("Keep it under 300 characters.")})
    if other_community is not None:
        return _add_handover(
            case,
            kind=kind,
            last_exposure=last_exposure,
            how=how,
            by=by,
            other_community=other_community,
            typed=_typed_contact(name, id_number, phone),
        )
    if person is None:
        raise ValidationError({"person": _("Choose the contact.")})
    elif person.community_id != case.community_id:
        # A person of another community is never chosen from here (restrict() hides them);
        # they come in through the hand-over above.
        raise Http404
    elif by is not None and not Person.objects.restrict(by).filter(pk=person.pk).exists():
        raise Http404
    if person.pk == case.person_id:
        raise ValidationError({"person": _("A case is not their own contact.")})
    contact = Contact(
        community_id=case.community_id,
        case=case,
        person=person,
        kind=kind,
        last_exposure=last_exposure,
        how=how,
    )
    _save_contact(contact)
    record_change(AuditAction.CREATE, contact, actor=by)
    return contact


def _save_contact(contact: Contact) -> None:
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        raise ValidationError(
            {"person": _("This person is already a contact of this case.")}
        ) from None


# --- Hand-overs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Typed:
    """A contact of another community as the case's community typed them (normalised)."""

    name: str
    id_number: str
    phone: str

    @property
    def id_mask(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_mask(self) -> str:
        return mask_phone(self.phone)


def _typed_contact(name: str, id_number: str, phone: str) -> _Typed:
    """What was typed for a hand-over, checked as a person of the other community would be
    (the model's own checks on a name included), so that nothing refuses a new record there
    that a found one would have let through."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the contact's name.")})
    try:
        Person._meta.get_field("name").clean(name, None)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from None
    id_number, phone = (id_number or "").strip(), (phone or "").strip()
    if not id_number and not phone:
        raise ValidationError(
            {
                "id_number": _(
                    "Give the contact's ID number or phone, so that "
                    "the other community can find them."
                )
            }
        )
    try:
        id_number = validate_resident_id(id_number) if id_number else ""
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    try:
        phone = validate_phone(phone) if phone else ""
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    return _Typed(name, id_number, phone)


def _add_handover(
    case: Case,
    *,
    kind: str,
    last_exposure: dt.date,
    how: str,
    by: User | None,
    other_community: Area,
    typed: _Typed,
) -> Contact:
    """Record a hand-over in the case's community; the other community's registry is
    searched (and the person recorded there) in the background, by ``do_link_handover``.

    Everything this request does depends on what was typed only: the refusals, the row, and
    the work itself, so neither the answer nor its time tells whether the other community
    knows the person. A second hand-over that happens to match the same record is accepted
    (only one typed exactly alike is refused)."""
    if other_community.level != AreaLevel.COMMUNITY or other_community.pk == case.community_id:
        raise ValidationError(
            {"other_community": _("Choose the other community the contact lives in.")}
        )
    if Contact.objects.filter(
        case=case,
        handed_over_to=other_community,
        handover_name=typed.name,
        handover_id_mask=typed.id_mask,
        handover_phone_mask=typed.phone_mask,
    ).exists():
        raise ValidationError({"person": _("This person is already a contact of this case.")})
    contact = Contact(
        community_id=case.community_id,
        case=case,
        kind=kind,
        last_exposure=last_exposure,
        how=how,
        handed_over_to=other_community,
        handover_name=typed.name,
        handover_id_mask=typed.id_mask,
        handover_phone_mask=typed.phone_mask,
        handover_id_cipher=encrypt(typed.id_number),
        handover_phone_cipher=encrypt(typed.phone),
    )
    _save_contact(contact)  # the constraint on what was typed is the race's backstop
    record_change(AuditAction.CREATE, contact, actor=by)
    # In the same transaction: the worker never sees a hand-over that was rolled back. (Run
    # at once where tasks run inline: tests, FANGKONG_TASKS_INLINE.)
    from fangkong.health.jobs import link_handover

    link_handover.enqueue(contact.pk)
    contact.refresh_from_db()
    return contact


@transaction.atomic
def do_link_handover(contact_id: int) -> Contact | None:
    """Find or record a handed-over contact in the community they live in, link them, give
    that community's officer the task, and blank the numbers typed (system work, run by the
    background task and, for any it missed, by ``link_waiting_handovers``). Does nothing to a
    contact already linked, so the two may meet."""
    # RestrictedQuerySet's own methods return it without the model: typed here.
    contact: Contact | None = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("handed_over_to", "community")
        .filter(pk=contact_id)
        .first()
    )
    if contact is None or contact.person_id is not None or not contact.is_handed_over:
        return contact
    typed = _Typed(
        contact.handover_name,
        decrypt(contact.handover_id_cipher),
        decrypt(contact.handover_phone_cipher),
    )
    community = contact.handed_over_to
    assert community is not None  # is_handed_over
    contact.person, found = _person_elsewhere(community, contact.community, typed)
    # A search of that community's protected data: its access log says so (and how it went;
    # the log is that community's, never the case's).
    record_access(
        AccessKind.SEARCH,
        actor=None,
        area_path=community.path,
        obj=contact.person,
        detail={"what": "health.handover", "from_community": contact.community_id, "found": found},
    )
    contact.handover_task_id = _hand_over(contact, contact.person).pk
    contact.handover_id_cipher = contact.handover_phone_cipher = ""
    # Not a change of the case community's row as it sees it (its snapshot shows no
    # person for a hand-over): the other community's side is audited (the record, the task).
    contact.save(
        update_fields=[
            "person",
            "handover_task_id",
            "handover_id_cipher",
            "handover_phone_cipher",
            "updated",
        ]
    )
    return contact


def link_waiting_handovers(now: dt.datetime, *, older_than: dt.timedelta = HANDOVER_GRACE) -> int:
    """Link hand-overs the background task has not (no worker running, or it failed)."""
    waiting = list(
        Contact.objects.filter(
            handed_over_to__isnull=False,
            person__isnull=True,
            created__lt=now - older_than,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in waiting:
        do_link_handover(pk)
    return len(waiting)


def _person_elsewhere(community: Area, origin: Area, typed: _Typed) -> tuple[Person, bool]:
    """The contact as a person of the community they live in, and whether they were known:
    found by the blind index of the ID number, else by phone and name, else recorded there
    without a household (system work, with a note) for that community's officer to place."""
    from fangkong.registry.services import do_create_person

    people = Person.objects.filter(community=community)
    found = None
    if typed.id_number:
        found = people.filter(id_number_index__in=id_number_indexes(typed.id_number)).first()
    if found is None and typed.phone:
        found = people.filter(phone_index__in=phone_indexes(typed.phone), name=typed.name).first()
    if found is not None:
        return found, True
    return do_create_person(
        community=community,
        by=None,
        name=typed.name,
        id_number=typed.id_number,
        phone=typed.phone,
        notes=_(
            "Close contact handed over by %(community)s on %(date)s. No household yet: "
            "place them, and check for an existing record without an ID number."
        )
        % {"community": origin.name, "date": origin.local_today()},
    ), False


def _hand_over(contact: Contact, person: Person) -> Any:
    """A task in the contact's own community, for its officer, pointing at the person."""
    community = person.community
    return raise_task(
        community=community,
        kind=TASK_HANDOVER,
        link=person,
        reason=f"handover:{contact.community_id}:{contact.pk}",
        title=_("Close contact handed over by %(community)s")
        % {"community": contact.community.name},
        description=_(
            "%(kind)s, last exposure on %(date)s, given as %(name)s. Check that "
            "the linked record is this person, then arrange quarantine or health "
            "monitoring counted from that day; the health officer of %(community)s "
            "has the details."
        )
        % {
            "kind": contact.get_kind_display(),
            "date": contact.last_exposure,
            "name": contact.handover_name,
            "community": contact.community.name,
        },
        assignee=officer_of(community),
        priority="urgent",
        due=timezone.now() + HANDOVER_DUE,
    )
