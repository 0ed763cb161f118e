"""Every change to outreach rows: announcements, broadcast scripts, their audio and rounds,
notification scripts (versions, proposal, recommendation), health guidance, and the start of a
notification run (a screening campaign of kind "notification": its call list, dialling route
and retry rules are screening's).

Each ``do_*`` is atomic, checks scope and right through ``core.querysets.require`` (``by=None``
is system work: the demo, jobs), checks the version it was given and writes the audit row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.jobs import enqueue_job
from fangkong.core.querysets import require
from fangkong.core.services import actor_or_none, check_version, locked, save_checked
from fangkong.outreach.choices import SCRIPT_FIELDS, AudioStatus, ScriptStatus
from fangkong.outreach.models import (
    Announcement,
    BroadcastAudio,
    BroadcastRound,
    BroadcastScript,
    Guidance,
    NotificationScript,
    NotificationScriptVersion,
)
from fangkong.registry.models import Building

if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.registry.models import Household
    from fangkong.screening.models import Campaign

AUDIO_JOB = "outreach.broadcast_audio"

#: ``{姓名}``: a field; ``{{`` and ``}}`` stand for a brace itself.
FIELD = re.compile(r"\{([^{}]*)\}")


def _clean(obj: Any, exclude: Sequence[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)


def _strip(data: dict[str, Any], *names: str) -> None:
    for name in names:
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()


def _require_community(area: Area) -> None:
    if area.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Choose a community."))


# --- Announcements --------------------------------------------------------------------------

ANNOUNCEMENT_FIELDS = (
    "title",
    "body",
    "quarantined_only",
    "on_poster",
    "on_household_page",
    "on_phone",
    "valid_from",
    "valid_until",
)


def _check_buildings(area: Area, buildings: Sequence[Building], field: str = "buildings") -> None:
    for building in buildings:
        places = [building.community]
        if building.grid is not None:
            places.append(building.grid)
        if not any(place.lies_in(area) for place in places):
            raise ValidationError(
                {
                    field: _("%(building)s is not in %(area)s: choose buildings of the area.")
                    % {"building": building, "area": area.name}
                }
            )


@transaction.atomic
def do_create_announcement(
    *, area: Area, by: User | None, buildings: Sequence[Building] = (), **data: Any
) -> Announcement:
    require(by, Announcement, "add", area)
    _strip(data, "title", "body")
    announcement = Announcement(
        area=area,
        created_by=actor_or_none(by),
        **{k: v for k, v in data.items() if k in ANNOUNCEMENT_FIELDS},
    )
    _check_buildings(area, buildings)
    _clean(announcement, exclude=["area", "created_by"])
    save_checked(announcement)
    announcement.buildings.set(buildings)
    record_change(ChangeAction.CREATE, announcement, actor=by)
    return announcement


@transaction.atomic
def do_update_announcement(
    announcement: Announcement,
    *,
    by: User | None,
    expected_version: int | None = None,
    buildings: Sequence[Building] | None = None,
    **data: Any,
) -> Announcement:
    announcement = locked(Announcement, announcement.pk, "area")
    require(by, Announcement, "change", announcement)
    check_version(announcement, expected_version)
    before = announcement.audit_snapshot()
    _strip(data, "title", "body")
    for key, value in data.items():
        if key in ANNOUNCEMENT_FIELDS:
            setattr(announcement, key, value)
    if buildings is not None:
        _check_buildings(announcement.area, buildings)
    _clean(announcement, exclude=["area", "created_by"])
    announcement.version += 1
    save_checked(announcement)
    if buildings is not None:
        announcement.buildings.set(buildings)
    record_change(ChangeAction.UPDATE, announcement, before=before, actor=by)
    return announcement


def announcements_for_household(household: Household, day: dt.date) -> list[Announcement]:
    """The announcements valid on ``day`` that reach ``household``: placed on its community,
    a street or district above it, or its grid; for its building when narrowed to buildings;
    for households under quarantine only when it is under one."""
    from fangkong.health.models import Quarantine  # health sits beside outreach

    building = household.building
    places = set(building.community.ancestor_ids())
    if building.grid_id is not None:
        places.add(building.grid_id)
    found = (
        Announcement.objects.filter(
            area_id__in=places,
            on_household_page=True,
            valid_from__lte=day,
            valid_until__gte=day,
        )
        .prefetch_related("buildings")
        .order_by("-valid_from", "-id")
    )
    quarantined: bool | None = None
    shown = []
    for announcement in found:
        narrowed = [b.pk for b in announcement.buildings.all()]
        if narrowed and building.pk not in narrowed:
            continue
        if announcement.quarantined_only:
            if quarantined is None:
                quarantined = Quarantine.objects.filter(
                    household_id=household.pk, ended_on__isnull=True
                ).exists()
            if not quarantined:
                continue
        shown.append(announcement)
    return shown


# --- Health guidance ------------------------------------------------------------------------

#: The standard advice (the ten phrases every community posted).
STANDARD_ADVICE = "勤洗手、戴口罩、常通风、勤锻炼、不扎堆、讲礼仪、稳心态、树信心、不信谣、不传谣"
STANDARD_TITLE = "防疫健康提示"

GUIDANCE_FIELDS = ("title", "body", "position", "on_household_page")


@transaction.atomic
def do_create_guidance(*, area: Area, by: User | None, **data: Any) -> Guidance:
    require(by, Guidance, "add", area)
    _strip(data, "title", "body")
    guidance = Guidance(area=area, **{k: v for k, v in data.items() if k in GUIDANCE_FIELDS})
    _clean(guidance, exclude=["area"])
    save_checked(guidance)
    record_change(ChangeAction.CREATE, guidance, actor=by)
    return guidance


@transaction.atomic
def do_update_guidance(
    guidance: Guidance, *, by: User | None, expected_version: int | None = None, **data: Any
) -> Guidance:
    guidance = locked(Guidance, guidance.pk, "area")
    require(by, Guidance, "change", guidance)
    check_version(guidance, expected_version)
    before = guidance.audit_snapshot()
    _strip(data, "title", "body")
    for key, value in data.items():
        if key in GUIDANCE_FIELDS:
            setattr(guidance, key, value)
    _clean(guidance, exclude=["area"])
    guidance.version += 1
    save_checked(guidance)
    record_change(ChangeAction.UPDATE, guidance, before=before, actor=by)
    return guidance


def standard_advice_lines() -> list[str]:
    return STANDARD_ADVICE.split("、")


def guidance_for_area(area: Area) -> list[Guidance]:
    """The guidance shown in ``area``: its own and that of the areas above it."""
    return list(
        Guidance.objects.filter(area_id__in=area.ancestor_ids(), on_household_page=True).order_by(
            "position", "id"
        )
    )


# --- Broadcast scripts, audio and rounds ----------------------------------------------------

BROADCAST_FIELDS = ("title", "text", "is_active")


@transaction.atomic
def do_create_broadcast_script(*, community: Area, by: User | None, **data: Any) -> BroadcastScript:
    _require_community(community)
    require(by, BroadcastScript, "add", community)
    _strip(data, "title", "text")
    script = BroadcastScript(
        community=community, **{k: v for k, v in data.items() if k in BROADCAST_FIELDS}
    )
    _clean(script, exclude=["community"])
    save_checked(script)
    record_change(ChangeAction.CREATE, script, actor=by)
    return script


@transaction.atomic
def do_update_broadcast_script(
    script: BroadcastScript, *, by: User | None, expected_version: int | None = None, **data: Any
) -> BroadcastScript:
    script = locked(BroadcastScript, script.pk, "community")
    require(by, BroadcastScript, "change", script)
    check_version(script, expected_version)
    before = script.audit_snapshot()
    _strip(data, "title", "text")
    for key, value in data.items():
        if key in BROADCAST_FIELDS:
            setattr(script, key, value)
    _clean(script, exclude=["community"])
    script.version += 1
    save_checked(script)
    record_change(ChangeAction.UPDATE, script, before=before, actor=by)
    return script


@transaction.atomic
def do_request_audio(
    script: BroadcastScript, *, by: User | None, expected_version: int | None = None
) -> Any:
    """Ask for the script's audio: a background job makes it (``outreach.jobs``). Refused
    with the reason where espeak-ng is not installed."""
    from fangkong.core import speech

    script = locked(BroadcastScript, script.pk, "community")
    require(by, BroadcastScript, "change", script)
    check_version(script, expected_version)
    if not speech.available():
        raise ValidationError(
            _("Audio cannot be made here: espeak-ng is not installed on the server.")
        )
    if len(script.text) > speech.MAX_CHARACTERS:
        raise ValidationError(
            _("The text is too long to speak (at most %(n)s characters).")
            % {"n": speech.MAX_CHARACTERS}
        )
    before = script.audit_snapshot()
    script.audio_status, script.audio_error = AudioStatus.PENDING, ""
    script.version += 1
    script.save(update_fields=["audio_status", "audio_error", "version", "updated"])
    record_change(ChangeAction.UPDATE, script, before=before, actor=by)
    return enqueue_job(
        AUDIO_JOB, user=by, area_path=script.community.path, params={"script": script.pk}
    )


def make_audio(script: BroadcastScript) -> int:
    """Speak the script's text now and keep the WAV; its size in bytes. A failure is kept
    on the script (its page says why)."""
    from fangkong.core import speech

    text = script.text
    try:
        wav = speech.synthesize(text)
    except (speech.SpeechUnavailable, ValueError, OSError) as exc:
        BroadcastScript.objects.filter(pk=script.pk).update(
            audio_status=AudioStatus.FAILED, audio_error=str(exc)[:300]
        )
        raise
    with transaction.atomic():
        BroadcastAudio.objects.update_or_create(script=script, defaults={"wav": wav})
        BroadcastScript.objects.filter(pk=script.pk).update(
            audio_status=AudioStatus.READY, audio_text=text, audio_error=""
        )
    return len(wav)


def _round_places(community: Area, buildings: Sequence[Building], grids: Sequence[Area]) -> None:
    for building in buildings:
        if building.community_id != community.pk:
            raise ValidationError(
                {
                    "buildings": _(
                        "%(building)s belongs to another community: a round covers the "
                        "buildings of one community."
                    )
                    % {"building": building}
                }
            )
    for grid in grids:
        if grid.level != AreaLevel.GRID or not grid.lies_in(community):
            raise ValidationError(
                {"grids": _("%(grid)s is not a grid of this community.") % {"grid": grid.name}}
            )
    if not buildings and not grids:
        raise ValidationError({"buildings": _("Choose the buildings or grids the round covered.")})


ROUND_FIELDS = ("at", "staff", "note")


@transaction.atomic
def do_record_round(
    *,
    community: Area,
    script: BroadcastScript,
    by: User | None,
    buildings: Sequence[Building] = (),
    grids: Sequence[Area] = (),
    **data: Any,
) -> BroadcastRound:
    """Record a loudspeaker round over buildings or grids of ONE community (a round over
    another community's buildings is refused with the reason)."""
    _require_community(community)
    require(by, BroadcastRound, "add", community)
    if script.community_id != community.pk:
        raise ValidationError({"script": _("Choose a broadcast script of this community.")})
    _strip(data, "staff", "note")
    round_ = BroadcastRound(
        community=community,
        script=script,
        created_by=actor_or_none(by),
        **{k: v for k, v in data.items() if k in ROUND_FIELDS},
    )
    if round_.at is None:
        round_.at = timezone.now()
    _round_places(community, buildings, grids)
    _clean(round_, exclude=["community", "script", "created_by"])
    save_checked(round_)
    round_.buildings.set(buildings)
    round_.grids.set(grids)
    record_change(ChangeAction.CREATE, round_, actor=by)
    return round_


def covered_building_ids(community: Area, day: dt.date) -> set[int]:
    """The buildings of ``community`` a round covered on its local ``day`` (named, or in a
    grid the round covered)."""
    start, end = day_bounds(community, day)
    rounds = BroadcastRound.objects.filter(community=community, at__gte=start, at__lt=end)
    named = set(
        BroadcastRound.buildings.through.objects.filter(broadcastround__in=rounds).values_list(
            "building_id", flat=True
        )
    )
    grid_ids = BroadcastRound.grids.through.objects.filter(broadcastround__in=rounds).values_list(
        "area_id", flat=True
    )
    in_grids = set(
        Building.objects.filter(community=community, grid_id__in=grid_ids).values_list(
            "pk", flat=True
        )
    )
    return named | in_grids


def day_bounds(area: Area, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=area.zone)
    return start, start + dt.timedelta(days=1)


# --- Notification scripts -------------------------------------------------------------------


def template_fields(text: str) -> list[str]:
    """The fields ``text`` uses, in order."""
    return FIELD.findall(text.replace("{{", "").replace("}}", ""))


def check_template(text: str) -> None:
    """Refuse a template whose fields are not all known, or whose braces do not pair."""
    if not text.strip():
        raise ValidationError({"text": _("Write what the caller says.")})
    bare = FIELD.sub("", text.replace("{{", "").replace("}}", ""))
    if "{" in bare or "}" in bare:
        raise ValidationError(
            {
                "text": _(
                    "A brace is not closed: write fields as {姓名}, a brace itself as {{ or }}."
                )
            }
        )
    unknown = [name for name in template_fields(text) if name not in SCRIPT_FIELDS]
    if unknown:
        raise ValidationError(
            {
                "text": _("Unknown field %(fields)s: the fields are %(known)s.")
                % {
                    "fields": "、".join(f"{{{name}}}" for name in dict.fromkeys(unknown)),
                    "known": "、".join(f"{{{name}}}" for name in SCRIPT_FIELDS),
                }
            }
        )


def render_template(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each field replaced by its value (a field without one stays visible
    as ``{姓名}`` for the caller to say in their own words)."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        return value if value else match.group(0)

    # Braces doubled for a literal brace are set aside first, then put back single.
    parts = text.split("{{")
    rendered = "{".join(
        "}".join(FIELD.sub(fill, piece) for piece in part.split("}}")) for part in parts
    )
    return rendered


def household_values(household: Household, day: dt.date) -> dict[str, str]:
    """The fields of a notification script for one household. ``{姓名}`` is the head's
    surname, as the call screen shows it (王** → 王): a caller greets 王家, 王先生, 王阿姨,
    and never needs the given name."""
    from fangkong.screening.masking import mask_name

    building = household.building
    community = building.community
    head = household.head
    return {
        "姓名": mask_name(head.name).rstrip("*") if head is not None else "",
        "楼栋": str(building),
        "房号": household.room,
        "社区": community.name,
        "日期": f"{day.month}月{day.day}日",
        "电话": community.contact_phone,
    }


def _version(
    script: NotificationScript, text: str, note: str, by: User | None
) -> NotificationScriptVersion:
    number = NotificationScriptVersion.objects.filter(script=script).order_by("-number").first()
    version = NotificationScriptVersion.objects.create(
        script=script,
        number=(number.number + 1) if number is not None else 1,
        text=text,
        note=(note or "").strip()[:200],
        created_by=actor_or_none(by),
    )
    return version


@transaction.atomic
def do_create_script(
    *, area: Area, by: User | None, title: str, text: str, note: str = ""
) -> NotificationScript:
    """A new notification script of a community (or of a street, which reaches every
    community below it at once)."""
    if area.level not in (AreaLevel.COMMUNITY, AreaLevel.STREET):
        raise ValidationError({"area": _("A script belongs to a community or a street.")})
    require(by, NotificationScript, "add", area)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the script a title.")})
    check_template(text)
    script = NotificationScript(
        area=area, reach=area, title=title[:100], created_by=actor_or_none(by)
    )
    _clean(script, exclude=["area", "reach", "current", "created_by", "recommended_by"])
    script.save()
    script.current = _version(script, text.strip(), note, by)
    script.save(update_fields=["current"])
    record_change(ChangeAction.CREATE, script, actor=by)
    return script


@transaction.atomic
def do_revise_script(
    script: NotificationScript,
    *,
    by: User | None,
    text: str,
    title: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> NotificationScript:
    """Editing a script makes a new version and moves ``current`` to it; the old versions
    stay (campaigns keep the one they used). A recommended script is the street's: only the
    street changes it."""
    script = locked(NotificationScript, script.pk, "reach")
    require(by, NotificationScript, "change", script)
    check_version(script, expected_version)
    check_template(text)
    before = script.audit_snapshot()
    if title is not None:
        title = title.strip()
        if not title:
            raise ValidationError({"title": _("Give the script a title.")})
        script.title = title[:100]
    if text.strip() != script.current_version.text or not script.current_id:
        script.current = _version(script, text.strip(), note, by)
    script.version += 1
    script.save(update_fields=["title", "current", "version", "updated"])
    record_change(ChangeAction.UPDATE, script, before=before, actor=by)
    return script


@transaction.atomic
def do_propose_script(
    script: NotificationScript, *, by: User | None, expected_version: int | None = None
) -> NotificationScript:
    """A community proposes its script to its street's officers."""
    script = locked(NotificationScript, script.pk, "reach", "area")
    require(
        by,
        NotificationScript,
        "propose",
        script,
        reason=_("Only the community office proposes its scripts to the street."),
    )
    check_version(script, expected_version)
    if script.area.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Only a community's script is proposed to the street."))
    if script.status != ScriptStatus.OWN:
        raise ValidationError(_("This script has been proposed already."))
    before = script.audit_snapshot()
    script.status, script.proposed_at = ScriptStatus.PROPOSED, timezone.now()
    script.version += 1
    script.save(update_fields=["status", "proposed_at", "version", "updated"])
    record_change(ChangeAction.UPDATE, script, before=before, actor=by)
    return script


def street_of(area: Area) -> Area | None:
    if area.level == AreaLevel.STREET:
        return area
    return Area.objects.filter(pk__in=area.ancestor_ids(), level=AreaLevel.STREET).first()


@transaction.atomic
def do_recommend_script(
    script: NotificationScript, *, by: User | None, expected_version: int | None = None
) -> NotificationScript:
    """A street officer recommends a script: from now on it is placed on the street, so
    every community of that street (and none beyond) finds it, its origin shown."""
    script = locked(NotificationScript, script.pk, "reach", "area")
    require(
        by,
        NotificationScript,
        "recommend",
        script,
        reason=_("Only a street officer recommends a script to the street's communities."),
    )
    check_version(script, expected_version)
    if script.status == ScriptStatus.RECOMMENDED:
        raise ValidationError(_("This script is recommended already."))
    street = street_of(script.area)
    if street is None:
        raise ValidationError(_("This script's area lies under no street."))
    if by is not None:
        require(
            by,
            NotificationScript,
            "recommend",
            street,
            reason=_("Only a street officer recommends a script to the street's communities."),
        )
    before = script.audit_snapshot()
    script.reach = street
    script.status = ScriptStatus.RECOMMENDED
    script.recommended_at, script.recommended_by = timezone.now(), actor_or_none(by)
    script.version += 1
    script.save(
        update_fields=[
            "reach",
            "status",
            "recommended_at",
            "recommended_by",
            "version",
            "updated",
        ]
    )
    record_change(ChangeAction.UPDATE, script, before=before, actor=by)
    return script


def scripts_for(area: Area) -> Any:
    """The scripts usable in ``area``: placed on it or on an area above it."""
    return NotificationScript.objects.filter(reach_id__in=area.ancestor_ids()).select_related(
        "area", "reach", "current"
    )


# --- Notification runs ----------------------------------------------------------------------


def do_start_notification_run(
    *,
    area: Area,
    version: NotificationScriptVersion,
    by: User | None,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    buildings: Sequence[Building] = (),
    grids: Sequence[Area] = (),
) -> Campaign:
    """A notification run is a screening campaign of kind "notification": the households
    (of the area, or the buildings or grids chosen) go on screening's call list with its
    dialling route and retry rules, and the callers read ``version`` instead of asking a
    questionnaire. Started at once."""
    from fangkong.screening.choices import CampaignKind
    from fangkong.screening.services import do_create_campaign, do_start_campaign

    if by is not None and area.level == AreaLevel.GRID:
        raise PermissionDeniedError("add", _("A notification run is started by the office."))
    with transaction.atomic():
        campaign = do_create_campaign(
            area=area,
            by=by,
            grids=grids,
            buildings=buildings,
            name=name,
            kind=CampaignKind.NOTIFICATION,
            script_version=version,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        do_start_campaign(campaign, by=by)
    return campaign
