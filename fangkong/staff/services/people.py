"""Organisations, staff members, teams, the leading group and the responsibility matrix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.models import AuditedModel
from fangkong.core.personal_data import protect_phone
from fangkong.core.services import check_version, locked, save_checked
from fangkong.core.validators import validate_phone
from fangkong.staff.choices import LeadingGroupRole, OrganisationKind
from fangkong.staff.models import (
    LeadingGroup,
    LeadingGroupMember,
    Organisation,
    Responsibility,
    StaffMember,
    Team,
    TeamMembership,
)
from fangkong.staff.services.checks import (
    clean_constraints,
    in_community,
    require_community,
    require_in_area,
    require_visible,
)

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def _same_community(obj: Any, community_id: int, field: str, message: str) -> None:
    if obj is not None and obj.community_id != community_id:
        raise ValidationError({field: message})


def _apply(obj: Any, data: dict[str, Any], fields: tuple[str, ...]) -> None:
    for key, value in data.items():
        if key in fields:
            setattr(obj, key, "" if value is None and isinstance(getattr(obj, key), str) else value)


def _create[M: AuditedModel](obj: M, by: User | None, exclude: list[str] | None = None) -> M:
    clean_constraints(obj, exclude=exclude)
    save_checked(obj)
    record_change(ChangeAction.CREATE, obj, actor=by)
    return obj


def _update[M: AuditedModel](
    obj: M, before: dict[str, Any], by: User | None, exclude: list[str] | None = None
) -> M:
    clean_constraints(obj, exclude=exclude)
    obj.version += 1
    save_checked(obj)
    record_change(ChangeAction.UPDATE, obj, before=before, actor=by)
    return obj


def _delete(obj: Any, by: User) -> None:
    before = obj.audit_snapshot()
    record_change(ChangeAction.DELETE, obj, before=before, actor=by)
    obj.delete()


# --- Organisations --------------------------------------------------------------------------

ORGANISATION_FIELDS = ("kind", "name", "notes", "is_active")


@transaction.atomic
def do_create_organisation(
    *,
    community: Area,
    by: User | None,
    kind: str = OrganisationKind.OTHER,
    name: str,
    notes: str = "",
) -> Organisation:
    require_community(community)
    require_in_area(by, Organisation, "add", community)
    org = Organisation(community=community, kind=kind, name=(name or "").strip(), notes=notes)
    return _create(org, by, exclude=["community"])


@transaction.atomic
def do_update_organisation(
    org: Organisation, *, by: User, expected_version: int | None = None, **data: Any
) -> Organisation:
    org = locked(Organisation, org.pk)
    require_visible(by, org, "change")
    check_version(org, expected_version)
    before = org.audit_snapshot()
    _apply(org, data, ORGANISATION_FIELDS)
    org.name = org.name.strip()
    return _update(org, before, by, exclude=["community"])


# --- Staff members --------------------------------------------------------------------------

MEMBER_FIELDS = ("organisation", "name", "position", "area", "user", "is_active", "notes")


def _validate_member(member: StaffMember) -> None:
    community = member.community
    member.name = (member.name or "").strip()
    if not member.name:
        raise ValidationError({"name": _("Enter the person's name.")})
    _same_community(
        member.organisation,
        community.pk,
        "organisation",
        _("Choose an organisation of this community."),
    )
    if not in_community(member.area, community):
        raise ValidationError({"area": _("Choose the community or one of its grids.")})
    if (user := member.user) is not None:
        if user.area_id is None or not in_community(user.area, community):
            raise ValidationError(
                {"user": _("This login belongs to another area; link a login of this community.")}
            )
        taken = StaffMember.objects.filter(user_id=user.pk).exclude(pk=member.pk)
        if taken.exists():
            raise ValidationError(
                {"user": _("This login is already linked to another staff member.")}
            )


def _set_phone(member: StaffMember, phone: str | None) -> None:
    if phone is None:
        return
    try:
        member.set_phone(protect_phone(validate_phone(phone) if phone else ""))
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None


@transaction.atomic
def do_create_staff_member(
    *,
    community: Area,
    by: User | None,
    organisation: Organisation,
    name: str,
    phone: str = "",
    position: str = "",
    area: Area | None = None,
    user: User | None = None,
    notes: str = "",
    is_active: bool = True,
) -> StaffMember:
    """Record a person at work; their phone is protected like a resident's."""
    require_community(community)
    area = area or community
    require_in_area(by, StaffMember, "add", area)
    member = StaffMember(
        community=community,
        organisation=organisation,
        name=name,
        position=position or "",
        area=area,
        user=user,
        notes=notes or "",
        is_active=is_active,
    )
    _set_phone(member, phone)
    _validate_member(member)
    return _create(member, by, exclude=["community", "organisation", "area", "user"])


@transaction.atomic
def do_update_staff_member(
    member: StaffMember,
    *,
    by: User,
    expected_version: int | None = None,
    phone: str | None = None,
    **data: Any,
) -> StaffMember:
    """Change a staff member. ``phone`` None keeps the stored number; "" clears it."""
    member = locked(StaffMember, member.pk)
    require_visible(by, member, "change")
    check_version(member, expected_version)
    before = member.audit_snapshot()
    _apply(member, data, MEMBER_FIELDS)
    if member.area_id is None:
        member.area = member.community
    _set_phone(member, phone)
    _validate_member(member)
    return _update(member, before, by, exclude=["community", "organisation", "area", "user"])


# --- Teams ----------------------------------------------------------------------------------

TEAM_FIELDS = ("name", "purpose", "leader", "is_active")


def _validate_team(team: Team) -> None:
    team.name = (team.name or "").strip()
    if not team.name:
        raise ValidationError({"name": _("Give the team a name.")})
    _same_community(
        team.leader, team.community_id, "leader", _("Choose a leader among this community's staff.")
    )


def _ensure_member(team: Team, member: StaffMember | None, by: User | None) -> None:
    """A team's leader is one of its members (so the board and "my tasks" find them)."""
    if member is not None and not team.memberships.filter(member=member).exists():
        membership = TeamMembership.objects.create(
            community_id=team.community_id,
            team=team,
            member=member,
        )
        record_change(ChangeAction.CREATE, membership, actor=by)


@transaction.atomic
def do_create_team(
    *,
    community: Area,
    by: User | None,
    name: str,
    purpose: str = "",
    leader: StaffMember | None = None,
) -> Team:
    require_community(community)
    require_in_area(by, Team, "add", community)
    team = Team(community=community, name=name, purpose=purpose or "", leader=leader)
    _validate_team(team)
    _create(team, by, exclude=["community", "leader"])
    _ensure_member(team, leader, by)
    return team


@transaction.atomic
def do_update_team(
    team: Team, *, by: User, expected_version: int | None = None, **data: Any
) -> Team:
    team = locked(Team, team.pk)
    require_visible(by, team, "change")
    check_version(team, expected_version)
    before = team.audit_snapshot()
    _apply(team, data, TEAM_FIELDS)
    _validate_team(team)
    _update(team, before, by, exclude=["community", "leader"])
    _ensure_member(team, team.leader, by)
    return team


@transaction.atomic
def do_add_team_member(
    team: Team, *, member: StaffMember, by: User | None, duty: str = ""
) -> TeamMembership:
    require_visible(by, team, "change")
    _same_community(
        member, team.community_id, "member", _("Choose a staff member of this community.")
    )
    if team.memberships.filter(member=member).exists():
        raise ValidationError({"member": _("This person is already in the team.")})
    membership = TeamMembership(
        community_id=team.community_id, team=team, member=member, duty=(duty or "").strip()
    )
    return _create(membership, by, exclude=["community", "team", "member"])


@transaction.atomic
def do_remove_team_member(membership: TeamMembership, *, by: User) -> None:
    membership = locked(TeamMembership, membership.pk)
    require_visible(by, membership.team, "change")
    team = membership.team
    if team.leader_id == membership.member_id:
        raise ValidationError(
            {"member": _("This person leads the team; choose another leader first.")}
        )
    _delete(membership, by)


# --- The leading group ----------------------------------------------------------------------


@transaction.atomic
def do_save_leading_group(
    *, community: Area, by: User | None, name: str, notes: str = ""
) -> LeadingGroup:
    """Create the community's leading group, or rename it."""
    require_community(community)
    group: LeadingGroup | None = (
        LeadingGroup.objects.select_for_update().filter(community=community).first()
    )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the leading group a name.")})
    if group is None:
        require_in_area(by, LeadingGroup, "add", community)
        return _create(
            LeadingGroup(community=community, name=name, notes=notes or ""),
            by,
            exclude=["community"],
        )
    require_visible(by, group, "change")
    before = group.audit_snapshot()
    group.name, group.notes = name, notes or ""
    return _update(group, before, by, exclude=["community"])


SEAT_FIELDS = ("role", "duty", "sort_order")


def _validate_seat(seat: LeadingGroupMember) -> None:
    _same_community(
        seat.member, seat.community_id, "member", _("Choose a staff member of this community.")
    )
    if seat.role == LeadingGroupRole.HEAD:
        heads = LeadingGroupMember.objects.filter(group=seat.group, role=LeadingGroupRole.HEAD)
        if heads.exclude(pk=seat.pk).exists():
            raise ValidationError({"role": _("The leading group already has a head.")})


@transaction.atomic
def do_add_leading_group_member(
    group: LeadingGroup,
    *,
    member: StaffMember,
    by: User | None,
    role: str = LeadingGroupRole.MEMBER,
    duty: str = "",
    sort_order: int = 0,
) -> LeadingGroupMember:
    require_visible(by, group, "change")
    if group.seats.filter(member=member).exists():
        raise ValidationError({"member": _("This person already has a seat in the leading group.")})
    seat = LeadingGroupMember(
        community_id=group.community_id,
        group=group,
        member=member,
        role=role,
        duty=(duty or "").strip(),
        sort_order=sort_order or 0,
    )
    _validate_seat(seat)
    return _create(seat, by, exclude=["community", "group", "member"])


@transaction.atomic
def do_update_leading_group_member(
    seat: LeadingGroupMember, *, by: User, expected_version: int | None = None, **data: Any
) -> LeadingGroupMember:
    seat = locked(LeadingGroupMember, seat.pk)
    require_visible(by, seat.group, "change")
    check_version(seat, expected_version)
    before = seat.audit_snapshot()
    _apply(seat, data, SEAT_FIELDS)
    _validate_seat(seat)
    return _update(seat, before, by, exclude=["community", "group", "member"])


@transaction.atomic
def do_remove_leading_group_member(seat: LeadingGroupMember, *, by: User) -> None:
    seat = locked(LeadingGroupMember, seat.pk)
    require_visible(by, seat.group, "change")
    _delete(seat, by)


# --- The responsibility matrix --------------------------------------------------------------

RESPONSIBILITY_FIELDS = ("duty", "team", "organisation", "area", "notes", "sort_order")


def _validate_responsibility(line: Responsibility) -> None:
    line.duty = (line.duty or "").strip()
    if not line.duty:
        raise ValidationError({"duty": _("Describe the duty.")})
    community = line.community
    _same_community(line.team, community.pk, "team", _("Choose a team of this community."))
    _same_community(
        line.organisation,
        community.pk,
        "organisation",
        _("Choose an organisation of this community."),
    )
    if line.team_id is None and line.organisation_id is None:
        raise ValidationError({"team": _("Say which team or organisation answers for this duty.")})
    if not in_community(line.area, community):
        raise ValidationError({"area": _("Choose the community or one of its grids.")})


@transaction.atomic
def do_create_responsibility(
    *,
    community: Area,
    by: User | None,
    duty: str,
    team: Team | None = None,
    organisation: Organisation | None = None,
    area: Area | None = None,
    notes: str = "",
    sort_order: int = 0,
) -> Responsibility:
    require_community(community)
    require_in_area(by, Responsibility, "add", community)
    line = Responsibility(
        community=community,
        duty=duty,
        team=team,
        organisation=organisation,
        area=area or community,
        notes=notes or "",
        sort_order=sort_order or 0,
    )
    _validate_responsibility(line)
    return _create(line, by, exclude=["community", "team", "organisation", "area"])


@transaction.atomic
def do_update_responsibility(
    line: Responsibility, *, by: User, expected_version: int | None = None, **data: Any
) -> Responsibility:
    line = locked(Responsibility, line.pk)
    require_visible(by, line, "change")
    check_version(line, expected_version)
    before = line.audit_snapshot()
    _apply(line, data, RESPONSIBILITY_FIELDS)
    if line.area_id is None:
        line.area = line.community
    _validate_responsibility(line)
    return _update(line, before, by, exclude=["community", "team", "organisation", "area"])


@transaction.atomic
def do_delete_responsibility(line: Responsibility, *, by: User) -> None:
    line = locked(Responsibility, line.pk)
    require_visible(by, line, "deactivate")
    _delete(line, by)
