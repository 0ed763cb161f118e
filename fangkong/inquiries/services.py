"""Every change of an inquiry and of the FAQ: atomic, checked (scope, right, version),
audited. The pages, the API, the household's self-service page and the demo come here.

An inquiry is recorded, answered, set for a call back (a staff task for its handler, raised
through the staff app's services), and closed: never closed without an answer. An answered
inquiry becomes an FAQ entry with one click; the entry keeps no personal data (the asker's
name and any whole ID number or phone are taken out of the text, and an edit that types one
back in is refused).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import may, require, sees, works_in
from fangkong.core.sensitive_text import holds_id_number_or_phone, redact_id_numbers_and_phones
from fangkong.core.services import actor_or_none, check_version, locked, save_checked
from fangkong.inquiries.choices import Category, Channel, InquiryStatus
from fangkong.inquiries.models import FaqEntry, Inquiry
from fangkong.registry.models import Household, Person
from fangkong.staff import services as staff
from fangkong.staff.choices import OPEN_STATUSES, TaskKind
from fangkong.staff.models import Task

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: The kind of task a call back (or a follow-up) raises.
FOLLOW_UP_TASK = TaskKind.INQUIRY_FOLLOW_UP

QUESTION_MAX = 2000
ANSWER_MAX = 4000
#: What stands for the asker's name in an FAQ entry made from their question.
RESIDENT = "居民"


@dataclass(frozen=True)
class HouseholdActor:
    """Who the change log names for a question asked on the household's own page: the
    household, not a user (there is none)."""

    household_id: int
    is_authenticated: bool = False

    @property
    def username(self) -> str:
        return f"household:{self.household_id}"


def _text(value: Any, field: str, maximum: int, *, required: bool, empty: str) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: empty})
    if len(text) > maximum:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": maximum}})
    return text


def _choice(value: Any, field: str, choices: Any) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the listed values.")})
    return str(value)


def _check_asker(
    community: Area, household: Household | None, person: Person | None
) -> Household | None:
    """The asker belongs to the inquiry's community; a person's household stands for the
    household when none is given, and the two must agree."""
    if person is not None:
        if person.community_id != community.pk:
            raise ValidationError({"person": _("Choose someone of this community.")})
        if household is None and person.household_id is not None:
            household = person.household
        elif household is not None and person.household_id != household.pk:
            raise ValidationError({"person": _("This person does not live in that household.")})
    if household is not None and household.community_id != community.pk:
        raise ValidationError({"household": _("Choose a household of this community.")})
    return household


def _desk_of(by: User | None, community: Area) -> Area:
    """Where an inquiry naming no household is recorded: a grid worker's grid of this
    community (it covers no more), anyone else's community."""
    area: Area | None = getattr(by, "area", None)
    if area is not None and area.level == AreaLevel.GRID and area.parent_id == community.pk:
        return area
    return community


def check_handler(handler: User | None, community: Area) -> None:
    if handler is None:
        return
    if (
        not handler.is_active
        or not handler.has_action(Inquiry, "change")
        or not works_in(handler, community.pk)
    ):
        raise ValidationError(
            {
                "handler": _("%(name)s cannot handle inquiries of this community.")
                % {"name": handler}
            }
        )


def _close_tasks(inquiry: Inquiry, note: str) -> None:
    """Finish the call-back tasks of an inquiry that no longer needs one (system work)."""
    content_type = ContentType.objects.get_for_model(Inquiry)
    for task in Task.objects.filter(
        content_type=content_type, object_id=inquiry.pk, status__in=OPEN_STATUSES
    ):
        staff.do_complete_task(task, by=None, note=note)


@transaction.atomic
def do_record_inquiry(
    community: Area,
    *,
    by: User | None,
    channel: str,
    category: str,
    question: str,
    household: Household | None = None,
    person: Person | None = None,
    received_at: dt.datetime | None = None,
    handler: User | None = None,
    answer: str = "",
) -> Inquiry:
    """Record a question (answered at once when ``answer`` is given). The handler is the
    recorder unless another is named."""
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError({"community": _("Inquiries belong to a community.")})
    household = _check_asker(community, household, person)
    require(
        by,
        Inquiry,
        "add",
        household or _desk_of(by, community),
        reason=_("Your role does not record inquiries."),
    )
    if handler is None and by is not None and by.is_authenticated:
        handler = by
    check_handler(handler, community)
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"received_at": _("An inquiry cannot be received in the future.")})
    inquiry = Inquiry(
        community=community,
        received_at=received_at,
        channel=_choice(channel, "channel", Channel),
        category=_choice(category, "category", Category),
        household=household,
        person=person,
        question=_text(
            question, "question", QUESTION_MAX, required=True, empty=_("Write the question down.")
        ),
        answer=_text(answer, "answer", ANSWER_MAX, required=False, empty=""),
        handler=handler,
    )
    if inquiry.answer:
        inquiry.status = InquiryStatus.ANSWERED
        inquiry.answered_at = timezone.now()
        inquiry.answered_by = actor_or_none(by)
    save_checked(inquiry)
    record_change(ChangeAction.CREATE, inquiry, actor=by)
    return inquiry


@transaction.atomic
def do_ask_from_household(
    household: Household, *, question: str, category: str | None = None
) -> Inquiry:
    """A question typed on the household's self-service page: channel self-service, no
    user, the change log naming the household. Nobody handles it until the office takes it."""
    inquiry = Inquiry(
        community_id=household.community_id,
        received_at=timezone.now(),
        channel=Channel.SELF_SERVICE,
        category=_choice(category or Category.OTHER, "category", Category),
        household=household,
        question=_text(
            question, "question", QUESTION_MAX, required=True, empty=_("Write the question down.")
        ),
    )
    save_checked(inquiry)
    actor: Any = HouseholdActor(household.pk)
    record_change(ChangeAction.CREATE, inquiry, actor=actor)
    return inquiry


@transaction.atomic
def do_update_inquiry(
    inquiry: Inquiry,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    by: User | None,
) -> Inquiry:
    """Correct what was taken down (channel, category, question, asker) or hand the inquiry
    to another handler."""
    obj: Inquiry = locked(Inquiry, inquiry.pk, "community")
    require(by, Inquiry, "change", obj, reason=_("Your role does not handle inquiries."))
    check_version(obj, expected_version)
    before = obj.audit_snapshot()
    if "channel" in data:
        obj.channel = _choice(data["channel"], "channel", Channel)
    if "category" in data:
        obj.category = _choice(data["category"], "category", Category)
    if "question" in data:
        obj.question = _text(
            data["question"],
            "question",
            QUESTION_MAX,
            required=True,
            empty=_("Write the question down."),
        )
    if "household" in data or "person" in data:
        person = data.get("person", obj.person)
        household = data.get("household", obj.household if "person" not in data else None)
        obj.household = _check_asker(obj.community, household, person)
        obj.person = person
    if "handler" in data:
        check_handler(data["handler"], obj.community)
        obj.handler = data["handler"]
    obj.version += 1
    save_checked(obj)
    record_change(ChangeAction.UPDATE, obj, before=before, actor=by)
    return obj


def _pending(obj: Inquiry) -> None:
    if obj.status == InquiryStatus.CLOSED:
        raise ValidationError(_("This inquiry is closed."))


@transaction.atomic
def do_answer_inquiry(
    inquiry: Inquiry, *, answer: str, expected_version: int | None = None, by: User | None
) -> Inquiry:
    """Record the answer given; a call back planned for it is no longer needed."""
    obj: Inquiry = locked(Inquiry, inquiry.pk)
    require(by, Inquiry, "change", obj, reason=_("Your role does not answer inquiries."))
    check_version(obj, expected_version)
    _pending(obj)
    before = obj.audit_snapshot()
    obj.answer = _text(
        answer, "answer", ANSWER_MAX, required=True, empty=_("Write the answer down.")
    )
    obj.status = InquiryStatus.ANSWERED
    obj.answered_at = timezone.now()
    obj.answered_by = actor_or_none(by)
    obj.follow_up_on = None
    if obj.handler_id is None and by is not None and by.is_authenticated:
        obj.handler = by
    obj.version += 1
    save_checked(obj)
    record_change(ChangeAction.UPDATE, obj, before=before, actor=by)
    _close_tasks(obj, _("Answered."))
    return obj


def follow_up_due(community: Area, day: dt.date) -> dt.datetime:
    """The end of ``day`` in the community's zone: when a call back is due."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=community.zone)


@transaction.atomic
def do_follow_up_inquiry(
    inquiry: Inquiry,
    *,
    follow_up_on: dt.date,
    note: str = "",
    expected_version: int | None = None,
    by: User | None,
) -> Inquiry:
    """Someone calls the resident back by ``follow_up_on``: the inquiry waits in follow-up,
    and its handler (or whoever set it) gets a task due by the end of that day."""
    obj: Inquiry = locked(Inquiry, inquiry.pk, "community")
    require(by, Inquiry, "change", obj, reason=_("Your role does not handle inquiries."))
    check_version(obj, expected_version)
    _pending(obj)
    if follow_up_on is None:
        raise ValidationError({"follow_up_on": _("Say by when to call back.")})
    if follow_up_on < obj.community.local_today():
        raise ValidationError({"follow_up_on": _("A call back cannot be planned in the past.")})
    before = obj.audit_snapshot()
    obj.status = InquiryStatus.FOLLOW_UP
    obj.follow_up_on = follow_up_on
    if obj.handler_id is None and by is not None and by.is_authenticated:
        obj.handler = by
    obj.version += 1
    save_checked(obj)
    record_change(ChangeAction.UPDATE, obj, before=before, actor=by)
    staff.do_create_task(
        community=obj.community,
        title=_("Call back about: %(q)s") % {"q": obj.question[:60]},
        description=_text(note, "note", 500, required=False, empty=""),
        by=None,  # part of handling the inquiry, which was checked above
        kind=FOLLOW_UP_TASK,
        assignee=obj.handler,
        link=obj,
        reason=follow_up_on.isoformat(),
        due=follow_up_due(obj.community, follow_up_on),
    )
    return obj


@transaction.atomic
def do_close_inquiry(
    inquiry: Inquiry, *, expected_version: int | None = None, by: User | None
) -> Inquiry:
    """Close an answered inquiry; one without an answer is refused (answer it first)."""
    obj: Inquiry = locked(Inquiry, inquiry.pk)
    require(by, Inquiry, "change", obj, reason=_("Your role does not handle inquiries."))
    check_version(obj, expected_version)
    if obj.status == InquiryStatus.CLOSED:
        raise ValidationError(_("This inquiry is closed already."))
    if not obj.answer.strip():
        raise ValidationError(
            _("An inquiry without an answer cannot be closed: write down the answer first.")
        )
    before = obj.audit_snapshot()
    obj.status = InquiryStatus.CLOSED
    obj.closed_at = timezone.now()
    obj.follow_up_on = None
    obj.version += 1
    save_checked(obj)
    record_change(ChangeAction.UPDATE, obj, before=before, actor=by)
    _close_tasks(obj, _("Inquiry closed."))
    return obj


# --- FAQ ------------------------------------------------------------------------------------


def _faq_area(area: Area) -> Area:
    if area.level not in (AreaLevel.COMMUNITY, AreaLevel.STREET):
        raise ValidationError({"area": _("An FAQ entry belongs to a community or a street.")})
    return area


def _faq_text(value: Any, field: str, maximum: int, empty: str) -> str:
    text = _text(value, field, maximum, required=True, empty=empty)
    if holds_id_number_or_phone(text):
        raise ValidationError(
            {field: _("Take the ID number or phone number out: FAQ entries hold no personal data.")}
        )
    return text


def without_personal_data(text: str, inquiry: Inquiry) -> str:
    """``text`` with the asker's name (the person's, the household head's) and every whole
    ID number or phone replaced: what an FAQ entry may say."""
    text = redact_id_numbers_and_phones(text)
    names = set()
    if inquiry.person is not None:
        names.add(inquiry.person.name)
    if inquiry.household is not None and inquiry.household.head is not None:
        names.add(inquiry.household.head.name)
    for name in sorted((n for n in names if n), key=len, reverse=True):
        text = text.replace(name, RESIDENT)
    return text


@transaction.atomic
def do_create_faq_entry(
    area: Area,
    *,
    by: User | None,
    category: str,
    question: str,
    answer: str,
    published: bool = False,
) -> FaqEntry:
    """An FAQ entry of a community, or of a street (shown to its communities too)."""
    _faq_area(area)
    require(by, FaqEntry, "add", area, reason=_("Your role does not write the FAQ."))
    entry = FaqEntry(
        area=area,
        category=_choice(category, "category", Category),
        question=_faq_text(question, "question", QUESTION_MAX, _("Write the question down.")),
        answer=_faq_text(answer, "answer", ANSWER_MAX, _("Write the answer down.")),
        published=bool(published),
    )
    save_checked(entry)
    record_change(ChangeAction.CREATE, entry, actor=by)
    return entry


@transaction.atomic
def do_faq_from_inquiry(inquiry: Inquiry, *, by: User | None) -> FaqEntry:
    """One click: the inquiry's question and answer as a new (unpublished) FAQ entry of its
    community, the asker's name and numbers taken out; edit it before publishing."""
    obj: Inquiry = locked(Inquiry, inquiry.pk, "community", "person", "household__head")
    require(by, Inquiry, "view", obj)
    if by is not None and not may(by, FaqEntry, "add", obj.community):
        raise PermissionDeniedError("add", _("Your role does not write the FAQ."))
    if not obj.answer.strip():
        raise ValidationError(_("Only an answered inquiry becomes an FAQ entry: answer it first."))
    if FaqEntry.objects.filter(source=obj).exists():
        raise ValidationError(_("This inquiry is in the FAQ already."))
    entry = FaqEntry(
        area=obj.community,
        category=obj.category,
        question=without_personal_data(obj.question, obj)[:QUESTION_MAX],
        answer=without_personal_data(obj.answer, obj)[:ANSWER_MAX],
        published=False,
        source=obj,
    )
    save_checked(entry)
    record_change(ChangeAction.CREATE, entry, actor=by)
    return entry


@transaction.atomic
def do_update_faq_entry(
    entry: FaqEntry,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    by: User | None,
) -> FaqEntry:
    """Edit an entry's question, answer, category, or whether residents see it."""
    obj: FaqEntry = locked(FaqEntry, entry.pk, "area")
    if by is not None and sees(by, obj) and not may(by, FaqEntry, "change", obj):
        # A street's entry reaches the communities below, to read: its office changes it.
        raise PermissionDeniedError(
            "change", _("This entry is %(area)s's: its office changes it.") % {"area": obj.area}
        )
    require(by, FaqEntry, "change", obj, reason=_("Your role does not write the FAQ."))
    check_version(obj, expected_version)
    before = obj.audit_snapshot()
    if "category" in data:
        obj.category = _choice(data["category"], "category", Category)
    if "question" in data:
        obj.question = _faq_text(
            data["question"], "question", QUESTION_MAX, _("Write the question down.")
        )
    if "answer" in data:
        obj.answer = _faq_text(data["answer"], "answer", ANSWER_MAX, _("Write the answer down."))
    if "published" in data:
        obj.published = bool(data["published"])
    obj.version += 1
    save_checked(obj)
    record_change(ChangeAction.UPDATE, obj, before=before, actor=by)
    return obj
