"""A refusal on a staff page says why: core's 403 page with the service's reason for a
button, the form shown again with the reason on top for a form."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.tests.pages import form_as_shown
from fangkong.staff import services
from fangkong.staff.choices import TaskStatus
from fangkong.staff.models import Task
from fangkong.staff.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

REASON = "这项任务已交给街道统一处理。"


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise PermissionDeniedError("change", REASON)


def test_a_refused_button_is_a_403_page_with_the_services_reason(
    client: Any, community_a: Any, officer_a: Any, monkeypatch: Any
) -> None:
    task = TaskFactory(community=community_a, assignee=officer_a)
    monkeypatch.setattr(services, "do_start_task", _refuse)
    client.force_login(officer_a)

    response = client.post(reverse("staff:task_start", args=[task.pk]))

    assert response.status_code == 403
    assert REASON in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_refused_edit_shows_the_form_again_with_the_reason_on_top(
    client: Any, community_a: Any, officer_a: Any, monkeypatch: Any
) -> None:
    task = TaskFactory(community=community_a, title="旧标题")
    monkeypatch.setattr(services, "do_update_task", _refuse)
    client.force_login(officer_a)
    url = reverse("staff:task_edit", args=[task.pk])

    response = client.post(url, form_as_shown(client.get(url), title="新标题"))

    assert response.status_code == 403
    form = response.context["form"]
    assert form.non_field_errors() == [REASON]
    assert form["title"].value() == "新标题"
    assert Task.objects.get(pk=task.pk).title == "旧标题"
