"""The assignments page of a user and ``/api/v1/assignments/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from fangkong.accounts.choices import Role
from fangkong.accounts.models import Assignment, User
from fangkong.accounts.tests.factories import UserFactory, lend
from fangkong.areas.models import Area
from fangkong.core.tests.pages import form_as_shown, zh

pytestmark = pytest.mark.django_db


def page(user: User) -> str:
    return reverse("accounts:user_assignments", args=[user.pk])


def test_the_page_lists_own_and_dated_assignments_with_their_state(
    client: Any, officer_a: User, community_a: Area, grid_a1: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a, full_name="张借调")
    today = community_a.local_today()
    lend(worker, Role.GRID_WORKER, grid_a1, ends_on=today + dt.timedelta(days=5))
    lend(worker, Role.GRID_WORKER, community_a, starts_on=today + dt.timedelta(days=2))
    lend(worker, Role.GRID_WORKER, community_a, ends_on=today - dt.timedelta(days=1))
    client.force_login(officer_a)
    response = client.get(page(worker))
    assert response.status_code == 200
    text = response.content.decode()
    for state in ("生效", "未开始", "已结束"):
        assert state in text
    assert zh("Add an assignment") in text


def test_an_officer_adds_an_assignment_through_the_page(
    client: Any, officer_a: User, community_a: Area, grid_a1: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    client.force_login(officer_a)
    shown = client.get(page(worker))
    data = form_as_shown(
        shown, role=Role.GRID_WORKER, area=grid_a1.pk, ends_on="2099-01-31", note="借调"
    )
    response = client.post(page(worker), data)
    assert response.status_code == 302
    assignment = Assignment.objects.get(user=worker)
    assert (assignment.role, assignment.area, assignment.ends_on) == (
        Role.GRID_WORKER,
        grid_a1,
        dt.date(2099, 1, 31),
    )


def test_the_page_refuses_an_end_before_the_start_in_chinese(
    client: Any, officer_a: User, community_a: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    client.force_login(officer_a)
    shown = client.get(page(worker))
    data = form_as_shown(
        shown,
        role=Role.GRID_WORKER,
        area=community_a.pk,
        starts_on="2099-02-10",
        ends_on="2099-02-01",
    )
    response = client.post(page(worker), data)
    assert response.status_code == 400
    assert zh("The end date cannot be before the start date.") in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_page_offers_only_roles_the_granter_may_give(
    client: Any, officer_a: User, community_a: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    client.force_login(officer_a)
    shown = client.get(page(worker))
    choices = {value for value, _label in shown.context["form"].fields["role"].choices}
    assert Role.COMMUNITY_OFFICER not in choices
    assert Role.GRID_WORKER in choices
    response = client.post(
        page(worker), form_as_shown(shown, role=Role.ADMINISTRATOR, area=community_a.pk)
    )
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_the_end_button_ends_an_assignment_now(
    client: Any, officer_a: User, community_a: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    assignment = lend(worker, Role.GRID_WORKER, community_a)
    client.force_login(officer_a)
    response = client.post(
        reverse("accounts:assignment_end", args=[assignment.pk]),
        {"version": assignment.version},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_at is not None


def test_another_communitys_officer_gets_not_found(
    client: Any, officer_b: User, community_a: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    assignment = lend(worker, Role.GRID_WORKER, community_a)
    client.force_login(officer_b)
    assert client.get(page(worker)).status_code == 404
    end = reverse("accounts:assignment_end", args=[assignment.pk])
    assert client.post(end).status_code == 404


# --- API -------------------------------------------------------------------------------------


def test_the_api_lists_only_the_callers_areas_assignments(
    client: Any, officer_a: User, officer_b: User, community_a: Area, community_b: Area
) -> None:
    mine = lend(UserFactory(role=Role.VOLUNTEER, area=community_a), Role.GRID_WORKER, community_a)
    lend(UserFactory(role=Role.VOLUNTEER, area=community_b), Role.GRID_WORKER, community_b)
    client.force_login(officer_a)
    body = client.get("/api/v1/assignments/").json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0]["state"] == "active"


def test_the_api_creates_and_ends_an_assignment(
    client: Any, officer_a: User, community_a: Area, grid_a1: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    client.force_login(officer_a)
    created = client.post(
        "/api/v1/assignments/",
        {"user": worker.pk, "role": Role.GRID_WORKER, "area": grid_a1.pk, "ends_on": "2099-03-15"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    ended = client.post(f"/api/v1/assignments/{pk}/end/", {}, content_type="application/json")
    assert ended.status_code == 200
    assert ended.json()["state"] == "ended"


def test_the_api_refuses_an_end_before_the_start_as_structured_json(
    client: Any, officer_a: User, community_a: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    client.force_login(officer_a)
    response = client.post(
        "/api/v1/assignments/",
        {
            "user": worker.pk,
            "role": Role.GRID_WORKER,
            "area": community_a.pk,
            "starts_on": "2099-03-15",
            "ends_on": "2099-03-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "ends_on" in response.json()["fields"]
    assert not Assignment.objects.exists()


def test_the_api_refuses_a_role_the_granter_may_not_give(
    client: Any, officer_a: User, community_a: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    client.force_login(officer_a)
    response = client.post(
        "/api/v1/assignments/",
        {"user": worker.pk, "role": Role.COMMUNITY_OFFICER, "area": community_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Assignment.objects.exists()
