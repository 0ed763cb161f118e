"""Every state change of the self-service module.

Staff (grid worker, officer) issue, replace and revoke a household's link and decide the
corrections residents propose; the household, through its link, reports temperatures and
proposes corrections. A household acts with ``by=None`` towards other modules' services
(system work on its behalf) after this module has checked that the link is in force and
that the person is a member of the link's household: the link is the household's only key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.personal_data import decrypt, phone_indexes, protect_phone
from fangkong.core.querysets import require
from fangkong.core.services import check_version, locked, save_checked
from fangkong.core.validators import clean_name, clean_text, validate_birth_date, validate_phone
from fangkong.registry.choices import PersonStatus, Relation, Sex
from fangkong.registry.models import Household, Person
from fangkong.selfservice import sms, tokens
from fangkong.selfservice.choices import ActivityKind, CorrectionKind, CorrectionStatus
from fangkong.selfservice.models import Activity, Correction, HouseholdLink

if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.health.models import HealthReport

#: Wrong sign-in codes in a row before a link is locked, and for how long.
MAX_WRONG_CODES = 5
LOCK_FOR = dt.timedelta(minutes=30)
CODE_LIFETIME = dt.timedelta(minutes=10)


def link_days() -> int:
    return int(getattr(settings, "SELFSERVICE_LINK_DAYS", 180))


# --- Links ----------------------------------------------------------------------------------


def current_link(household: Household) -> HouseholdLink | None:
    return HouseholdLink.objects.filter(household=household, revoked_at__isnull=True).first()


def _end(link: HouseholdLink, reason: str, by: User | None) -> None:
    before = link.audit_snapshot()
    link.revoked_at = timezone.now()
    link.revoked_reason = reason
    link.version += 1
    link.save(update_fields=["revoked_at", "revoked_reason", "version", "updated"])
    record_change(ChangeAction.UPDATE, link, before=before, actor=by)


@transaction.atomic
def do_issue_link(household: Household, *, by: User | None) -> tuple[HouseholdLink, str]:
    """A new link for the household, replacing the one in force (which stops at once).
    Returns the link and its token: the token is shown once and never stored."""
    household = locked(Household, household.pk)
    require(by, HouseholdLink, "add", household)
    if not household.is_active:
        raise ValidationError(_("This household is no longer occupied."))
    old = current_link(household)
    if old is not None:
        require(by, HouseholdLink, "change", old)
        _end(old, _("Replaced by a new link"), by)
    token = tokens.new_token()
    link = HouseholdLink(
        community_id=household.community_id,
        household=household,
        token_hash=tokens.token_hash(token),
        issued_by=by if by is not None and by.is_authenticated else None,
        expires_at=timezone.now() + dt.timedelta(days=link_days()),
    )
    save_checked(link)
    record_change(ChangeAction.CREATE, link, actor=by)
    return link, token


@transaction.atomic
def do_revoke_link(
    link: HouseholdLink, *, by: User | None, reason: str = "", expected_version: int | None = None
) -> HouseholdLink:
    """End a link at once (a lost slip, a household moved out)."""
    link = locked(HouseholdLink, link.pk)
    require(by, HouseholdLink, "change", link)
    check_version(link, expected_version)
    if link.revoked_at is not None:
        raise ValidationError(_("This link has already been revoked."))
    _end(link, clean_text(reason or "", max_length=200) or _("Revoked by the community"), by)
    return link


def link_for_token(token: str) -> HouseholdLink | None:
    """The link in force with this token; None for a malformed, unknown, revoked or expired
    one (the caller cannot tell which: a guesser learns nothing)."""
    if not tokens.well_formed(token):
        return None
    link = (
        HouseholdLink.objects.filter(token_hash=tokens.token_hash(token))
        .select_related("household__building", "household__community", "community")
        .first()
    )
    return link if link is not None and link.in_force else None


def link_in_force(link_id: int) -> HouseholdLink | None:
    """The link a household's session holds, if it is still in force (a revoked link ends
    every session opened with it at its next request)."""
    link = (
        HouseholdLink.objects.filter(pk=link_id)
        .select_related("household__building", "household__community", "community")
        .first()
    )
    return link if link is not None and link.in_force else None


def record_activity(link: HouseholdLink, kind: str, detail: str = "") -> None:
    Activity.objects.create(
        community_id=link.community_id,
        household_id=link.household_id,
        grid_id=link.grid_id,
        link=link,
        kind=kind,
        detail=detail[:200],
    )


# --- Sign-in by phone and code --------------------------------------------------------------


def _links_for_phone(phone: str) -> list[HouseholdLink]:
    indexes = phone_indexes(phone)
    households = Household.objects.filter(phone_index__in=indexes, is_active=True).values("pk")
    return list(
        HouseholdLink.objects.filter(household__in=households, revoked_at__isnull=True)
        .select_related("household")
        .order_by("pk")
    )


def normalised_phone(phone: str) -> str | None:
    try:
        return validate_phone(phone)
    except ValidationError:
        return None


@transaction.atomic
def do_send_code(phone: str) -> bool:
    """Send a one-time code to ``phone`` if it is the phone of a household with a link in
    force (and not locked). The caller answers the same either way."""
    number = normalised_phone(phone)
    if number is None:
        return False
    now = timezone.now()
    for found in _links_for_phone(number):
        link = locked(HouseholdLink, found.pk)
        if not link.in_force or link.is_locked:
            continue
        code = tokens.new_code()
        link.code_hash = tokens.code_hash(link.pk, code)
        link.code_expires_at = now + CODE_LIFETIME
        link.save(update_fields=["code_hash", "code_expires_at", "updated"])
        record_activity(link, ActivityKind.CODE_SENT)
        sms.send(
            number,
            _("Your household page sign-in code is %(code)s, valid for 10 minutes.")
            % {"code": code},
        )
        return True
    return False


@dataclass(frozen=True)
class CodeResult:
    link: HouseholdLink | None
    locked: bool = False


@transaction.atomic
def do_check_code(phone: str, code: str) -> CodeResult:
    """The link whose code this is; a wrong code counts against every link of the phone
    that has one pending, and ``MAX_WRONG_CODES`` in a row lock it for ``LOCK_FOR``."""
    number = normalised_phone(phone)
    if number is None:
        return CodeResult(None)
    now = timezone.now()
    code = (code or "").strip()
    any_locked = False
    for found in _links_for_phone(number):
        link = locked(HouseholdLink, found.pk)
        if link.is_locked:
            any_locked = True
            continue
        if not link.code_hash or link.code_expires_at is None or link.code_expires_at < now:
            continue
        if code.isdigit() and len(code) == 6 and tokens.code_hash(link.pk, code) == link.code_hash:
            link.code_hash, link.code_expires_at, link.failed_codes = "", None, 0
            link.save(update_fields=["code_hash", "code_expires_at", "failed_codes", "updated"])
            record_activity(link, ActivityKind.CODE_OK)
            return CodeResult(link if link.in_force else None)
        link.failed_codes += 1
        fields = ["failed_codes", "updated"]
        record_activity(link, ActivityKind.CODE_WRONG)
        if link.failed_codes >= MAX_WRONG_CODES:
            before = link.audit_snapshot()
            link.locked_until, link.failed_codes = now + LOCK_FOR, 0
            link.code_hash, link.code_expires_at = "", None
            link.version += 1
            fields += ["locked_until", "code_hash", "code_expires_at", "version"]
            link.save(update_fields=fields)
            record_change(ChangeAction.UPDATE, link, before=before, actor=None)
            record_activity(link, ActivityKind.CODE_LOCKED)
            any_locked = True
        else:
            link.save(update_fields=fields)
    return CodeResult(None, locked=any_locked)


# --- Health reports -------------------------------------------------------------------------


def members(household: Household) -> list[Person]:
    return list(
        Person.objects.filter(household=household, status=PersonStatus.ACTIVE).order_by("pk")
    )


def member_of(link: HouseholdLink, person_id: Any) -> Person:
    """An active member of the link's household, else a refusal naming nobody."""
    text = str(person_id or "")
    person: Person | None = None
    if text.isdigit() and len(text) < 19:
        person = (
            Person.objects.filter(
                pk=int(text), household_id=link.household_id, status=PersonStatus.ACTIVE
            )
            .select_related("community", "household")
            .first()
        )
    if person is None:
        raise ValidationError({"person": _("Choose a member of your household.")})
    return person


def _refuse_second_report(person: Person) -> None:
    """One report per member and part of the day from the household (a grid worker may
    still add one: the health module keeps every reading it is given)."""
    from fangkong.health.clock import local_now, slot_of
    from fangkong.health.models import HealthPolicy, HealthReport

    local = local_now(person.community)
    policy = HealthPolicy.objects.filter(community_id=person.community_id).first()
    slot = slot_of(local, policy.reports_per_day if policy else 2)
    if HealthReport.objects.filter(person=person, day=local.date(), slot=slot).exists():
        raise ValidationError(
            {
                "person": _(
                    "This member has already reported for this part of the day; report "
                    "again in the next one."
                )
            }
        )


def do_self_report(
    link: HouseholdLink,
    *,
    person_id: Any,
    temperature: Any,
    symptoms: list[str] | tuple[str, ...] = (),
) -> HealthReport:
    """A member's temperature reported by the household: the health module's own service
    (a fever raises the same urgent task as a grid worker's entry)."""
    from fangkong.health.choices import ReportSource
    from fangkong.health.services.reports import do_add_report

    try:
        with transaction.atomic():
            person = member_of(link, person_id)
            locked(Person, person.pk)  # two phones of one household posting at once
            _refuse_second_report(person)
            report = do_add_report(
                person=person,
                temperature=temperature,
                symptoms=symptoms,
                by=None,
                source=ReportSource.PERSON,
            )
    except ValidationError:
        record_activity(link, ActivityKind.REPORT_REFUSED)
        raise
    record_activity(link, ActivityKind.REPORT, f"{report.temperature}")
    return report


# --- Questions ------------------------------------------------------------------------------


def do_ask_question(link: HouseholdLink, *, question: str, category: str = "") -> Any:
    """A question from the household page: an inquiry of the inquiries module (channel
    self-service); the office answers it there and the answer shows on the page."""
    from fangkong.inquiries.services import do_ask_from_household

    try:
        inquiry = do_ask_from_household(link.household, question=question, category=category)
    except ValidationError:
        record_activity(link, ActivityKind.QUESTION_REFUSED)
        raise
    record_activity(link, ActivityKind.QUESTION)
    return inquiry


# --- Corrections ----------------------------------------------------------------------------


def _target_household(household: Household, target: Household | None) -> Household:
    if target is None:
        raise ValidationError({"target_household": _("Give the new room.")})
    if target.community_id != household.community_id:
        raise ValidationError(
            {
                "target_household": _(
                    "A move to another community is not a correction: the person's new "
                    "community registers them."
                )
            }
        )
    if target.pk == household.pk:
        raise ValidationError({"target_household": _("This is the same room.")})
    return target


@transaction.atomic
def do_propose_correction(
    link: HouseholdLink,
    *,
    kind: str,
    person_id: Any = None,
    phone: str = "",
    name: str = "",
    sex: str = "",
    birth_date: dt.date | None = None,
    date: dt.date | None = None,
    target_household: Household | None = None,
    note: str = "",
) -> Correction:
    """A change the household asks for; nothing in the registry changes until approved."""
    household = link.household
    if kind not in CorrectionKind.values:
        raise ValidationError({"kind": _("Choose what to change.")})
    correction = Correction(
        community_id=household.community_id,
        household=household,
        kind=kind,
        note=clean_text(note or "", max_length=200),
    )
    today = household.community.local_today()
    if kind == CorrectionKind.PHONE:
        if person_id:
            correction.person = member_of(link, person_id)
        try:
            correction.set_phone(protect_phone(validate_phone(phone)))
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None
    elif kind in (CorrectionKind.MOVED_OUT, CorrectionKind.MOVED):
        correction.person = member_of(link, person_id)
        if kind == CorrectionKind.MOVED_OUT:
            if date is None or date > today or date < today - dt.timedelta(days=366):
                raise ValidationError({"date": _("Give the date of the move, not in the future.")})
            correction.date = date
        else:
            correction.target_household = _target_household(household, target_household)
    else:  # newborn
        correction.name = clean_name(name or "", max_length=100)
        if not correction.name:
            raise ValidationError({"name": _("Enter the baby's name.")})
        correction.sex = sex if sex in (Sex.MALE, Sex.FEMALE) else Sex.UNKNOWN
        if birth_date is None or birth_date < today - dt.timedelta(days=366):
            raise ValidationError({"birth_date": _("Give a birth date within the last year.")})
        try:
            validate_birth_date(birth_date)
        except ValidationError as exc:
            raise ValidationError({"birth_date": exc.messages}) from None
        correction.birth_date = birth_date
    save_checked(correction)
    record_change(ChangeAction.CREATE, correction, actor=None)
    record_activity(link, ActivityKind.CORRECTION, str(correction.get_kind_display()))
    return correction


def _decide(correction: Correction, status: str, by: User, reason: str) -> None:
    correction.status = status
    correction.decided_by = by
    correction.decided_at = timezone.now()
    correction.decision_reason = reason
    correction.version += 1
    correction.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "version",
            "updated",
        ]
    )


def _locked_pending(correction: Correction, by: User, expected_version: int | None) -> Correction:
    correction = locked(Correction, correction.pk)
    require(by, Correction, "change", correction)
    check_version(correction, expected_version)
    if correction.status != CorrectionStatus.PENDING:
        raise ValidationError(_("This correction has already been decided."))
    return correction


@transaction.atomic
def do_approve_correction(
    correction: Correction, *, by: User, expected_version: int | None = None
) -> Correction:
    """Apply the correction through the registry's services (with the approver's rights),
    then mark it approved; both audited."""
    from fangkong.registry import services as registry

    correction = _locked_pending(correction, by, expected_version)
    household = Household.objects.get(pk=correction.household_id)
    person = correction.person
    if correction.kind == CorrectionKind.PHONE:
        phone = decrypt(correction.proposed_phone_cipher)
        if person is None:
            registry.do_update_household(household, by=by, phone=phone)
        else:
            registry.do_update_person(person, by=by, phone=phone)
    elif correction.kind == CorrectionKind.MOVED_OUT:
        assert person is not None
        assert correction.date is not None
        registry.do_deactivate_person(
            person,
            by=by,
            status=PersonStatus.MOVED_OUT,
            date=correction.date,
            reason=_("Reported by the household through its page"),
        )
    elif correction.kind == CorrectionKind.MOVED:
        assert person is not None
        target = _target_household(household, correction.target_household)
        registry.do_update_person(person, by=by, household=target)
    else:
        registry.do_create_person(
            community=household.community,
            by=by,
            household=household,
            name=correction.name,
            sex=correction.sex or Sex.UNKNOWN,
            birth_date=correction.birth_date,
            relation=Relation.OTHER,
        )
    before = correction.audit_snapshot()
    _decide(correction, CorrectionStatus.APPROVED, by, "")
    record_change(ChangeAction.UPDATE, correction, before=before, actor=by)
    return correction


@transaction.atomic
def do_reject_correction(
    correction: Correction, *, by: User, reason: str, expected_version: int | None = None
) -> Correction:
    correction = _locked_pending(correction, by, expected_version)
    reason = clean_text(reason or "", max_length=200)
    if not reason:
        raise ValidationError({"reason": _("Give a reason the household will read.")})
    before = correction.audit_snapshot()
    _decide(correction, CorrectionStatus.REJECTED, by, reason)
    record_change(ChangeAction.UPDATE, correction, before=before, actor=by)
    return correction
