"""Import of answers from paper registers (.xlsx and GB18030 .csv), and the register's export
and summary: masked by default, an access event, no formula cell."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fangkong.core.choices import AccessKind
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import AccessEvent
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import BuildingFactory
from fangkong.screening import exports, imports
from fangkong.screening.choices import AssignmentStatus, Outcome, RecordSource
from fangkong.screening.models import Alert, CallAssignment, ScreeningRecord
from fangkong.screening.services import do_record_call
from fangkong.screening.tests.factories import (
    assignment_of,
    good_answers,
    started_campaign,
    street_of_households,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "楼号",
    "单元",
    "房间号",
    "近14天是否离开过本市？",
    "返回日期",
    "是否接触过确诊或疑似病例？",
    "今日体温",
    "备注",
    "联系人微信",
]


@pytest.fixture
def setting(community_a: Any, grid_a1: Any, grid_worker_a1: Any, officer_a: Any) -> dict:
    building = BuildingFactory(
        grid=grid_a1, community=community_a, number="3", name="东园3号楼", units=1, floors=30
    )
    households = street_of_households(grid_a1, 4, building=building)
    campaign = started_campaign(community_a)
    return {"campaign": campaign, "households": households}


def _rows() -> list[list[Any]]:
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    return [
        ["3号楼", 1, "101", "否", "", "否", "36.6", "纸质登记", "x"],  # row 3: valid
        ["03", "1", "102室", "是", yesterday, "无", "38.1℃", "", ""],  # row 4: valid, fever
        ["9号楼", 1, "101", "否", "", "否", "36.5", "", ""],  # row 5: no building
        ["东园3号楼", 1, "103", "否", "", "否", "45", "", ""],  # row 6: temperature
        ["3", 1, "104", "是", tomorrow, "否", "36.5", "", ""],  # row 7: future date
        ["3", 1, "104", "否", "", "", "36.5", "", ""],  # row 8: missing
        ["3", 1, "101", "否", "", "否", "36.6", "", ""],  # row 9: duplicate
    ]


def _xlsx() -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["在水一方社区电话排查登记表"])  # a title row above the header, as registers have
    sheet.append(HEADER)
    for row in _rows():
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def _csv() -> io.BytesIO:
    lines = [",".join(HEADER)] + [",".join(str(v) for v in row) for row in _rows()]
    return io.BytesIO(("\r\n".join(lines) + "\r\n").encode("gb18030"))


@pytest.mark.parametrize(("make", "first_row"), [(_xlsx, 3), (_csv, 2)])
def test_the_check_explains_each_rejected_row_with_its_excel_row_number(
    setting: dict, officer_a: Any, make: Any, first_row: int
) -> None:
    report, plans = imports.check_file(setting["campaign"], make(), by=officer_a)
    assert (report.rows, report.rejected, len(plans)) == (7, 5, 2)
    errors = {(e.row - first_row + 3, e.column) for e in report.errors}
    assert errors == {
        (5, "楼号"),
        (6, "今日体温"),
        (7, "返回日期"),
        (8, "是否接触过确诊或疑似病例？"),
        (9, "房间号"),
    }
    assert {e.code for e in report.errors} == {
        "building_unknown",
        "answer_temperature",
        "answer_return_date",
        "answer_contact",
        "duplicate",
    }
    messages = " ".join(e.message for e in report.errors)
    assert "between 34.0 and 43.0" in messages
    assert "future" in messages
    assert "first is kept" in messages
    assert report.unknown_columns == ["联系人微信"]
    assert not ScreeningRecord.objects.exists()  # a check writes nothing


def test_importing_takes_the_valid_rows_and_again_creates_nothing(
    setting: dict, officer_a: Any
) -> None:
    campaign, households = setting["campaign"], setting["households"]
    report, plans = imports.check_file(campaign, _xlsx(), by=officer_a)
    imports.import_rows(campaign, plans, report, by=officer_a)
    assert (report.created, report.unchanged, report.alerts) == (2, 0, 1)
    record = ScreeningRecord.objects.get(household=households[1])
    assert record.source == RecordSource.IMPORT
    assert (
        record.answers["return_date"] == (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    )
    assert assignment_of(campaign, households[0]).status == AssignmentStatus.REACHED
    assert Alert.objects.get().household == households[1]

    again, plans = imports.check_file(campaign, _xlsx(), by=officer_a)
    imports.import_rows(campaign, plans, again, by=officer_a)
    assert (again.created, again.unchanged) == (0, 2)
    assert ScreeningRecord.objects.count() == 2


def test_a_household_reached_by_phone_is_not_overwritten_by_paper(
    setting: dict, officer_a: Any, grid_worker_a1: Any
) -> None:
    campaign, households = setting["campaign"], setting["households"]
    do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(notes="电话"),
    )
    report, plans = imports.check_file(campaign, _xlsx(), by=officer_a)
    imports.import_rows(campaign, plans, report, by=officer_a)
    assert report.unchanged == 1
    assert ScreeningRecord.objects.get(household=households[0]).answers["notes"] == "电话"


def test_a_hostile_or_wrong_file_is_refused_with_a_reason(setting: dict, officer_a: Any) -> None:
    from fangkong.core.spreadsheets import SpreadsheetError

    with pytest.raises(SpreadsheetError) as exc:
        imports.check_file(setting["campaign"], io.BytesIO(b"%PDF-1.4 not a sheet"), by=officer_a)
    assert exc.value.code == "not_spreadsheet"
    with pytest.raises(SpreadsheetError) as exc:
        imports.check_file(
            setting["campaign"], io.BytesIO("姓名,电话\n张三,1\n".encode()), by=officer_a
        )
    assert exc.value.code == "no_header"


def test_grid_workers_cannot_import(setting: dict, grid_worker_a1: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        imports.check_file(setting["campaign"], _xlsx(), by=grid_worker_a1)


def test_the_officer_checks_then_imports_in_the_pages(
    client: Any, setting: dict, officer_a: Any
) -> None:
    campaign = setting["campaign"]
    client.force_login(officer_a)
    url = reverse("screening:campaign_import", args=[campaign.pk])
    upload = SimpleUploadedFile("登记表.xlsx", _xlsx().getvalue())
    checked = client.post(url, {"file": upload})
    body = checked.content.decode()
    assert checked.status_code == 200
    assert "今日体温" in body  # the column of a rejected row, as the file names it
    token = checked.context["token"]
    assert not ScreeningRecord.objects.exists()

    done = client.post(url, {"token": token})
    assert done.status_code == 200
    assert done.context["report"].created == 2
    assert ScreeningRecord.objects.count() == 2
    # The token is spent: the stashed file is gone
    assert client.post(url, {"token": token}).status_code == 400


def test_the_template_lists_households_not_reached_and_the_questions(
    client: Any, setting: dict, officer_a: Any
) -> None:
    client.force_login(officer_a)
    response = client.get(
        reverse("screening:campaign_import_template", args=[setting["campaign"].pk])
    )
    sheet = _download(response).active  # written in the request: a community's campaign
    rows = list(sheet.values)
    assert rows[0][:3] == ("楼栋", "单元", "房号")
    assert "今日体温" in rows[0]
    assert len(rows) == 5


# --- Export ---------------------------------------------------------------------------------


def _download(response: Any) -> Any:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_register_export_is_masked_logged_and_free_of_formulas(
    client: Any, setting: dict, officer_a: Any, grid_worker_a1: Any
) -> None:
    campaign, households = setting["campaign"], setting["households"]
    do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(notes='=HYPERLINK("x")'),
    )
    client.force_login(officer_a)
    response = client.post(reverse("screening:campaign_export", args=[campaign.pk]), {})
    assert response.status_code == 200
    sheet = _download(response).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert "今日体温" in header
    assert len(rows) == 5
    people = Person.objects.filter(household__in=households)
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    for person in people:
        assert person.name not in text
        assert person.phone_mask in text
    notes = rows[1][header.index("备注")]
    assert notes == '\'=HYPERLINK("x")'
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    event = AccessEvent.objects.get(kind=AccessKind.EXPORT)
    assert event.detail["masked"] is True
    assert event.detail["rows"] == 4


def test_a_large_register_is_written_by_a_job_and_downloaded_once(
    client: Any,
    setting: dict,
    officer_a: Any,
    settings: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from fangkong.core import exports as core_exports
    from fangkong.core.models import Job

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(core_exports, "INLINE_ROWS", 2)
    campaign = setting["campaign"]
    client.force_login(officer_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("screening:campaign_export", args=[campaign.pk]), {})

    job = Job.objects.get(kind=core_exports.EXPORT_KIND)
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert (job.status, job.progress, job.total) == ("completed", 4, 4), job.log
    download = client.post(reverse("core:job_download", args=[job.pk]))
    rows = list(_download(download).active.iter_rows(values_only=True))
    assert len(rows) == 5
    assert "今日体温" in rows[0]
    assert AccessEvent.objects.get(kind=AccessKind.EXPORT).detail["rows"] == 4
    assert client.post(reverse("core:job_download", args=[job.pk])).status_code == 410


def test_full_numbers_need_a_reason_and_are_logged_with_it(
    client: Any, setting: dict, officer_a: Any
) -> None:
    campaign = setting["campaign"]
    client.force_login(officer_a)
    url = reverse("screening:campaign_export", args=[campaign.pk])
    assert client.post(url, {"unmasked": "on"}).status_code == 400
    response = client.post(url, {"unmasked": "on", "reason": "街道要求核对联系方式"})
    rows = list(_download(response).active.iter_rows(values_only=True))
    head = Person.objects.get(pk=setting["households"][0].members.first().pk)
    assert head.name in [row[5] for row in rows]
    event = AccessEvent.objects.get(kind=AccessKind.EXPORT)
    assert event.detail["masked"] is False
    assert event.reason == "街道要求核对联系方式"


def test_the_summary_for_the_street_office_counts_without_names(
    client: Any, setting: dict, officer_a: Any, grid_worker_a1: Any
) -> None:
    campaign, households = setting["campaign"], setting["households"]
    do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(contact="yes"),
    )
    client.force_login(officer_a)
    book = _download(client.get(reverse("screening:campaign_summary", args=[campaign.pk])))
    coverage, answers, alerts = book.worksheets
    total = list(coverage.iter_rows(values_only=True))[-1]
    assert total[1:4] == (4, 1, 3)
    tallies = {(q, a): n for q, a, n in list(answers.iter_rows(values_only=True))[1:]}
    assert tallies[("是否接触过确诊或疑似病例？", "是")] == 1
    assert list(alerts.iter_rows(values_only=True))[1][1:] == (1, 1)
    assert AccessEvent.objects.get(kind=AccessKind.EXPORT).detail["what"] == "screening_summary"


def test_exports_count_every_household(setting: dict, officer_a: Any) -> None:
    target = io.BytesIO()
    assert exports.export_register(setting["campaign"], target, by=officer_a) == (
        CallAssignment.objects.filter(campaign=setting["campaign"]).count()
    )


def test_an_answer_with_an_invisible_character_is_refused_with_its_column(
    setting: dict, officer_a: Any
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["3号楼", 1, "101", "否", "", "否", "36.6", "纸质\u202e登记", ""])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)

    report, plans = imports.check_file(setting["campaign"], data, by=officer_a)

    assert plans == []
    assert [(e.row, e.column, e.code) for e in report.errors] == [(2, "备注", "text_invalid")]


def test_an_import_that_cannot_go_on_shows_why_above_the_upload_form(
    client: Any, setting: dict, officer_a: Any
) -> None:
    client.force_login(officer_a)
    url = reverse("screening:campaign_import", args=[setting["campaign"].pk])
    checked = client.post(url, {"file": SimpleUploadedFile("登记表.xlsx", _xlsx().getvalue())})
    token = checked.context["token"]
    assert client.post(url, {"token": token}).status_code == 200

    for spent in (token, "not-a-token"):
        again = client.post(url, {"token": spent})

        assert again.status_code == 400
        reasons = [str(r) for r in again.context["refused"]]
        assert reasons
        body = again.content.decode()
        assert all(reason in body for reason in reasons)
        assert 'type="file"' in body  # the way on: upload the file again
