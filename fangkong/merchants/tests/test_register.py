"""The personnel register: kept for the retention period, then purged; searched only by the
health role, with a reason, and every search recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.core.choices import AccessKind
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import AccessEvent
from fangkong.core.retention import purge_expired
from fangkong.merchants import services
from fangkong.merchants.models import RegisterEntry
from fangkong.merchants.tests.factories import MerchantFactory, sign_in

pytestmark = pytest.mark.django_db


def test_entries_are_kept_for_the_period_and_purged_after_it(
    community_a: Any, settings: Any
) -> None:
    settings.MERCHANT_REGISTER_DAYS = 28
    shop = MerchantFactory(area=community_a)
    now = timezone.now()
    inside = sign_in(shop, name="期内", at=now - dt.timedelta(days=27, hours=23))
    past = sign_in(shop, name="期外", at=now - dt.timedelta(days=27, hours=23))
    RegisterEntry.objects.filter(pk=past.pk).update(at=now - dt.timedelta(days=28, minutes=1))

    purge_expired(now)

    assert list(RegisterEntry.objects.values_list("pk", flat=True)) == [inside.pk]


def test_the_period_is_a_setting(community_a: Any, settings: Any) -> None:
    settings.MERCHANT_REGISTER_DAYS = 7
    shop = MerchantFactory(area=community_a)
    now = timezone.now()
    entry = sign_in(shop, at=now - dt.timedelta(days=6))
    RegisterEntry.objects.filter(pk=entry.pk).update(at=now - dt.timedelta(days=8))

    purge_expired(now)

    assert not RegisterEntry.objects.exists()


def _search(shop: Any, by: Any, reason: str = "确诊病例曾到店") -> list[RegisterEntry]:
    now = timezone.now()
    return services.search_register(
        shop,
        start=now - dt.timedelta(hours=2),
        end=now + dt.timedelta(minutes=1),
        reason=reason,
        by=by,
    )


def test_the_health_officer_finds_who_was_there_and_the_search_is_recorded(
    community_a: Any, health_a: Any
) -> None:
    shop = MerchantFactory(area=community_a)
    entry = sign_in(shop, name="赵六")
    sign_in(shop, name="前天", at=timezone.now() - dt.timedelta(days=2))

    found = _search(shop, health_a)

    assert found == [entry]
    event = AccessEvent.objects.get(kind=AccessKind.SEARCH)
    assert event.actor == health_a
    assert event.reason == "确诊病例曾到店"
    assert event.detail["found"] == 1
    assert "赵六" not in str(event.detail)


def test_a_search_without_a_reason_is_refused_and_not_recorded(
    community_a: Any, health_a: Any
) -> None:
    shop = MerchantFactory(area=community_a)
    with pytest.raises(ValidationError):
        _search(shop, health_a, reason="  ")
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("persona", ["officer_a", "grid_worker_a1", "street_official"])
def test_no_other_role_may_search_the_register(
    community_a: Any, persona: str, request: pytest.FixtureRequest
) -> None:
    shop = MerchantFactory(area=community_a)
    with pytest.raises(PermissionDeniedError):
        _search(shop, request.getfixturevalue(persona))
    assert not AccessEvent.objects.exists()


def test_the_search_page_refuses_the_officer_and_serves_the_health_officer(
    client: Any, community_a: Any, officer_a: Any, health_a: Any
) -> None:
    shop = MerchantFactory(area=community_a)
    sign_in(shop, name="钱七")
    url = "/merchants/register/search/"
    client.force_login(officer_a)
    assert client.get(url).status_code == 403

    client.force_login(health_a)
    now = timezone.localtime(timezone.now(), community_a.zone)
    response = client.post(
        url,
        {
            "merchant": shop.pk,
            "start": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
            "end": (now + dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M"),
            "reason": "流调",
        },
    )
    assert response.status_code == 200
    assert "钱七" in response.content.decode()
    assert AccessEvent.objects.filter(kind=AccessKind.SEARCH, actor=health_a).count() == 1
