"""The officer's "today" page in Debian's Chromium on a phone-sized screen (360×740), through
Playwright, over the seeded demo.

The community officer (demo-community) sees today's quarantined households, who has not
reported and who has a fever, and is offered no status change. The health officer
(demo-health) extends the household's quarantine with a reason and its evidence, and the
household's pass follows: suspended until the midnight after the new end. Every page on the
way fits the screen (no sideways scrolling) and every tap target is at least 44 px.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from fangkong.access.models import Pass
from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.health.choices import QuarantineKind
from fangkong.health.clock import end_of_day
from fangkong.health.models import HealthReport, Quarantine, StatusChange
from fangkong.health.services import missing_reports

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def test_the_officer_works_through_today_and_the_pass_follows_an_extension(
    demo: None, phone: Any
) -> None:
    # Given the demo: a household of 东园1号楼 under home quarantine, its pass suspended
    quarantine = (
        Quarantine.objects.filter(kind=QuarantineKind.HOME, ended_on__isnull=True)
        .select_related("household", "community")
        .first()
    )
    household = quarantine.household
    silent = {m.person.pk for m in missing_reports(Quarantine.objects.filter(household=household))}
    feverish = set(
        HealthReport.objects.filter(day=timezone.localdate(), is_fever=True).values_list(
            "person_id", flat=True
        )
    )
    assert silent
    assert feverish

    # When the community officer opens today's page on a phone
    log_in(phone, "demo-community", settings.DEMO_PASSWORD)
    phone.goto(phone.base_url + "/health/")
    assert_fits_phone(phone)

    # Then the household, who has not reported and who has a fever are there
    assert phone.locator(f"#households [data-household='{household.pk}']").count() == 1
    for person in silent:
        assert phone.locator(f"#missing [data-person='{person}']").count() == 1
    for person in feverish:
        assert phone.locator(f"#fevers [data-person='{person}']").count() == 1
    # And the household's row says its pass is suspended
    assert phone.locator(f"#households [data-household='{household.pk}'] .badge-warn").count()
    # And nothing offers them to change a status
    phone.click(f"#households [data-household='{household.pk}'] a")
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    assert phone.locator(f"a[href$='/health/quarantines/{quarantine.pk}/end-date/']").count() == 0

    # When the health officer extends the quarantine by three days, with reason and evidence
    log_in(phone, "demo-health", settings.DEMO_PASSWORD)
    phone.goto(phone.base_url + "/health/")
    assert_fits_phone(phone)
    phone.click(f"#households [data-household='{household.pk}'] a")
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    current = Quarantine.objects.get(pk=phone.url.rstrip("/").split("/")[-1])
    later = current.planned_end + dt.timedelta(days=3)
    phone.click(f"a[href$='/health/quarantines/{current.pk}/end-date/']")
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    phone.fill("input[name=new_end]", later.isoformat())
    phone.select_option("select[name=reason]", "new_exposure")
    phone.select_option("select[name=evidence_kind]", "official_notice")
    phone.fill("input[name=evidence_ref]", "浑南疾控〔2020〕21号")
    phone.click("form.form button[type=submit]")
    phone.wait_for_load_state()
    assert_fits_phone(phone)

    # Then the household's planned end moved, with the change in its history
    assert phone.inner_text(".hl-planned-end").strip() == later.isoformat()
    assert set(
        Quarantine.objects.filter(household=household, ended_on__isnull=True).values_list(
            "planned_end", flat=True
        )
    ) == {later}
    change = StatusChange.objects.filter(quarantine=current).latest("pk")
    assert (change.action, change.reason, change.evidence_ref) == (
        "quarantine_extend",
        "new_exposure",
        "浑南疾控〔2020〕21号",
    )
    # And the pass follows: suspended until the midnight after the new end
    item = Pass.objects.get(household=household, status="suspended")
    assert item.suspended_until == end_of_day(later, quarantine.community)
    assert later.strftime("%Y-%m-%d") in phone.inner_text(".hl-pass-state") or (
        (later + dt.timedelta(days=1)).strftime("%Y-%m-%d") in phone.inner_text(".hl-pass-state")
    )


def test_every_health_page_fits_a_phone(demo: None, phone: Any) -> None:
    quarantine = Quarantine.objects.filter(ended_on__isnull=True).first()
    case = quarantine.contact.case if quarantine.contact_id else None
    log_in(phone, "demo-health", settings.DEMO_PASSWORD)
    pages = [
        "/health/",
        "/health/people/",
        f"/health/people/{quarantine.person_id}/",
        f"/health/people/{quarantine.person_id}/report/",
        "/health/cases/",
        "/health/contacts/",
        "/health/chains/",
        "/health/quarantines/",
        f"/health/quarantines/{quarantine.pk}/",
        "/health/reports/",
        "/health/disinfections/",
        "/health/disinfections/add/",
        "/health/picture/",
        "/health/buildings/",
        "/health/changes/",
        "/health/settings/",
        "/health/import/",
    ]
    if case is not None:
        pages += [
            f"/health/cases/{case.pk}/",
            f"/health/cases/{case.pk}/contacts/add/",
            f"/health/cases/{case.pk}/classify/",
        ]
    for path in pages:
        response = phone.goto(phone.base_url + path)
        assert response.status == 200, path
        assert_fits_phone(phone)
