"""The superiors' forms on the pages and the API: upload (refusals on the form and as JSON,
nothing stored), the placeholders shown, deactivation, downloads from a report's page (.xlsx
from a template, a PDF read back with pdftotext), audited as exports and refused without the
right; and the street's deadline page."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from typing import Any

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent, ObjectChange
from fangkong.daily.models import ReportDeadline, ReportTemplate, deadline_of
from fangkong.daily.services import do_correct_report, do_upload_template
from fangkong.daily.tests.factories import DailyReportFactory, stored_day, workbook

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chinese(client: Any) -> None:
    client.cookies["django_language"] = "zh-hans"


def _upload(content: bytes, name: str = "区里的表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def test_the_officer_uploads_a_template_and_sees_its_placeholders(
    client: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)
    _chinese(client)
    content = workbook({"A1": "截至{{date:%m月%d日}}", "B2": "{{quarantine.home}}"})

    response = client.post(
        reverse("daily:template_upload"),
        {"name": "区里的表", "level": "community", "file": _upload(content)},
    )

    template = ReportTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == template.get_absolute_url()
    page = client.get(template.get_absolute_url()).content.decode()
    assert "quarantine.home" in page
    assert "居家隔离" in page  # what it is filled with, in words
    assert "日报日期，格式 %m月%d日" in page


def test_a_bad_upload_is_shown_on_the_form_in_chinese_and_nothing_is_stored(
    client: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)
    _chinese(client)

    response = client.post(
        reverse("daily:template_upload"),
        {"name": "区里的表", "level": "community", "file": _upload(workbook({"A1": "{{x.y}}"}))},
    )

    assert response.status_code == 400
    assert "{{x.y}} 不是本模板能填写的占位符" in response.content.decode()
    assert not ReportTemplate.objects.exists()


def test_a_grid_worker_cannot_open_the_upload_page(client: Any, grid_worker_a1: Any) -> None:
    client.force_login(grid_worker_a1)
    assert client.get(reverse("daily:template_upload")).status_code == 403


def test_the_officer_stops_a_template(client: Any, community_a: Any, officer_a: Any) -> None:
    template = do_upload_template(
        community_a, name="t", level="community", content=workbook({"A1": "{{date}}"}), by=None
    )
    client.force_login(officer_a)

    response = client.post(
        reverse("daily:template_deactivate", args=[template.pk]), {"version": template.version}
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert not template.is_active


def test_the_install_button_installs_the_shipped_template_once(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)
    client.post(reverse("daily:template_install"))
    client.post(reverse("daily:template_install"))
    assert ReportTemplate.objects.filter(area=community_a, is_active=True).count() == 1


def test_the_report_page_offers_each_template_and_the_download_is_audited(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    stored_day(community_a, community_a.local_today(), households=7)
    report = DailyReportFactory(area=community_a)
    template = do_upload_template(
        community_a,
        name="区里的表",
        level="community",
        content=workbook({"A1": "{{households.total}}"}),
        by=None,
    )
    client.force_login(officer_a)
    _chinese(client)

    page = client.get(report.get_absolute_url()).content.decode()
    url = reverse("daily:report_xlsx", args=[report.pk]) + f"?template={template.pk}"
    assert url.replace("&", "&amp;") in page or url in page
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == 7
    event = AccessEvent.objects.get(kind=AccessKind.EXPORT)
    assert event.detail["what"] == "daily.report_xlsx"
    assert event.detail["template"] == template.pk


def test_a_template_of_another_area_is_not_found_for_a_report(
    client: Any, community_a: Any, community_b: Any, officer_a: Any
) -> None:
    report = DailyReportFactory(area=community_a)
    other = do_upload_template(
        community_b, name="乙", level="community", content=workbook({"A1": "{{date}}"}), by=None
    )
    client.force_login(officer_a)
    url = reverse("daily:report_xlsx", args=[report.pk])
    assert client.get(url, {"template": other.pk}).status_code == 404
    assert client.get(url, {"template": "abc"}).status_code == 404
    assert not AccessEvent.objects.exists()


def test_a_role_without_the_export_right_is_refused_the_downloads(
    client: Any, community_a: Any, health_a: Any
) -> None:
    report = DailyReportFactory(area=community_a)
    client.force_login(health_a)
    assert client.get(reverse("daily:report_pdf", args=[report.pk])).status_code == 403
    assert not AccessEvent.objects.exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_pdf_has_the_figures_with_yesterday_the_notes_and_the_corrections(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    today = community_a.local_today()
    stored_day(community_a, today - dt.timedelta(days=1), households=9)
    stored_day(community_a, today, households=11)
    report = DailyReportFactory(area=community_a, key_events="完成第二轮排查", by=officer_a)
    corrected = do_correct_report(
        report, {"key_events": "完成第三轮排查"}, reason="漏报一栋楼", by=officer_a
    )
    client.force_login(officer_a)

    response = client.get(reverse("daily:report_pdf", args=[corrected.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert community_a.name in text
    assert "完成第三轮排查" in text
    assert "漏报一栋楼" in text
    assert "较昨日" in text
    assert "+2" in text  # 11 households against yesterday's 9
    assert "第 2 版" in text
    assert AccessEvent.objects.get(kind=AccessKind.EXPORT).detail["what"] == "daily.report_pdf"


def test_the_api_fills_a_template_and_refuses_a_bad_upload_as_json(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    stored_day(community_a, community_a.local_today(), households=4)
    report = DailyReportFactory(area=community_a)
    client.force_login(officer_a)

    bad = client.post(
        reverse("api:report-template-list"),
        {
            "area": community_a.pk,
            "name": "坏表",
            "level": "community",
            "file": _upload(b"not a workbook"),
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 400
    assert "xlsx" in bad.json()["message"] + str(bad.json()["fields"])
    assert not ReportTemplate.objects.exists()

    made = client.post(
        reverse("api:report-template-list"),
        {
            "area": community_a.pk,
            "name": "区里的表",
            "level": "community",
            "file": _upload(workbook({"C3": "{{households.total}}"})),
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["placeholders"] == [
        {"sheet": "表1", "cell": "C3", "token": "households.total"}
    ]
    filled = client.get(
        reverse("api:daily-report-xlsx", args=[report.pk]), {"template": made.json()["id"]}
    )
    assert filled.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(filled.content)).active["C3"].value == 4
    pdf = client.get(reverse("api:daily-report-pdf", args=[report.pk]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_the_street_official_sets_the_deadline_and_it_is_audited(
    client: Any, street: Any, street_official: Any
) -> None:
    client.force_login(street_official)
    _chinese(client)
    page = client.get(reverse("daily:deadline"))
    assert "18:00" in page.content.decode()

    response = client.post(reverse("daily:deadline"), {"due": "09:30"})

    assert response.status_code == 302
    assert deadline_of(street) == dt.time(9, 30)
    row = ReportDeadline.objects.get()
    changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(ReportDeadline), object_id=str(row.pk)
    )
    assert changes.count() == 1
    client.post(reverse("daily:deadline"), {"due": "10:00"})
    assert deadline_of(street) == dt.time(10, 0)
    assert changes.count() == 2
    assert changes.order_by("-id").first().before == {"area": street.pk, "due": "09:30:00"}


def test_a_community_officer_does_not_set_the_deadline(client: Any, officer_a: Any) -> None:
    client.force_login(officer_a)
    assert client.get(reverse("daily:deadline")).status_code == 403
    assert client.post(reverse("daily:deadline"), {"due": "00:00"}).status_code == 403
    assert not ReportDeadline.objects.exists()
