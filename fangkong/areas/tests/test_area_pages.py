"""The administrator's area pages (add, rename and settings, move, close, buildings into
grids) and the areas API's writes: each action, and each refusal shown with its reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fangkong.access.tests.factories import household_with_pass
from fangkong.areas.models import Area
from fangkong.areas.tests.factories import CommunityFactory
from fangkong.core.tests.pages import form_as_shown
from fangkong.registry.models import Building
from fangkong.registry.tests.factories import BuildingFactory
from fangkong.staff.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_the_administrator_adds_a_grid_from_the_communitys_page(
    client: Any, administrator: Any, community_a: Area
) -> None:
    client.force_login(administrator)
    page = client.get(reverse("areas:detail", args=[community_a.pk]))
    assert reverse("areas:add", args=[community_a.pk]) in page.text

    form = client.get(reverse("areas:add", args=[community_a.pk]))
    response = client.post(
        reverse("areas:add", args=[community_a.pk]),
        form_as_shown(form, name="第三网格", code="A3"),
    )

    grid = Area.objects.get(code="A3")
    assert response.status_code == 302
    assert response["Location"] == grid.get_absolute_url()
    assert grid.parent_id == community_a.pk


def test_a_duplicate_code_is_shown_on_the_form(
    client: Any, administrator: Any, community_a: Area, grid_a1: Area
) -> None:
    client.force_login(administrator)
    form = client.get(reverse("areas:add", args=[community_a.pk]))

    response = client.post(
        reverse("areas:add", args=[community_a.pk]),
        form_as_shown(form, name="重复", code=grid_a1.code),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_a_communitys_settings_are_edited_on_its_page(
    client: Any, administrator: Any, community_a: Area
) -> None:
    client.force_login(administrator)
    url = reverse("areas:edit", args=[community_a.pk])
    form = client.get(url)

    response = client.post(
        url, form_as_shown(form, fever_threshold="37.5", contact_phone="024-23456789")
    )

    assert response.status_code == 302
    community_a.refresh_from_db()
    assert str(community_a.fever_threshold) == "37.5"
    assert community_a.contact_phone == "024-23456789"


def test_a_grids_edit_page_has_no_community_settings(
    client: Any, administrator: Any, grid_a1: Area
) -> None:
    client.force_login(administrator)

    form = client.get(reverse("areas:edit", args=[grid_a1.pk])).context["form"]

    assert "fever_threshold" not in form.fields


def test_an_area_of_another_street_is_not_found(client: Any, administrator: Any) -> None:
    elsewhere = CommunityFactory()
    client.force_login(administrator)

    for name in ("areas:detail", "areas:edit", "areas:move", "areas:close"):
        assert client.get(reverse(name, args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("registry:assign_grids", args=[elsewhere.pk])).status_code == 404


def test_a_community_officer_is_refused_the_area_pages(
    client: Any, officer_a: Any, grid_a1: Area, community_a: Area
) -> None:
    client.force_login(officer_a)

    assert client.get(reverse("areas:edit", args=[grid_a1.pk])).status_code == 403
    assert client.get(reverse("areas:close", args=[grid_a1.pk])).status_code == 403
    assert client.get(reverse("areas:add", args=[community_a.pk])).status_code == 403
    assert client.get(reverse("registry:assign_grids", args=[community_a.pk])).status_code == 403


def test_moving_a_grid_with_open_tasks_is_refused_on_the_form(
    client: Any, administrator: Any, community_a: Area, grid_a2: Area, community_b: Area
) -> None:
    TaskFactory(community=community_a, area=grid_a2)
    client.force_login(administrator)
    url = reverse("areas:move", args=[grid_a2.pk])
    form = client.get(url)

    response = client.post(url, form_as_shown(form, parent=community_b.pk))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    grid_a2.refresh_from_db()
    assert grid_a2.parent_id == community_a.pk


def test_closing_a_grid_with_people_shows_the_counts_and_moves_them_on_request(
    client: Any, administrator: Any, community_a: Area, grid_a1: Area, grid_a2: Area
) -> None:
    household, _card = household_with_pass(community_a, grid_a1, members=2)
    client.force_login(administrator)
    url = reverse("areas:close", args=[grid_a1.pk])
    form = client.get(url)
    assert form.context["contents"]

    refused = client.post(url, form_as_shown(form, reason="合并"))
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()

    done = client.post(url, form_as_shown(form, reason="合并", move_to=grid_a2.pk))
    assert done.status_code == 302
    grid_a1.refresh_from_db()
    assert grid_a1.closed_at is not None
    assert Building.objects.get(pk=household.building_id).grid_id == grid_a2.pk


def test_ticked_buildings_move_to_the_chosen_grid(
    client: Any, administrator: Any, community_a: Area, grid_a1: Area, grid_a2: Area
) -> None:
    first = BuildingFactory(community=community_a, grid=None)
    second = BuildingFactory(community=community_a, grid=grid_a1)
    client.force_login(administrator)
    url = reverse("registry:assign_grids", args=[community_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert str(first) in page.text

    response = client.post(url, {"buildings": [first.pk, second.pk], "grid": grid_a2.pk})

    assert response.status_code == 302
    assert set(
        Building.objects.filter(pk__in=[first.pk, second.pk]).values_list("grid", flat=True)
    ) == {grid_a2.pk}


# --- The API --------------------------------------------------------------------------------


def test_the_api_creates_renames_moves_and_closes_an_area(
    client: Any, administrator: Any, community_a: Area, community_b: Area
) -> None:
    client.force_login(administrator)
    created = client.post(
        "/api/v1/areas/",
        {"parent": community_a.pk, "name": "新网格", "code": "NEW1"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["level"] == "grid"

    renamed = client.patch(
        f"/api/v1/areas/{pk}/", {"name": "东区网格"}, content_type="application/json"
    )
    assert renamed.json()["name"] == "东区网格"

    moved = client.post(
        f"/api/v1/areas/{pk}/move/", {"parent": community_b.pk}, content_type="application/json"
    )
    assert moved.json()["parent"] == community_b.pk

    closed = client.post(
        f"/api/v1/areas/{pk}/close/", {"reason": "撤并"}, content_type="application/json"
    )
    assert closed.status_code == 200
    assert closed.json()["closed_at"]


def test_the_api_refuses_a_duplicate_code_and_closing_with_people_with_structured_errors(
    client: Any, administrator: Any, community_a: Area, grid_a1: Area
) -> None:
    household_with_pass(community_a, grid_a1)
    client.force_login(administrator)

    duplicate = client.post(
        "/api/v1/areas/",
        {"parent": community_a.pk, "name": "重复", "code": grid_a1.code},
        content_type="application/json",
    )
    closing = client.post(
        f"/api/v1/areas/{grid_a1.pk}/close/", {"reason": "撤并"}, content_type="application/json"
    )

    assert duplicate.status_code == 400
    assert "code" in duplicate.json()["fields"]
    assert closing.status_code == 400
    assert closing.json()["message"]


def test_the_api_answers_not_found_for_an_area_outside_the_scope(
    client: Any, administrator: Any
) -> None:
    elsewhere = CommunityFactory()
    client.force_login(administrator)

    response = client.patch(
        f"/api/v1/areas/{elsewhere.pk}/", {"name": "别处"}, content_type="application/json"
    )

    assert response.status_code == 404


def test_the_openapi_schema_documents_the_areas_writes(client: Any, administrator: Any) -> None:
    client.force_login(administrator)

    paths = client.get(reverse("api:schema")).json()["paths"]

    assert {"post"} <= set(paths["/api/v1/areas/"])
    assert {"put", "patch"} <= set(paths["/api/v1/areas/{id}/"])
    for route in ("/api/v1/areas/{id}/move/", "/api/v1/areas/{id}/close/"):
        assert {"200", "400", "404", "409"} <= set(paths[route]["post"]["responses"])


def test_the_tree_links_each_area_to_its_page_for_the_administrator(
    client: Any, administrator: Any, community_a: Area, grid_a1: Area
) -> None:
    client.force_login(administrator)

    page = client.get(reverse("areas:tree"))

    assert grid_a1.get_absolute_url() in page.text
