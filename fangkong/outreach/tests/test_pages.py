"""Outreach pages as the office uses them: posters, the library, a run started from it."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from django.urls import reverse

from fangkong.outreach.models import Announcement, NotificationScript
from fangkong.outreach.tests.factories import announcement, guidance, notification_script
from fangkong.screening.models import Campaign

pytestmark = pytest.mark.django_db


def _pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8")


def test_an_announcement_prints_as_a_chinese_poster(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    notice = announcement(community_a, title="停水通知", body="明日上午九点至十二点停水。")
    client.force_login(officer_a)

    answer = client.get(reverse("outreach:announcement_poster", args=[notice.pk]))

    assert answer["Content-Type"] == "application/pdf"
    text = _pdf_text(answer.content)
    assert "停水通知" in text
    assert "明日上午九点至十二点停水" in text


def test_the_guidance_poster_prints_each_piece_of_advice(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    advice = guidance(community_a, title="防疫提示", body="勤洗手、戴口罩、常通风")
    client.force_login(officer_a)

    text = _pdf_text(client.get(reverse("outreach:guidance_poster", args=[advice.pk])).content)

    for line in ("防疫提示", "勤洗手", "戴口罩", "常通风"):
        assert line in text


def test_an_officer_posts_an_announcement_from_the_page(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)
    today = community_a.local_today().isoformat()
    answer = client.post(
        reverse("outreach:announcement_add"),
        {
            "title": "出入管理",
            "body": "只开北门",
            "valid_from": today,
            "valid_until": today,
            "on_poster": "on",
        },
    )
    assert answer.status_code == 302
    assert Announcement.objects.get().area == community_a


def test_a_script_with_an_unknown_field_is_shown_again_with_the_reason(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)
    answer = client.post(
        reverse("outreach:script_add"),
        {"title": "通知", "text": "您好{门牌}"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 400
    assert "{门牌}" in answer.content.decode()
    assert not NotificationScript.objects.exists()


def test_the_street_recommends_from_the_page_and_the_other_community_starts_a_run(
    client: Any,
    community_a: Any,
    community_b: Any,
    grid_b1: Any,
    officer_a: Any,
    officer_b: Any,
    street_official: Any,
) -> None:
    from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory

    HouseholdFactory(building=BuildingFactory(community=community_b, grid=grid_b1))
    script = notification_script(community_a, title="安心电话")
    client.force_login(officer_a)
    client.post(reverse("outreach:script_propose", args=[script.pk]), {"version": 1})
    client.force_login(street_official)
    script.refresh_from_db()
    answer = client.post(
        reverse("outreach:script_recommend", args=[script.pk]), {"version": script.version}
    )
    assert answer.status_code == 302

    client.force_login(officer_b)
    library = client.get(reverse("outreach:script_list")).content.decode()
    assert "安心电话" in library
    detail = client.get(reverse("outreach:script_detail", args=[script.pk])).content.decode()
    assert "data-origin" in detail
    assert community_a.name in detail
    today = community_b.local_today().isoformat()
    started = client.post(
        reverse("outreach:script_run", args=[script.pk]),
        {"name": "长白社区安心电话", "starts_on": today, "ends_on": today},
    )
    assert started.status_code == 302
    campaign = Campaign.objects.get(area=community_b)
    assert campaign.households_total == 1
    assert campaign.script_version_id == script.current_id
