"""Organisations, staff members, teams, the leading group and the responsibility matrix."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import ConflictError, PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.core.personal_data import decrypt, phone_index, phone_last4_index
from fangkong.staff import services
from fangkong.staff.choices import LeadingGroupRole, OrganisationKind
from fangkong.staff.models import StaffMember, TeamMembership
from fangkong.staff.tests.factories import OrganisationFactory, StaffMemberFactory, TeamFactory

pytestmark = pytest.mark.django_db


def last_change(obj: Any) -> ObjectChange:
    return ObjectChange.objects.filter(
        object_id=str(obj.pk), content_type__model=obj._meta.model_name
    ).latest("pk")


def test_an_officer_records_an_organisation_with_an_audit_row(
    officer_a: Any, community_a: Any
) -> None:
    org = services.do_create_organisation(
        community=community_a,
        by=officer_a,
        name="浑南区某局",
        kind=OrganisationKind.DISTRICT_BUREAU,
    )

    change = last_change(org)
    assert change.action == ChangeAction.CREATE
    assert change.after["kind"] == "district_bureau"
    with pytest.raises(ValidationError):  # one name per community
        services.do_create_organisation(community=community_a, by=officer_a, name="浑南区某局")


def test_a_staff_members_phone_is_protected_like_a_residents(
    officer_a: Any, community_a: Any
) -> None:
    org = OrganisationFactory(community=community_a)

    member = services.do_create_staff_member(
        community=community_a, by=officer_a, organisation=org, name="赵敏", phone="138 1234 5678"
    )

    assert member.phone_mask == "138****5678"
    assert decrypt(member.phone_cipher) == "13812345678"
    assert member.phone_index == phone_index("13812345678")
    assert member.phone_last4_index == phone_last4_index("5678")
    change = last_change(member)
    assert change.after["phone_mask"] == "138****5678"
    assert "13812345678" not in str(change.after)


def test_a_bad_phone_is_refused_on_the_phone_field(officer_a: Any, community_a: Any) -> None:
    org = OrganisationFactory(community=community_a)

    with pytest.raises(ValidationError) as refused:
        services.do_create_staff_member(
            community=community_a, by=officer_a, organisation=org, name="赵敏", phone="12345"
        )

    assert "phone" in refused.value.message_dict


def test_a_blank_phone_keeps_the_number_on_update_and_the_version_is_checked(
    officer_a: Any, community_a: Any
) -> None:
    member = StaffMemberFactory(community=community_a, phone="13900001111")

    member = services.do_update_staff_member(
        member, by=officer_a, expected_version=1, position="科长"
    )

    assert member.phone_mask == "139****1111"
    assert member.position == "科长"
    with pytest.raises(ConflictError):
        services.do_update_staff_member(member, by=officer_a, expected_version=1, name="x")


def test_a_login_of_another_community_cannot_be_linked(
    officer_a: Any, community_a: Any, officer_b: Any, grid_worker_a1: Any
) -> None:
    org = OrganisationFactory(community=community_a)

    with pytest.raises(ValidationError) as refused:
        services.do_create_staff_member(
            community=community_a, by=officer_a, organisation=org, name="甲", user=officer_b
        )
    assert "user" in refused.value.message_dict

    services.do_create_staff_member(
        community=community_a, by=officer_a, organisation=org, name="乙", user=grid_worker_a1
    )
    with pytest.raises(ValidationError) as twice:
        services.do_create_staff_member(
            community=community_a, by=officer_a, organisation=org, name="丙", user=grid_worker_a1
        )
    assert "user" in twice.value.message_dict


def test_a_grid_worker_cannot_record_staff_and_an_outsider_gets_not_found(
    grid_worker_a1: Any, officer_b: Any, community_a: Any
) -> None:
    org = OrganisationFactory(community=community_a)

    with pytest.raises((PermissionDeniedError, Http404)):
        services.do_create_staff_member(
            community=community_a, by=grid_worker_a1, organisation=org, name="甲"
        )
    with pytest.raises(Http404):
        services.do_create_staff_member(
            community=community_a, by=officer_b, organisation=org, name="甲"
        )


def test_a_teams_leader_is_one_of_its_members(officer_a: Any, community_a: Any) -> None:
    leader = StaffMemberFactory(community=community_a)

    team = services.do_create_team(
        community=community_a, by=officer_a, name="宣传组", leader=leader
    )

    assert list(team.memberships.values_list("member", flat=True)) == [leader.pk]
    with pytest.raises(ValidationError):  # the leader stays while they lead
        services.do_remove_team_member(team.memberships.get(), by=officer_a)


def test_a_person_may_be_in_several_teams_but_once_in_each(
    officer_a: Any, community_a: Any
) -> None:
    person = StaffMemberFactory(community=community_a)
    one = TeamFactory(community=community_a, members=[person])
    two = TeamFactory(community=community_a, members=[person])

    assert set(TeamMembership.objects.filter(member=person).values_list("team", flat=True)) == {
        one.pk,
        two.pk,
    }
    with pytest.raises(ValidationError):
        services.do_add_team_member(one, member=person, by=officer_a)


def test_removing_a_member_writes_a_delete_row(officer_a: Any, community_a: Any) -> None:
    person = StaffMemberFactory(community=community_a)
    team = TeamFactory(community=community_a, members=[person])
    membership = team.memberships.get()
    pk = membership.pk

    services.do_remove_team_member(membership, by=officer_a)

    assert (
        ObjectChange.objects.get(
            object_id=str(pk), content_type__model="teammembership", action=ChangeAction.DELETE
        ).actor
        == officer_a
    )


def test_a_staff_member_of_another_community_cannot_join_a_team(
    officer_a: Any, community_a: Any, community_b: Any
) -> None:
    team = TeamFactory(community=community_a)
    stranger = StaffMemberFactory(community=community_b)

    with pytest.raises(ValidationError):
        services.do_add_team_member(team, member=stranger, by=officer_a)


def test_the_leading_group_has_one_head(officer_a: Any, community_a: Any) -> None:
    group = services.do_save_leading_group(community=community_a, by=officer_a, name="领导小组")
    head, other = (
        StaffMemberFactory(community=community_a),
        StaffMemberFactory(community=community_a),
    )

    seat = services.do_add_leading_group_member(
        group, member=head, by=officer_a, role=LeadingGroupRole.HEAD, duty="全面负责"
    )
    with pytest.raises(ValidationError) as refused:
        services.do_add_leading_group_member(
            group, member=other, by=officer_a, role=LeadingGroupRole.HEAD
        )

    assert "role" in refused.value.message_dict
    assert last_change(seat).after["duty"] == "全面负责"
    renamed = services.do_save_leading_group(community=community_a, by=officer_a, name="新名")
    assert renamed.pk == group.pk
    assert last_change(renamed).before["name"] == "领导小组"


def test_a_responsibility_needs_a_team_or_an_organisation(
    officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.do_create_responsibility(community=community_a, by=officer_a, duty="消杀")
    assert "team" in refused.value.message_dict

    org = OrganisationFactory(community=community_a)
    line = services.do_create_responsibility(
        community=community_a, by=officer_a, duty="消杀", organisation=org, area=grid_a1
    )
    assert line.area == grid_a1
    services.do_delete_responsibility(line, by=officer_a)
    assert last_change(line).action == ChangeAction.DELETE


def test_community_wide_staff_rows_reach_every_grid_worker_of_the_community(
    community_a: Any, grid_worker_a2: Any, officer_b: Any, volunteer_a: Any
) -> None:
    member = StaffMemberFactory(community=community_a)
    team = TeamFactory(community=community_a)

    assert member in StaffMember.objects.restrict(grid_worker_a2)
    assert team in type(team).objects.restrict(grid_worker_a2)
    assert member not in StaffMember.objects.restrict(officer_b)
    # A volunteer's role does not see the staff organisation at all
    assert not StaffMember.objects.restrict(volunteer_a).exists()


# --- Every remaining change writes its audit row --------------------------------------------


def test_each_update_writes_the_before_and_after_of_what_changed(
    officer_a: Any, community_a: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from fangkong.staff.tests.factories import CheckpointFactory, ShiftFactory

    org = OrganisationFactory(community=community_a, name="旧名")
    team = TeamFactory(community=community_a, name="旧组")
    group = services.do_save_leading_group(community=community_a, by=officer_a, name="小组")
    seat = services.do_add_leading_group_member(
        group, member=StaffMemberFactory(community=community_a), by=officer_a, duty="旧职责"
    )
    line = services.do_create_responsibility(
        community=community_a, by=officer_a, duty="旧", organisation=org
    )
    gate = CheckpointFactory(community=community_a, name="旧门")
    shift = ShiftFactory(community=community_a, checkpoint=gate, people_needed=1)

    changed = [
        (services.do_update_organisation(org, by=officer_a, name="新名"), "name", "新名"),
        (services.do_update_team(team, by=officer_a, name="新组"), "name", "新组"),
        (
            services.do_update_leading_group_member(seat, by=officer_a, duty="新职责"),
            "duty",
            "新职责",
        ),
        (services.do_update_responsibility(line, by=officer_a, duty="新"), "duty", "新"),
        (services.do_update_checkpoint(gate, by=officer_a, is_open=False), "is_open", False),
        (services.do_update_shift(shift, by=officer_a, people_needed=3), "people_needed", 3),
    ]

    for obj, field, value in changed:
        change = last_change(obj)
        assert change.action == ChangeAction.UPDATE, obj
        assert change.after[field] == value, obj
        assert change.before[field] != value, obj
        assert change.actor == officer_a
    services.do_remove_leading_group_member(seat, by=officer_a)
    assert last_change(seat).action == ChangeAction.DELETE
    later = timezone.now() + dt.timedelta(days=5)
    with pytest.raises(ValidationError):  # an end before the start, as on creation
        services.do_update_shift(
            shift, by=officer_a, start=later, end=later - dt.timedelta(hours=1)
        )


def test_moving_a_shift_onto_its_persons_other_duty_is_refused(
    officer_a: Any, community_a: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from fangkong.staff.tests.factories import ShiftFactory, assign

    person = StaffMemberFactory(community=community_a)
    start = timezone.now() + dt.timedelta(days=1)
    morning = ShiftFactory(
        community=community_a, place_name="办公室", start=start, end=start + dt.timedelta(hours=4)
    )
    evening = ShiftFactory(
        community=community_a,
        place_name="东门",
        start=start + dt.timedelta(hours=8),
        end=start + dt.timedelta(hours=12),
    )
    assign(morning, person)
    assign(evening, person)

    with pytest.raises(ValidationError) as refused:
        services.do_update_shift(evening, by=officer_a, start=start + dt.timedelta(hours=2))

    assert "办公室" in refused.value.message_dict["member"][0]


def test_a_person_withdraws_their_swap_request_with_an_audit_row(
    community_a: Any, checkpoint_a: Any, volunteer_a: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from fangkong.staff.choices import SwapStatus
    from fangkong.staff.tests.factories import ShiftFactory, assign

    me = StaffMemberFactory(community=community_a, user=checkpoint_a)
    other = StaffMemberFactory(community=community_a, user=volunteer_a)
    start = timezone.now() + dt.timedelta(days=2)
    shift = ShiftFactory(
        community=community_a, place_name="东门", start=start, end=start + dt.timedelta(hours=4)
    )
    assign(shift, me)
    swap = services.do_request_swap(shift=shift, from_member=me, to_member=other, by=checkpoint_a)

    with pytest.raises((PermissionDeniedError, Http404)):  # not the colleague asked
        services.do_withdraw_swap(swap, by=volunteer_a)
    swap = services.do_withdraw_swap(swap, by=checkpoint_a)

    assert swap.status == SwapStatus.CANCELLED
    assert last_change(swap).after["status"] == "cancelled"
