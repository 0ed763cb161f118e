"""The staff-accounts import: a corpus of bad files (``import_files/``, made by its
``make_corpus.py``), all or nothing, the re-run, the sheet of one-time passwords downloaded
once, and who may import."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.choices import Role
from fangkong.accounts.imports import parse_date
from fangkong.accounts.models import Assignment, User
from fangkong.accounts.password_sheet import SHEET_KEY
from fangkong.areas.models import Area
from fangkong.areas.tests.factories import AreaFactory
from fangkong.core.choices import AccessKind
from fangkong.core.imports.uploads import UPLOAD_LIFETIME, purge_stale_uploads, upload_exists
from fangkong.core.models import AccessEvent, Job

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "import_files"
GOOD_FIVE = ["zhaomin", "qianjin", "sunli", "lina", "zhoujie"]


def corpus(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.xlsx", (CORPUS / f"{name}.xlsx").read_bytes())


def preview(client: Client, file: SimpleUploadedFile) -> Job:
    response = client.post(reverse("accounts:import_start"), {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    job: Job = page.context["job"]
    return job


def confirm(client: Client, job: Job) -> Job:
    response = client.post(reverse("accounts:import_confirm", args=[job.pk]), {"action": "import"})
    assert response.status_code == 302
    imported = Job.objects.get(pk=job.pk).params.get("confirmed")
    assert imported, "the preview was not confirmed"
    return Job.objects.get(pk=imported)


def errors_of(job: Job) -> list[dict[str, Any]]:
    return list((job.result or {}).get("errors") or [])


@pytest.fixture
def importer(client: Client, officer_a: User, grid_a1: Area, grid_a2: Area) -> User:
    client.force_login(officer_a)
    return officer_a


# --- The bad-input corpus -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "column", "code", "words"),
    [
        ("unknown_role", "角色", "unknown_role", "未知角色"),
        ("area_outside_scope", "辖区/网格", "area", "您的辖区内没有"),
        ("duplicate_username_in_file", "用户名", "duplicate_in_file", "重复"),
        ("duplicate_username_in_database", "用户名", "exists", "已有"),
        ("end_before_start", "结束日期", "end_before_start", "早于"),
        ("empty_name", "姓名", "required", "姓名"),
        ("role_not_grantable", "角色", "not_allowed", "不能授予"),
    ],
)
def test_each_bad_row_of_the_corpus_is_refused_with_its_reason_and_nothing_is_made(
    client: Client, importer: User, community_b: Area, name: str, column: str, code: str, words: str
) -> None:
    users_before = User.objects.count()

    job = preview(client, corpus(name))

    errors = errors_of(job)
    assert errors, job.result
    assert {e["column"] for e in errors} == {column}
    assert {e["code"] for e in errors} == {code}
    assert words in errors[0]["message"]
    assert job.result["rejected"] >= 1
    imported = confirm(client, job)
    assert imported.result["written"] is False
    assert imported.result["created"] == 0
    assert SHEET_KEY not in imported.result
    assert User.objects.count() == users_before  # the good row too: all or nothing


def test_an_ambiguous_area_name_is_refused_with_the_candidates(
    client: Client, administrator: User, community_a: Area, community_b: Area
) -> None:
    AreaFactory(parent=community_a, name="第一网格", code="a-first")
    AreaFactory(parent=community_b, name="第一网格", code="b-first")
    client.force_login(administrator)

    job = preview(client, corpus("ambiguous_area"))

    (error,) = errors_of(job)
    assert error["code"] == "area"
    assert "文化社区/第一网格" in error["message"]
    assert "长白社区/第一网格" in error["message"]


def test_a_grid_named_inside_its_community_is_found_when_its_name_alone_is_not_enough(
    client: Client, administrator: User, community_a: Area, community_b: Area
) -> None:
    AreaFactory(parent=community_a, name="第一网格", code="a-first")
    AreaFactory(parent=community_b, name="第一网格", code="b-first")
    client.force_login(administrator)
    book = openpyxl.Workbook()
    book.active.append(["姓名", "角色", "辖区/网格"])
    book.active.append(["王芳", "网格员", "长白社区/第一网格"])
    out = io.BytesIO()
    book.save(out)

    job = confirm(client, preview(client, SimpleUploadedFile("名单.xlsx", out.getvalue())))

    assert job.result["written"] is True
    assert User.objects.get(full_name="王芳").area.parent == community_b


def test_a_row_with_dates_makes_an_account_lent_for_that_time(
    client: Client, importer: User
) -> None:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "角色", "辖区/网格", "开始日期", "结束日期"])
    book.active.append(["褚明", "志愿者", "文化社区", "2020-02-01", "2020年3月15日"])
    out = io.BytesIO()
    book.save(out)

    job = confirm(client, preview(client, SimpleUploadedFile("名单.xlsx", out.getvalue())))

    assert job.result["written"] is True
    lent = User.objects.get(full_name="褚明")
    # The role is a dated assignment, not the account's own: it ended on 15 March.
    assert lent.role == ""
    (assignment,) = Assignment.objects.filter(user=lent)
    assert (assignment.role, str(assignment.starts_on), str(assignment.ends_on)) == (
        Role.VOLUNTEER,
        "2020-02-01",
        "2020-03-15",
    )


def test_dates_are_read_as_people_write_them() -> None:
    assert str(parse_date("2020/3/5")) == "2020-03-05"
    assert str(parse_date("2020年3月15日")) == "2020-03-15"
    assert str(parse_date("2020-03-15 00:00:00")) == "2020-03-15"
    with pytest.raises(ValueError, match="三月十五"):
        parse_date("三月十五")


def test_a_file_without_the_required_columns_is_refused_as_a_whole(
    client: Client, importer: User
) -> None:
    job = preview(client, SimpleUploadedFile("x.csv", "姓名,电话\n王芳,13800138000\n".encode()))

    assert job.result["code"] == "missing_columns"
    assert "角色" in job.result["error"]


# --- The good file, the sheet, the re-run ---------------------------------------------------


def test_five_accounts_are_made_and_their_passwords_printed_on_a_sheet_downloaded_once(
    client: Client, importer: User
) -> None:
    job = preview(client, corpus("good_five"))
    assert job.result["rejected"] == 0
    assert job.result["created"] == 5
    assert not User.objects.filter(username__in=GOOD_FIVE).exists()  # a preview writes none

    imported = confirm(client, job)

    assert imported.result["written"] is True
    made = User.objects.filter(username__in=GOOD_FIVE)
    assert made.count() == 5
    assert all(u.must_change_password for u in made)
    assert User.objects.get(username="zhaomin").area.name == "文化第一网格"
    assert User.objects.get(username="zhoujie").role == Role.HEALTH_OFFICER
    token = imported.result[SHEET_KEY]
    assert "password" not in str(imported.result).replace(SHEET_KEY, "")
    page = client.get(reverse("accounts:import_detail", args=[imported.pk])).content.decode()
    assert reverse("accounts:import_sheet", args=[imported.pk]) in page

    response = client.get(reverse("accounts:import_sheet", args=[imported.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    pdf = b"".join(response)
    text = _pdf_text(pdf)
    for username in GOOD_FIVE:
        assert username in text
    assert "一次性密码" in text
    assert not upload_exists(token)
    assert SHEET_KEY not in Job.objects.get(pk=imported.pk).result
    event = AccessEvent.objects.get(kind=AccessKind.EXPORT, actor=importer)
    assert event.detail["what"] == "account_passwords"
    assert client.get(reverse("accounts:import_sheet", args=[imported.pk])).status_code == 404


def test_a_sheet_not_downloaded_is_gone_after_24_hours(client: Client, importer: User) -> None:
    imported = confirm(client, preview(client, corpus("good_five")))

    purge_stale_uploads(timezone.now() + UPLOAD_LIFETIME + dt.timedelta(minutes=1))

    page = client.get(reverse("accounts:import_detail", args=[imported.pk])).content.decode()
    assert reverse("accounts:import_sheet", args=[imported.pk]) not in page
    assert client.get(reverse("accounts:import_sheet", args=[imported.pk])).status_code == 404


def test_the_sheet_is_the_importers_alone(
    client: Client, importer: User, administrator: User
) -> None:
    imported = confirm(client, preview(client, corpus("good_five")))
    client.force_login(administrator)

    assert client.get(reverse("accounts:import_sheet", args=[imported.pk])).status_code == 404
    assert client.get(reverse("accounts:import_detail", args=[imported.pk])).status_code == 404
    assert SHEET_KEY in Job.objects.get(pk=imported.pk).result


def test_importing_the_same_file_again_makes_no_account_twice(
    client: Client, importer: User
) -> None:
    confirm(client, preview(client, corpus("good_five")))

    again = preview(client, corpus("good_five"))

    assert again.result["rejected"] == 5
    assert {e["code"] for e in errors_of(again)} == {"exists"}
    assert confirm(client, again).result["written"] is False
    assert User.objects.filter(full_name__in=["赵敏", "钱进", "孙丽", "李娜", "周杰"]).count() == 5


def test_a_phone_goes_to_the_staff_record_protected_through_the_staff_service(
    client: Client, importer: User, community_a: Area
) -> None:
    from fangkong.staff.models import StaffMember
    from fangkong.staff.services.people import do_create_organisation

    do_create_organisation(community=community_a, by=importer, name="文化社区居委会")
    book = openpyxl.Workbook()
    book.active.append(["姓名", "手机号", "角色", "辖区/网格"])
    book.active.append(["赵敏", "13800138000", "网格员", "文化第一网格"])
    out = io.BytesIO()
    book.save(out)

    confirm(client, preview(client, SimpleUploadedFile("名单.xlsx", out.getvalue())))

    member = StaffMember.objects.get(user__username="zhaomin")
    assert member.phone_mask == "138****8000"
    assert "13800138000" not in member.phone_cipher


def test_an_administrator_is_refused_a_phone_it_may_not_keep(
    client: Client, administrator: User, community_a: Area
) -> None:
    client.force_login(administrator)
    book = openpyxl.Workbook()
    book.active.append(["姓名", "手机号", "角色", "辖区/网格"])
    book.active.append(["赵敏", "13800138000", "网格员", "文化社区"])
    out = io.BytesIO()
    book.save(out)

    job = preview(client, SimpleUploadedFile("名单.xlsx", out.getvalue()))

    assert job.result["rejected"] == 1
    assert "13800138000" not in str(job.result)


# --- Who may import -------------------------------------------------------------------------


def test_a_grid_worker_may_not_open_the_import(client: Client, grid_worker_a1: User) -> None:
    client.force_login(grid_worker_a1)

    assert client.get(reverse("accounts:import_start")).status_code == 403
    assert client.get(reverse("accounts:import_template")).status_code == 403


def test_the_template_has_the_columns_the_import_reads(client: Client, importer: User) -> None:
    response = client.get(reverse("accounts:import_template"))

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    header = [c.value for c in book.worksheets[0][1]]
    assert header[:5] == ["姓名", "手机号", "用户名", "角色", "辖区/网格"]


def _pdf_text(pdf: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils' pdftotext is needed"
    result = subprocess.run(
        [pdftotext, "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode()
