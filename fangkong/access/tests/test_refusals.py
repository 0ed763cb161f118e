"""A refusal on an access page says why: core's 403 page with the service's reason for a
button, the form shown again with the reason on top for a form; a role without a button's
right is refused before anything is read or changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fangkong.access import services
from fangkong.access.choices import PassStatus
from fangkong.access.models import Pass, PassPolicy
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.tests.pages import form_as_shown

pytestmark = pytest.mark.django_db

REASON = "本社区的出入证由街道统一管理。"


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise PermissionDeniedError("change", REASON)


def test_a_refused_button_is_a_403_page_with_the_services_reason(
    client: Any, officer_a: Any, home_a: Any, monkeypatch: Any
) -> None:
    _, item = home_a
    monkeypatch.setattr(services, "do_void_pass", _refuse)
    client.force_login(officer_a)

    response = client.post(reverse("access:pass_void", args=[item.pk]), {"reason": "遗失"})

    assert response.status_code == 403
    assert REASON in response.content.decode()
    assert Pass.objects.get(pk=item.pk).status == PassStatus.ACTIVE


def test_a_refused_policy_change_shows_the_form_again_with_the_reason_on_top(
    client: Any, officer_a: Any, community_a: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "do_update_policy", _refuse)
    client.force_login(officer_a)
    url = reverse("access:policy")

    response = client.post(url, form_as_shown(client.get(url), outings=5))

    assert response.status_code == 403
    form = response.context["form"]
    assert form.non_field_errors() == [REASON]
    assert form["outings"].value() == "5"
    assert not PassPolicy.objects.filter(community=community_a, outings=5).exists()


def test_a_role_without_the_right_is_refused_before_its_reason_is_read(
    client: Any, checkpoint_a: Any, home_a: Any
) -> None:
    _, item = home_a
    client.force_login(checkpoint_a)

    response = client.post(reverse("access:pass_void", args=[item.pk]), {"reason": ""})

    assert response.status_code == 403
    assert "请填写原因。" not in response.content.decode()
    assert Pass.objects.get(pk=item.pk).status == PassStatus.ACTIVE


def test_a_button_without_its_reason_goes_back_with_the_old_words(
    client: Any, officer_a: Any, home_a: Any
) -> None:
    _, item = home_a
    client.force_login(officer_a)

    response = client.post(reverse("access:pass_void", args=[item.pk]), {"reason": ""}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["请填写原因。"]
    assert Pass.objects.get(pk=item.pk).status == PassStatus.ACTIVE
