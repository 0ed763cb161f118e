"""Every change of the merchants app: one ``do_*`` call each, atomic, checked (scope, right,
version) and audited. Other apps are changed through their services only (tasks: staff's
``do_create_task`` and ``do_complete_task``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_access, record_change
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.personal_data import protect_phone
from fangkong.core.querysets import require
from fangkong.core.services import actor_or_none, check_version, locked, save_checked
from fangkong.core.spreadsheets import neutralise
from fangkong.core.validators import clean_name, clean_text, validate_phone, validate_temperature
from fangkong.merchants import register_tokens
from fangkong.merchants.choices import (
    CheckItem,
    CheckResult,
    EntrySource,
    MerchantKind,
    MerchantStatus,
)
from fangkong.merchants.models import (
    Complaint,
    Inspection,
    InspectionCheck,
    Merchant,
    MerchantStatusChange,
    Notice,
    NoticeTemplate,
    RegisterEntry,
)
from fangkong.staff.choices import OPEN_STATUSES as TASK_OPEN
from fangkong.staff.choices import TaskKind, TaskPriority
from fangkong.staff.services import do_complete_task, do_create_task

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: A failed checklist item still to be put right: not resolved here, and its follow-up task
#: (if any) not closed on the task pages either.
OPEN_CHECK = Q(result=CheckResult.FAIL, resolved_at__isnull=True) & (
    Q(follow_up__isnull=True) | Q(follow_up__status__in=TASK_OPEN)
)
#: How long an inspector has to come back for a failed item, unless the form says.
FOLLOW_UP_DAYS = 3
#: The longest register search: a contact tracer asks about hours or days, not months.
SEARCH_MAX = dt.timedelta(days=31)

MERCHANT_FIELDS = (
    "name",
    "kind",
    "address",
    "licence_number",
    "contact_name",
    "takes_temperature",
    "notes",
)


def open_checks(queryset: QuerySet[InspectionCheck] | None = None) -> QuerySet[InspectionCheck]:
    qs = queryset if queryset is not None else InspectionCheck.objects.all()
    return qs.filter(OPEN_CHECK)


def register_days() -> int:
    return int(settings.MERCHANT_REGISTER_DAYS)


def register_since(now: dt.datetime | None = None) -> dt.datetime:
    """The oldest moment whose entries are still kept."""
    return (now or timezone.now()) - dt.timedelta(days=register_days())


# --- The registry ---------------------------------------------------------------------------


def _clean_merchant(merchant: Merchant) -> None:
    errors: dict[str, str] = {}
    merchant.name = clean_name(merchant.name, max_length=100)
    merchant.address = clean_name(merchant.address, max_length=200)
    merchant.licence_number = clean_name(merchant.licence_number or "", max_length=40).upper()
    merchant.contact_name = clean_name(merchant.contact_name or "", max_length=50)
    merchant.notes = clean_text((merchant.notes or "").strip(), multiline=True, max_length=2000)
    if not merchant.name:
        errors["name"] = _("Give the shop's name.")
    if not merchant.address:
        errors["address"] = _("Give the shop's address.")
    if merchant.kind not in MerchantKind.values:
        errors["kind"] = _("Choose the kind of shop.")
    area = merchant.area
    if area.level == AreaLevel.GRID:
        if area.parent_id != merchant.community_id:
            errors["area"] = _("Choose the community or one of its grids.")
    elif area.pk != merchant.community_id:
        errors["area"] = _("Choose the community or one of its grids.")
    if errors:
        raise ValidationError(errors)


def _set_phone(merchant: Merchant, phone: str | None) -> None:
    phone = (phone or "").strip()
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None
    protected = protect_phone(phone)
    merchant.phone_cipher, merchant.phone_index, merchant.phone_mask = (
        protected.cipher,
        protected.index,
        protected.mask,
    )
    merchant.phone_last4_index = protected.extra.get("last4_index", "")


def _community_of(area: Area) -> Area:
    community = area if area.level == AreaLevel.COMMUNITY else area.community
    if community is None:
        raise ValidationError({"area": _("Choose the community or one of its grids.")})
    return community


def new_merchant(area: Area, data: dict[str, Any]) -> Merchant:
    """An unsaved shop of ``area`` (the community or a grid) from ``data``, checked."""
    community = _community_of(area)
    merchant = Merchant(community=community, area=area, register_nonce=register_tokens.new_nonce())
    for name in MERCHANT_FIELDS:
        if name in data:
            setattr(merchant, name, data[name] if data[name] is not None else "")
    status = data.get("status") or MerchantStatus.CLOSED
    if status not in MerchantStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    merchant.status = status
    merchant.status_since = data.get("status_since") or community.local_today()
    _clean_merchant(merchant)
    _set_phone(merchant, data.get("phone"))
    return merchant


@transaction.atomic
def do_create_merchant(area: Area, data: dict[str, Any], *, by: User | None) -> Merchant:
    """List a shop in the community (or grid) ``area``; its first status opens its history."""
    require(by, Merchant, "add", area, reason=_("Your role does not list shops."))
    merchant = new_merchant(area, data)
    save_checked(merchant)
    record_change(ChangeAction.CREATE, merchant, actor=by)
    _history(merchant, merchant.status, merchant.status_since, "", by)
    return merchant


@transaction.atomic
def do_update_merchant(
    merchant: Merchant,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    by: User | None,
) -> Merchant:
    """Change a shop's details (its status has its own service and history)."""
    merchant = locked(Merchant, merchant.pk)
    require(by, Merchant, "change", merchant, reason=_("Your role does not change shops."))
    check_version(merchant, expected_version)
    before = merchant.audit_snapshot()
    for name in MERCHANT_FIELDS:
        if name in data:
            setattr(merchant, name, data[name] if data[name] is not None else "")
    if data.get("area") is not None:
        merchant.area = data["area"]
    _clean_merchant(merchant)
    if "phone" in data and data["phone"] is not None:
        _set_phone(merchant, data["phone"])
    merchant.version += 1
    save_checked(merchant)
    record_change(ChangeAction.UPDATE, merchant, before=before, actor=by)
    return merchant


def _history(
    merchant: Merchant, status: str, on: dt.date | None, reason: str, by: User | None
) -> MerchantStatusChange:
    change = MerchantStatusChange(
        community_id=merchant.community_id,
        merchant=merchant,
        status=status,
        on=on or merchant.community.local_today(),
        reason=reason,
        changed_by=actor_or_none(by),
    )
    change.save()
    record_change(ChangeAction.CREATE, change, actor=by)
    return change


@transaction.atomic
def do_change_status(
    merchant: Merchant,
    *,
    status: str,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
    by: User | None,
) -> Merchant:
    """A shop opens, reopens, closes or is closed by order: the status and its history."""
    merchant = locked(Merchant, merchant.pk, "community")
    require(by, Merchant, "change", merchant, reason=_("Your role does not change shops."))
    check_version(merchant, expected_version)
    if status not in MerchantStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    today = merchant.community.local_today()
    on = on or today
    if on > today:
        raise ValidationError({"on": _("A status cannot start in the future.")})
    reason = clean_name(reason or "", max_length=200)
    if status == MerchantStatus.CLOSED_BY_ORDER and not reason:
        raise ValidationError({"reason": _("Say why the shop was closed by order.")})
    if status == merchant.status:
        raise ValidationError({"status": _("The shop already has this status.")})
    before = merchant.audit_snapshot()
    merchant.status, merchant.status_since = status, on
    merchant.version += 1
    merchant.save(update_fields=["status", "status_since", "version", "updated"])
    record_change(ChangeAction.UPDATE, merchant, before=before, actor=by)
    _history(merchant, status, on, reason, by)
    return merchant


# --- Inspections ----------------------------------------------------------------------------


def last_inspection(merchant: Merchant) -> Inspection | None:
    return (
        Inspection.objects.filter(merchant=merchant)
        .order_by("-visited_on", "-id")
        .prefetch_related("checks")
        .first()
    )


def failed_last_time(merchant: Merchant) -> list[InspectionCheck]:
    """The items the shop's last inspection failed (what the next visit looks at first)."""
    last = last_inspection(merchant)
    if last is None:
        return []
    return [c for c in last.checks.all() if c.result == CheckResult.FAIL]


def _clean_checks(checks: dict[str, Any]) -> list[tuple[str, str, str]]:
    missing = [item.label for item in CheckItem if item.value not in checks]
    if missing:
        raise ValidationError(
            {
                "checks": _("Answer every item of the checklist: %(items)s is missing.")
                % {"items": "、".join(str(m) for m in missing)}
            }
        )
    answers: list[tuple[str, str, str]] = []
    for item in CheckItem:
        given = checks[item.value]
        result, note = (given, "") if isinstance(given, str) else (given[0], given[1] or "")
        if result not in CheckResult.values:
            raise ValidationError(
                {
                    "checks": _("%(item)s: answer pass, fail or not applicable.")
                    % {"item": item.label}
                }
            )
        note = clean_name(note, max_length=200)
        answers.append((item.value, result, note))
    unknown = set(checks) - set(CheckItem.values)
    if unknown:
        raise ValidationError({"checks": _("The checklist has no such item.")})
    return answers


@transaction.atomic
def do_record_inspection(
    merchant: Merchant,
    data: dict[str, Any],
    *,
    by: User | None,
) -> Inspection:
    """Record a visit: the checklist (every item answered), the notice and book delivered.

    Each failed item raises a follow-up task (``merchant.reinspect``) due in
    ``follow_up_days``; an item that failed before and passes now closes its old follow-up.
    A delivered notice is recorded as the shop's notice."""
    merchant = locked(Merchant, merchant.pk, "community")
    require(by, Inspection, "add", merchant, reason=_("Your role does not record inspections."))
    community = merchant.community
    visited_on = data.get("visited_on") or community.local_today()
    if visited_on > community.local_today():
        raise ValidationError({"visited_on": _("A visit cannot be dated in the future.")})
    answers = _clean_checks(data.get("checks") or {})
    inspectors = clean_name(data.get("inspectors") or "", max_length=200)
    if not inspectors:
        inspectors = str(by) if by is not None else ""
    if not inspectors:
        raise ValidationError({"inspectors": _("Name the inspectors.")})
    signed_by = clean_name(data.get("signed_by") or "", max_length=50)
    notice, book = bool(data.get("notice_delivered")), bool(data.get("book_delivered"))
    if (notice or book) and not signed_by:
        raise ValidationError({"signed_by": _("Say who signed for the notice or the book.")})
    inspection = Inspection(
        community=community,
        merchant=merchant,
        visited_on=visited_on,
        inspectors=inspectors,
        notice_delivered=notice,
        book_delivered=book,
        signed_by=signed_by,
        notes=clean_text((data.get("notes") or "").strip(), multiline=True, max_length=2000),
        failed_count=sum(1 for _item, result, _note in answers if result == CheckResult.FAIL),
        recorded_by=actor_or_none(by),
    )
    save_checked(inspection)
    record_change(ChangeAction.CREATE, inspection, actor=by)
    days = int(data.get("follow_up_days") or FOLLOW_UP_DAYS)
    due = timezone.now() + dt.timedelta(days=max(1, min(days, 60)))
    labels = dict(CheckItem.choices)
    passed_now = {item for item, result, _note in answers if result == CheckResult.PASS}
    for item, result, note in answers:
        check = InspectionCheck(
            community=community,
            inspection=inspection,
            merchant=merchant,
            item=item,
            result=result,
            note=note,
        )
        check.save()
        if result == CheckResult.FAIL:
            check.follow_up = do_create_task(
                community=community,
                kind=TaskKind.MERCHANT_REINSPECT,
                by=None,  # part of the visit the inspector was allowed to record
                title=_("Re-inspect %(shop)s: %(item)s") % {"shop": merchant, "item": labels[item]},
                description=note,
                link=check,
                reason=item,
                assignee=by if by is not None and by.is_authenticated else None,
                area=merchant.area,
                due=due,
                priority=TaskPriority.HIGH,
            )
            check.save(update_fields=["follow_up"])
        record_change(ChangeAction.CREATE, check, actor=by)
    # A later visit that passes an item closes the earlier follow-ups of that item.
    earlier = open_checks(
        InspectionCheck.objects.filter(merchant=merchant, item__in=passed_now).exclude(
            inspection=inspection
        )
    )
    for check in earlier.select_related("follow_up"):
        _resolve(check, _("Passed at the inspection of %(day)s.") % {"day": visited_on}, by)
    if notice:
        _notice(merchant, visited_on, signed_by, book, by, inspection)
    return inspection


def _resolve(check: InspectionCheck, note: str, by: User | None) -> None:
    before = check.audit_snapshot()
    check.resolved_at, check.resolution = timezone.now(), note[:200]
    check.version += 1
    check.save(update_fields=["resolved_at", "resolution", "version", "updated"])
    record_change(ChangeAction.UPDATE, check, before=before, actor=by)
    task = check.follow_up
    if task is not None and task.status in TASK_OPEN:
        do_complete_task(task, by=None, note=note)


@transaction.atomic
def do_close_follow_up(
    check: InspectionCheck, *, note: str, expected_version: int | None = None, by: User | None
) -> InspectionCheck:
    """A failed item put right: the item is resolved and its follow-up task done."""
    check = locked(InspectionCheck, check.pk)
    require(by, InspectionCheck, "change", check, reason=_("Your role does not close follow-ups."))
    check_version(check, expected_version)
    if not open_checks(InspectionCheck.objects.filter(pk=check.pk)).exists():
        raise ValidationError(_("This item has no open follow-up."))
    note = clean_name(note or "", max_length=200)
    if not note:
        raise ValidationError({"note": _("Say how the problem was put right.")})
    _resolve(check, note, by)
    return check


# --- Notices --------------------------------------------------------------------------------

DEFAULT_NOTICE_TITLE = "疫情防控告知函"
#: What the template's text may hold, filled in per shop (Chinese: the community types them).
PLACEHOLDERS = {"shop": "【商户名称】", "date": "【日期】", "contact": "【联系人】"}
DEFAULT_NOTICE_BODY = (
    "【商户名称】：\n"
    "为做好疫情防控工作，请贵店落实以下措施：员工佩戴口罩，进店人员测温登记，"
    "每日消毒并做好记录，保持通风，配备洗手液或免洗消毒液，顾客间保持一米以上距离，"
    "员工每日健康报告。请扫描店门口二维码或使用人员登记手册登记进店人员。\n"
    "【日期】\n联系人：【联系人】"
)


def notice_template(community: Area) -> NoticeTemplate:
    """The community's template, or (unsaved) the default wording."""
    found: NoticeTemplate | None = NoticeTemplate.objects.filter(community=community).first()
    if found is not None:
        return found
    return NoticeTemplate(
        community=community,
        title=DEFAULT_NOTICE_TITLE,
        body=DEFAULT_NOTICE_BODY,
        contact=community.contact_phone,
    )


def notice_text(template: NoticeTemplate, merchant: Merchant, day: dt.date) -> str:
    """The template's text for one shop: its placeholders filled in (others left as typed)."""
    contact = template.contact or merchant.community.contact_phone or str(merchant.community)
    values = {"shop": merchant.name, "date": f"{day:%Y年%m月%d日}", "contact": contact}
    text = template.body
    for key, value in values.items():
        text = text.replace(PLACEHOLDERS[key], value)
    return text


@transaction.atomic
def do_save_notice_template(
    community: Area,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    by: User | None,
) -> NoticeTemplate:
    """Edit the community's wording of the prevention notice."""
    require(by, NoticeTemplate, "change", community, reason=_("Your role does not edit notices."))
    template = NoticeTemplate.objects.select_for_update().filter(community=community).first()
    creating = template is None
    if template is None:
        template = NoticeTemplate(community=community)
    else:
        check_version(template, expected_version)
    before = template.audit_snapshot() if not creating else None
    template.title = clean_name(data.get("title") or "", max_length=100)
    template.body = clean_text((data.get("body") or "").strip(), multiline=True, max_length=4000)
    template.contact = clean_name(data.get("contact") or "", max_length=100)
    if not template.title or not template.body:
        raise ValidationError(_("A notice needs a title and a text."))
    if not creating:
        template.version += 1
    save_checked(template)
    if creating:
        record_change(ChangeAction.CREATE, template, actor=by)
    else:
        record_change(ChangeAction.UPDATE, template, before=before, actor=by)
    return template


def _notice(
    merchant: Merchant,
    day: dt.date,
    signed_by: str,
    with_book: bool,
    by: User | None,
    inspection: Inspection | None = None,
) -> Notice:
    notice = Notice(
        community_id=merchant.community_id,
        merchant=merchant,
        inspection=inspection,
        delivered_on=day,
        signed_by=signed_by,
        with_book=with_book,
        recorded_by=actor_or_none(by),
    )
    notice.save()
    record_change(ChangeAction.CREATE, notice, actor=by)
    return notice


@transaction.atomic
def do_record_notice(
    merchant: Merchant,
    *,
    delivered_on: dt.date | None = None,
    signed_by: str,
    with_book: bool = False,
    by: User | None,
) -> Notice:
    """A notice handed to the shop outside an inspection, and who signed for it."""
    require(by, Notice, "add", merchant, reason=_("Your role does not record notices."))
    day = delivered_on or merchant.community.local_today()
    if day > merchant.community.local_today():
        raise ValidationError({"delivered_on": _("A delivery cannot be dated in the future.")})
    signed_by = clean_name(signed_by or "", max_length=50)
    if not signed_by:
        raise ValidationError({"signed_by": _("Say who signed for the notice.")})
    return _notice(merchant, day, signed_by, with_book, by)


# --- The owner's link and the poster --------------------------------------------------------


@transaction.atomic
def do_issue_owner_link(merchant: Merchant, *, by: User | None) -> str:
    """A new private link for the shop's owner (the old one stops at once); the token is
    returned once and only its digest is kept."""
    merchant = locked(Merchant, merchant.pk)
    require(by, Merchant, "change", merchant, reason=_("Your role does not issue owners' links."))
    token = register_tokens.new_owner_token()
    before = merchant.audit_snapshot()
    merchant.owner_token_digest = register_tokens.owner_digest(token) or ""
    merchant.owner_token_issued_at = timezone.now()
    merchant.version += 1
    merchant.save(
        update_fields=["owner_token_digest", "owner_token_issued_at", "version", "updated"]
    )
    record_change(ChangeAction.UPDATE, merchant, before=before, actor=by)
    return token


@transaction.atomic
def do_revoke_owner_link(merchant: Merchant, *, by: User | None) -> Merchant:
    merchant = locked(Merchant, merchant.pk)
    require(by, Merchant, "change", merchant, reason=_("Your role does not revoke owners' links."))
    if not merchant.owner_token_digest:
        raise ValidationError(_("The shop has no owner's link."))
    before = merchant.audit_snapshot()
    merchant.owner_token_digest, merchant.owner_token_issued_at = "", None
    merchant.version += 1
    merchant.save(
        update_fields=["owner_token_digest", "owner_token_issued_at", "version", "updated"]
    )
    record_change(ChangeAction.UPDATE, merchant, before=before, actor=by)
    return merchant


@transaction.atomic
def do_replace_poster(merchant: Merchant, *, by: User | None) -> Merchant:
    """A new QR code for the shop's register (a poster was copied or misused): the old
    poster's link stops at once."""
    merchant = locked(Merchant, merchant.pk)
    require(by, Merchant, "change", merchant, reason=_("Your role does not replace posters."))
    merchant.register_nonce = register_tokens.new_nonce()
    merchant.version += 1
    merchant.save(update_fields=["register_nonce", "version", "updated"])
    record_change(ChangeAction.UPDATE, merchant, before=merchant.audit_snapshot(), actor=by)
    return merchant


#: The shop's columns its sign-in page and ``do_sign_in`` read.
SIGN_IN_FIELDS = ("id", "community_id", "name", "status", "takes_temperature")


def merchant_of_register_token(token: str) -> Merchant | None:
    nonce = register_tokens.nonce_of(token)
    if nonce is None:
        return None
    # The sign-in page is the app's busiest request: it needs five columns of the shop, one
    # row by a unique index, no ordering (``first()`` would order by id) and not every column.
    rows = list(Merchant.objects.filter(register_nonce=nonce).order_by().only(*SIGN_IN_FIELDS)[:1])
    return rows[0] if rows else None


def merchant_of_owner_token(token: str) -> Merchant | None:
    digest = register_tokens.owner_digest(token)
    if digest is None:
        return None
    return Merchant.objects.select_related("community").filter(owner_token_digest=digest).first()


def poster_url(merchant: Merchant) -> str:
    from django.urls import reverse

    return reverse(
        "merchants:sign_in", args=[register_tokens.register_token(merchant.register_nonce)]
    )


# --- The personnel register -----------------------------------------------------------------


def clean_entry(merchant: Merchant, data: dict[str, Any]) -> tuple[str, Any, Decimal | None]:
    """A sign-in's name (formula signs neutralised), protected phone and temperature."""
    errors: dict[str, list[str]] = {}
    name = ""
    try:
        name = clean_name(str(data.get("name") or ""), max_length=50)
    except ValidationError as exc:
        errors["name"] = exc.messages
    if not name and "name" not in errors:
        errors["name"] = [_("Write your name.")]
    phone = ""
    try:
        phone = validate_phone(str(data.get("phone") or "").strip())
    except ValidationError as exc:
        errors["phone"] = exc.messages
    temperature: Decimal | None = None
    raw = data.get("temperature")
    if merchant.takes_temperature and raw in (None, ""):
        errors["temperature"] = [_("This shop asks for your temperature.")]
    elif raw not in (None, ""):
        try:
            temperature = validate_temperature(raw)
        except ValidationError as exc:
            errors["temperature"] = exc.messages
    if errors:
        raise ValidationError(errors)
    # A name like "=HYPERLINK(…)" would run in a spreadsheet: stored with a leading '.
    return str(neutralise(name))[:50], protect_phone(phone), temperature


def do_sign_in(
    merchant: Merchant,
    data: dict[str, Any],
    *,
    source: str = EntrySource.QR,
    at: dt.datetime | None = None,
    by: User | None = None,
) -> RegisterEntry:
    """Someone came into the shop: one register entry. Through the QR page nobody is logged
    in (``by`` None); the owner's page enters visits by hand (``source`` owner)."""
    if not merchant.is_open:
        raise ValidationError(_("This shop is not open; its register takes no entries."))
    name, phone, temperature = clean_entry(merchant, data)
    now = timezone.now()
    at = at or now
    if at > now + dt.timedelta(minutes=5):
        raise ValidationError({"at": _("A visit cannot be in the future.")})
    if at < register_since(now):
        raise ValidationError({"at": _("This is older than the register keeps.")})
    entry = RegisterEntry(
        community_id=merchant.community_id,
        merchant=merchant,
        at=at,
        name=name,
        phone_cipher=phone.cipher,
        phone_index=phone.index,
        phone_last4_index=phone.extra.get("last4_index", ""),
        phone_mask=phone.mask,
        temperature=temperature,
        source=source,
    )
    entry.save(force_insert=True)
    return entry


def search_register(
    merchant: Merchant,
    *,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    by: User,
) -> list[RegisterEntry]:
    """Who was in the shop between ``start`` and ``end`` (contact tracing): the health role
    only, with a reason, recorded as an access event (what was asked, never who was found)."""
    require(
        by,
        RegisterEntry,
        "search",
        merchant,
        reason=_("Only the health officer searches a shop's register."),
    )
    reason = clean_name(reason or "", max_length=300)
    if not reason:
        raise ValidationError({"reason": _("Say why you search the register.")})
    if end <= start:
        raise ValidationError({"end": _("The end must come after the start.")})
    if end - start > SEARCH_MAX:
        raise ValidationError({"end": _("Search at most 31 days at a time.")})
    entries = list(
        RegisterEntry.objects.filter(merchant=merchant, at__gte=start, at__lt=end).order_by(
            "at", "id"
        )[:1000]
    )
    record_access(
        AccessKind.SEARCH,
        actor=by,
        area_path=merchant.community.path,
        obj=merchant,
        reason=reason,
        detail={
            "register": merchant.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "found": len(entries),
        },
    )
    return entries


# --- Complaints -----------------------------------------------------------------------------


@transaction.atomic
def do_record_complaint(merchant: Merchant, data: dict[str, Any], *, by: User | None) -> Complaint:
    """A resident's complaint about a shop: recorded, and an inspection task raised."""
    require(by, Complaint, "add", merchant, reason=_("Your role does not record complaints."))
    community = merchant.community
    received_on = data.get("received_on") or community.local_today()
    if received_on > community.local_today():
        raise ValidationError({"received_on": _("A complaint cannot be dated in the future.")})
    complaint = Complaint(
        community=community,
        merchant=merchant,
        kind=data.get("kind") or "",
        received_on=received_on,
        description=clean_text(
            (data.get("description") or "").strip(), multiline=True, max_length=2000
        ),
    )
    save_checked(complaint)
    complaint.task = do_create_task(
        community=community,
        kind=TaskKind.MERCHANT_COMPLAINT,
        by=None,
        title=_("Inspect %(shop)s: %(kind)s")
        % {"shop": merchant, "kind": complaint.get_kind_display()},
        description=complaint.description,
        link=complaint,
        reason="complaint",
        area=merchant.area,
        due=timezone.now() + dt.timedelta(days=1),
        priority=TaskPriority.HIGH,
    )
    complaint.save(update_fields=["task"])
    record_change(ChangeAction.CREATE, complaint, actor=by)
    return complaint


@transaction.atomic
def do_close_complaint(
    complaint: Complaint, *, outcome: str, expected_version: int | None = None, by: User | None
) -> Complaint:
    complaint = locked(Complaint, complaint.pk)
    require(by, Complaint, "change", complaint, reason=_("Your role does not close complaints."))
    check_version(complaint, expected_version)
    if complaint.closed_at is not None:
        raise ValidationError(_("This complaint is already closed."))
    outcome = clean_name(outcome or "", max_length=200)
    if not outcome:
        raise ValidationError({"outcome": _("Say what was found or done.")})
    before = complaint.audit_snapshot()
    complaint.closed_at, complaint.outcome = timezone.now(), outcome
    complaint.version += 1
    complaint.save(update_fields=["closed_at", "outcome", "version", "updated"])
    record_change(ChangeAction.UPDATE, complaint, before=before, actor=by)
    task = complaint.task
    if task is not None and task.status in TASK_OPEN:
        do_complete_task(task, by=None, note=outcome)
    return complaint
