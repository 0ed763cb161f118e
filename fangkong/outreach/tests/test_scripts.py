"""Notification scripts: fields, versions, proposal and recommendation across a street."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fangkong.accounts.choices import Role
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.tests.factories import AreaFactory
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.outreach import services
from fangkong.outreach.choices import ScriptStatus
from fangkong.outreach.models import NotificationScript
from fangkong.outreach.tests.factories import notification_script
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_a_template_renders_each_field_from_the_household(community_a: Any, grid_a1: Any) -> None:
    building = BuildingFactory(community=community_a, grid=grid_a1, number="3")
    household = HouseholdFactory(building=building, room="502")
    head = PersonFactory(household=household, name="王秀英")
    household.head = head
    household.save(update_fields=["head"])
    community_a.contact_phone = "024-88886666"
    community_a.save(update_fields=["contact_phone"])
    values = services.household_values(household, community_a.local_today())

    text = services.render_template("{姓名}家，{楼栋}{房号}室，请拨{电话}。{{不是字段}}", values)

    assert text == f"王家，{building}502室，请拨024-88886666。{{不是字段}}"


def test_a_field_without_a_value_stays_for_the_caller_to_say() -> None:
    assert services.render_template("您好，{姓名}家", {"姓名": ""}) == "您好，{姓名}家"


def test_a_template_with_an_unknown_field_is_refused_with_the_reason(community_a: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.do_create_script(area=community_a, by=None, title="通知", text="您好{身份证号}")
    message = str(refused.value.message_dict["text"])
    assert "{身份证号}" in message
    assert "{姓名}" in message  # the known fields are named
    assert not NotificationScript.objects.exists()


def test_an_unclosed_brace_is_refused(community_a: Any) -> None:
    with pytest.raises(ValidationError):
        services.check_template("您好{姓名")


def test_editing_makes_a_new_version_and_keeps_the_old(community_a: Any, officer_a: Any) -> None:
    script = notification_script(community_a, text="第一版{日期}")
    first = script.current

    revised = services.do_revise_script(
        script, by=officer_a, text="第二版{日期}", note="改了", expected_version=script.version
    )

    assert revised.current_version.number == 2
    assert revised.current_version.text == "第二版{日期}"
    assert [v.number for v in revised.versions.order_by("number")] == [1, 2]
    first.refresh_from_db()
    assert first.text == "第一版{日期}"
    assert ObjectChange.objects.filter(object_id=str(script.pk), action="update").exists()


def test_a_stale_edit_is_a_conflict(community_a: Any, officer_a: Any) -> None:
    from fangkong.core.exceptions import ConflictError

    script = notification_script(community_a)
    services.do_revise_script(script, by=officer_a, text="新{日期}")
    with pytest.raises(ConflictError):
        services.do_revise_script(
            script, by=officer_a, text="旧{日期}", expected_version=script.version
        )


def test_a_recommended_script_reaches_every_community_of_the_street_and_no_other(
    street: Any,
    district: Any,
    community_a: Any,
    community_b: Any,
    officer_a: Any,
    officer_b: Any,
    street_official: Any,
) -> None:
    other_street = AreaFactory(parent=district, name="北站街道")
    elsewhere = AreaFactory(parent=other_street, name="北站社区")
    officer_elsewhere = UserFactory(role=Role.COMMUNITY_OFFICER, area=elsewhere)
    script = notification_script(community_a, title="安心电话")
    assert not NotificationScript.objects.restrict(officer_b).filter(pk=script.pk).exists()

    services.do_propose_script(script, by=officer_a)
    recommended = services.do_recommend_script(script, by=street_official)

    assert recommended.status == ScriptStatus.RECOMMENDED
    assert recommended.reach == street
    assert recommended.area == community_a  # its origin, shown wherever it is used
    for user in (officer_a, officer_b, street_official):
        assert NotificationScript.objects.restrict(user).filter(pk=script.pk).exists()
    assert list(services.scripts_for(community_b)) == [recommended]
    assert not NotificationScript.objects.restrict(officer_elsewhere).filter(pk=script.pk).exists()
    assert list(services.scripts_for(elsewhere)) == []


def test_only_a_street_officer_recommends(community_a: Any, officer_a: Any) -> None:
    script = notification_script(community_a)
    services.do_propose_script(script, by=officer_a)
    with pytest.raises(PermissionDeniedError) as refused:
        services.do_recommend_script(script, by=officer_a)
    assert "street" in str(refused.value.reason) or refused.value.reason


def test_another_community_cannot_propose_a_script_it_does_not_see(
    community_a: Any, officer_b: Any
) -> None:
    script = notification_script(community_a)
    with pytest.raises(Http404):
        services.do_propose_script(script, by=officer_b)


def test_a_street_official_writes_a_script_for_the_whole_street(
    street: Any, community_b: Any, officer_b: Any, street_official: Any
) -> None:
    script = services.do_create_script(
        area=street, by=street_official, title="街道统一通知", text="{社区}居民您好"
    )
    assert NotificationScript.objects.restrict(officer_b).filter(pk=script.pk).exists()


def test_a_recommended_script_is_not_changed_by_a_community(
    community_a: Any, community_b: Any, officer_b: Any
) -> None:
    script = notification_script(community_a)
    services.do_propose_script(script, by=None)
    services.do_recommend_script(script, by=None)
    with pytest.raises((Http404, PermissionDeniedError)):
        services.do_revise_script(script, by=officer_b, text="改{日期}")
