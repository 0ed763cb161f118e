"""Error pages in the site's frame and language: a refusal with its reason and the user's
menu, a failed CSRF check explained in Chinese, a 500 that needs no database."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.core.exceptions import PermissionDeniedError


@pytest.mark.django_db
def test_a_refusal_shows_its_reason_inside_the_sites_frame_with_the_users_menu(
    client: Client, officer_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionDeniedError("view", "巡查只能由本辖区的人员记录。")

    monkeypatch.setattr("fangkong.registry.views.PersonListView.get_queryset", refuse)
    client.force_login(officer_a)

    response = client.get(reverse("registry:person_list"))

    page = response.content.decode()
    assert response.status_code == 403
    assert "巡查只能由本辖区的人员记录。" in page
    assert 'class="mainnav' in page  # base.html's header with the user's menu
    assert "Forbidden" not in page


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_gets_a_chinese_page_not_djangos() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})

    page = response.content.decode()
    assert response.status_code == 403
    assert "表单已过期" in page
    assert "CSRF" not in page
    assert "Forbidden" not in page


@pytest.mark.django_db
def test_a_failed_csrf_check_under_the_api_answers_json() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/v1/nope/", {}, HTTP_COOKIE="")

    assert response["Content-Type"].startswith("application/json")
