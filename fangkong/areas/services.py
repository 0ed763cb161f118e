"""State changes of the jurisdiction tree: add, rename, change a community's settings, move and
close an area. Atomic, checked against the actor's scope, audited.

An administrator manages the areas *below* its own (DESIGN.md, "Who may do what"): an area is
acted on only when its parent lies in the actor's scope, so nobody renames, moves or closes
the area they stand on. ``by=None`` is system work (``manage.py setup``, the demo).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.choices import CHILD_LEVEL, AreaLevel
from fangkong.areas.models import Area
from fangkong.core import area_contents
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.querysets import require
from fangkong.core.services import check_version, locked
from fangkong.core.validators import validate_phone

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: What a rename or a community's settings may change.
SETTINGS_FIELDS = ("name", "code", "time_zone", "fever_threshold", "contact_phone")
#: A community's fever threshold: no lower than a normal temperature, no higher than a fever.
FEVER_THRESHOLD_MIN = Decimal("37.0")
FEVER_THRESHOLD_MAX = Decimal("38.5")


def _require_below(by: User | None, action: str, area: Area) -> None:
    """Refuse unless ``area`` lies strictly below the actor's area (its parent in scope): a
    city has no parent, so only system work and superusers act on one."""
    if by is None:
        return
    if area.parent_id is None:
        if not by.is_superuser:
            raise Http404
        return
    require(by, Area, action, area.parent)


def _check_code(code: str, pk: int | None) -> str:
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("Enter the area's code.")})
    if Area.objects.filter(code=code).exclude(pk=pk).exists():
        raise ValidationError({"code": _("Another area already has this code.")})
    return code


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the area's name.")})
    return name


def _apply_settings(area: Area, data: dict[str, Any]) -> None:
    """Set the fields of ``SETTINGS_FIELDS`` that ``data`` names, checked."""
    if "name" in data:
        area.name = _check_name(data["name"])
    if "code" in data:
        area.code = _check_code(data["code"], area.pk)
    community_only = [k for k in ("fever_threshold", "contact_phone") if k in data]
    if community_only and area.level != AreaLevel.COMMUNITY:
        changed = [k for k in community_only if data[k] != getattr(area, k)]
        if changed:
            raise ValidationError(
                {changed[0]: _("Only a community has a fever threshold and a contact phone.")}
            )
    if "time_zone" in data:
        tz = (data["time_zone"] or "").strip()
        if tz not in available_timezones():
            raise ValidationError({"time_zone": _("Choose a time zone such as Asia/Shanghai.")})
        area.time_zone = tz
    if "fever_threshold" in data and area.level == AreaLevel.COMMUNITY:
        try:
            threshold = Decimal(str(data["fever_threshold"])).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            threshold = Decimal(0)
        if not FEVER_THRESHOLD_MIN <= threshold <= FEVER_THRESHOLD_MAX:
            raise ValidationError(
                {
                    "fever_threshold": _(
                        "The fever threshold lies between %(low)s and %(high)s °C."
                    )
                    % {"low": FEVER_THRESHOLD_MIN, "high": FEVER_THRESHOLD_MAX}
                }
            )
        area.fever_threshold = threshold
    if "contact_phone" in data and area.level == AreaLevel.COMMUNITY:
        phone = (data["contact_phone"] or "").strip()
        try:
            area.contact_phone = validate_phone(phone) if phone else ""
        except ValidationError as exc:
            raise ValidationError({"contact_phone": exc.messages}) from None


@transaction.atomic
def do_create_area(
    *,
    level: AreaLevel | str | None = None,
    name: str,
    code: str,
    parent: Area | None,
    by: User | None,
    **extra: Any,
) -> Area:
    """A new area one level below ``parent`` (a city without one). The level follows from the
    parent when not given; one given that does not is refused."""
    if parent is not None:
        parent = locked(Area, parent.pk)
        require(by, Area, "add", parent)
        if not parent.is_open:
            raise ValidationError({"parent": _("This area is closed: nothing can be added to it.")})
        below = CHILD_LEVEL.get(parent.level)
        if below is None:
            raise ValidationError({"parent": _("A grid cannot contain other areas.")})
        level = level or below
    elif by is not None and not by.is_superuser:
        raise Http404
    level = level or AreaLevel.CITY
    area = Area(level=level, name=_check_name(name), code=_check_code(code, None), parent=parent)
    area.path = ""
    _apply_settings(area, {k: v for k, v in extra.items() if k in SETTINGS_FIELDS})
    area.full_clean(exclude=["path"])
    # The path needs the primary key: save with a unique placeholder, then set it.
    area.path = f"?{area.code}"
    area.save()
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.save(update_fields=["path"])
    record_change(ChangeAction.CREATE, area, actor=by)
    return area


@transaction.atomic
def do_update_area(
    area: Area, *, by: User | None, expected_version: int | None = None, **data: Any
) -> Area:
    """Rename an area or change its code, time zone, or (a community's) fever threshold and
    the contact phone printed on its pass cards."""
    area = locked(Area, area.pk)
    _require_below(by, "change", area)
    check_version(area, expected_version)
    if not area.is_open:
        raise ValidationError(_("This area is closed and cannot be changed."))
    before = area.audit_snapshot()
    _apply_settings(area, {k: v for k, v in data.items() if k in SETTINGS_FIELDS})
    area.version += 1
    area.save()
    record_change(ChangeAction.UPDATE, area, before=before, actor=by)
    return area


def span_of(area: Area) -> area_contents.Span:
    """The ids ``core.area_contents`` counts in: a grid, or the communities of the subtree."""
    if area.level == AreaLevel.GRID:
        return area_contents.Span(area_ids=(area.pk,), community_ids=(), grid_id=area.pk)
    rows = list(area.descendants(include_self=True).values_list("pk", "level"))
    return area_contents.Span(
        area_ids=tuple(pk for pk, _level in rows),
        community_ids=tuple(pk for pk, level in rows if level == AreaLevel.COMMUNITY),
    )


def contents_of(area: Area) -> dict[str, int]:
    """{kind: count} of what the area holds (residents, passes, open tasks...)."""
    return area_contents.counts(span_of(area))


def _describe(found: dict[str, int]) -> str:
    return area_contents.describe(found)


@transaction.atomic
def do_move_area(
    area: Area, *, parent: Area, by: User | None, expected_version: int | None = None
) -> Area:
    """Hang ``area`` (and its subtree) under another ``parent`` of the level above it.

    A grid that holds buildings, residents, passes or open tasks does not move to another
    community: its rows belong to the community they were recorded in. A community moves to
    another street with everything in it (rows are keyed by the community, not its path).
    """
    area = locked(Area, area.pk)
    _require_below(by, "change", area)
    check_version(area, expected_version)
    parent = locked(Area, parent.pk)
    require(by, Area, "change", parent)
    if not area.is_open:
        raise ValidationError(_("This area is closed and cannot be changed."))
    if CHILD_LEVEL.get(parent.level) != area.level:
        raise ValidationError(
            {
                "parent": _("A %(level)s can only be placed in a %(parent)s.")
                % {
                    "level": area.get_level_display(),
                    "parent": _parent_level_label(area.level),
                }
            }
        )
    if not parent.is_open:
        raise ValidationError({"parent": _("This area is closed: nothing can be added to it.")})
    if parent.pk == area.parent_id:
        raise ValidationError({"parent": _("The area is already there.")})
    if area.level == AreaLevel.GRID:
        blocking = {
            key: n
            for key, n in contents_of(area).items()
            if _content(key) is None or _content(key).blocks_grid_move  # type: ignore[union-attr]
        }
        if blocking:
            raise ValidationError(
                _(
                    "%(area)s still holds %(what)s: a grid moves to another community only "
                    "when it is empty. Move its buildings to another grid first."
                )
                % {"area": area.name, "what": _describe(blocking)}
            )
    before = area.audit_snapshot()
    old_path, new_path = area.path, f"{parent.path}{area.pk}/"
    area.parent = parent
    area.path = new_path
    area.version += 1
    area.save()
    for below in Area.objects.filter(path__startswith=old_path).exclude(pk=area.pk):
        below.path = new_path + below.path[len(old_path) :]
        below.save(update_fields=["path", "updated"])
    record_change(ChangeAction.UPDATE, area, before=before, actor=by)
    return area


def _parent_level_label(level: str) -> str:
    for parent, child in CHILD_LEVEL.items():
        if child == level:
            return str(AreaLevel(parent).label)
    return ""


def _content(key: str) -> area_contents.Content | None:
    return next((c for c in area_contents.contents() if c.key == key), None)


@transaction.atomic
def do_close_area(
    area: Area,
    *,
    by: User | None,
    reason: str,
    move_to: Area | None = None,
    expected_version: int | None = None,
) -> Area:
    """Close an area and the open areas below it. Areas are never deleted: rows and the
    audit log keep pointing at them.

    An area that still holds residents, buildings, passes, open tasks or accounts is not
    closed: a grid's may be moved to another grid of its community (``move_to``: its
    buildings, with the people and passes in them, and its open tasks; accounts are
    reassigned on their own pages), a community's or a street's are refused with the counts.
    """
    area = locked(Area, area.pk)
    _require_below(by, "deactivate", area)
    check_version(area, expected_version)
    if not area.is_open:
        raise ValidationError(_("This area is already closed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if move_to is not None:
        move_to = locked(Area, move_to.pk)
        require(by, Area, "change", move_to)
        if area.level != AreaLevel.GRID:
            raise ValidationError(
                {"move_to": _("Only a grid's residents can be moved to another grid.")}
            )
        if (
            move_to.level != AreaLevel.GRID
            or move_to.parent_id != area.parent_id
            or move_to.pk == area.pk
            or not move_to.is_open
        ):
            raise ValidationError({"move_to": _("Choose another open grid of this community.")})
    found = contents_of(area)
    if found and move_to is None:
        if area.level == AreaLevel.GRID:
            hint = _("Choose a grid to move them to, or move them first.")
        else:
            hint = _("Move or close them first.")
        raise ValidationError(
            _("%(area)s still holds %(what)s. %(hint)s")
            % {"area": area.name, "what": _describe(found), "hint": hint}
        )
    if found and move_to is not None:
        stuck = {
            key: n
            for key, n in found.items()
            if (c := _content(key)) is None or (c.move is None and c.moved_with is None)
        }
        if stuck:
            raise ValidationError(
                _("%(area)s still holds %(what)s, which cannot be moved with it. %(hint)s")
                % {
                    "area": area.name,
                    "what": _describe(stuck),
                    "hint": _("Give the accounts another area on the accounts pages first."),
                }
            )
        for content in area_contents.contents():
            if content.key in found and content.move is not None:
                content.move(area, move_to, by)
        left = contents_of(area)
        if left:  # a row the moves did not reach: nothing is closed, nothing moved
            raise ValidationError(
                _("%(area)s still holds %(what)s. %(hint)s")
                % {"area": area.name, "what": _describe(left), "hint": ""}
            )
    now = timezone.now()
    for closing in area.descendants(include_self=True).filter(closed_at__isnull=True):
        before = closing.audit_snapshot()
        closing.closed_at, closing.closed_reason = now, reason
        closing.version += 1
        closing.save(update_fields=["closed_at", "closed_reason", "version", "updated"])
        record_change(ChangeAction.UPDATE, closing, before=before, actor=by)
        if closing.pk == area.pk:
            area = closing
    return area
