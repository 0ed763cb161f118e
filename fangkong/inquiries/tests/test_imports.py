"""The FAQ's and the inquiries' imports from real .xlsx files: good rows written, each bad row
refused with its reason, a re-run that adds nothing twice, and the page flow."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from fangkong.core.models import ObjectChange
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.inquiries.choices import Category, Channel, InquiryStatus
from fangkong.inquiries.imports import run_faq_import, run_inquiry_import
from fangkong.inquiries.models import FaqEntry, Inquiry
from fangkong.registry.tests.factories import valid_id_number

pytestmark = pytest.mark.django_db

FAQ_HEADER = ["问题", "回答", "类别", "向居民公开"]
INQUIRY_HEADER = ["来电时间", "方式", "类别", "问题", "回答", "状态", "房号", "经办人"]


def workbook(header: list[str], rows: list[list[Any]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["热线登记表"])  # a title row above the header, as paper logs have
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            if cell.data_type == "f":
                cell.data_type = "s"  # text typed with a leading ', as a worker would
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "导入.xlsx"
    return out


# --- FAQ ------------------------------------------------------------------------------------


def test_good_faq_rows_become_entries_of_the_importers_community(
    officer_a: Any, community_a: Any
) -> None:
    rows = [
        ["怎么买菜？", "社区每天统一配送。", "物资", "是"],
        ["出入证丢了怎么办？", "到居委会补办。", "出入证与外出", ""],
    ]

    result = run_faq_import(workbook(FAQ_HEADER, rows), community_a, officer_a)

    assert (result.rows, result.created, result.rejected, result.written) == (2, 2, 0, True)
    food = FaqEntry.objects.get(area=community_a, question="怎么买菜？")
    assert (food.category, food.published) == (Category.SUPPLIES, True)
    card = FaqEntry.objects.get(question="出入证丢了怎么办？")
    assert (card.category, card.published) == (Category.PASSES, False)
    assert ObjectChange.objects.filter(
        content_type__model="faqentry", object_id=str(food.pk)
    ).exists()


def test_each_bad_faq_row_is_refused_with_its_reason_and_the_good_ones_kept(
    officer_a: Any, community_a: Any
) -> None:
    rows = [
        ["怎么买菜？", "社区每天统一配送。", "", ""],
        ["", "没有问题的回答", "", ""],
        ["张三的身份证号" + valid_id_number(), "请联系居委会", "", ""],
        ["电话多少？", "请打13800000001", "", ""],
        ["疫苗在哪打？", "社区卫生站", "宇宙", ""],
        ["几点消毒？", "上午九点", "", "也许"],
        ["怎么买菜？", "重复的一行", "", ""],
    ]

    result = run_faq_import(workbook(FAQ_HEADER, rows), community_a, officer_a)

    assert (result.created, result.rejected) == (1, 6)
    reasons = {e.row: (e.column, e.code) for e in result.errors}
    assert reasons == {
        4: ("问题", "required"),
        5: ("问题", "personal_data"),
        6: ("回答", "personal_data"),
        7: ("类别", "unknown_category"),
        8: ("向居民公开", "invalid"),
        9: ("问题", "duplicate_in_file"),
    }
    # The refused number is not repeated in the report.
    assert all(valid_id_number()[:6] not in e.value for e in result.errors)
    assert FaqEntry.objects.filter(area=community_a).count() == 1


def test_running_the_same_faq_file_again_adds_nothing(officer_a: Any, community_a: Any) -> None:
    rows = [["怎么买菜？", "社区每天统一配送。", "物资", "是"]]
    run_faq_import(workbook(FAQ_HEADER, rows), community_a, officer_a)

    again = run_faq_import(workbook(FAQ_HEADER, rows), community_a, officer_a)

    assert (again.created, again.unchanged, again.written) == (0, 1, False)
    assert FaqEntry.objects.filter(area=community_a).count() == 1


def test_the_street_imports_its_own_faq(street_official: Any, street: Any) -> None:
    rows = [["街道统一核酸时间？", "每周一、四上午。", "疫情信息", "是"]]

    result = run_faq_import(workbook(FAQ_HEADER, rows), street, street_official)

    assert result.created == 1
    assert FaqEntry.objects.get(question="街道统一核酸时间？").area == street


def test_a_file_without_the_question_column_is_refused_whole(
    officer_a: Any, community_a: Any
) -> None:
    with pytest.raises(SpreadsheetError) as refused:
        run_faq_import(workbook(["回答"], [["只有回答"]]), community_a, officer_a)
    assert refused.value.code == "missing_columns"


# --- Inquiries ------------------------------------------------------------------------------


def _room(home: Any) -> str:
    return f"{home.building.number}-{home.room}"


def test_a_hotline_log_becomes_inquiries_with_households_and_handlers(
    officer_a: Any, community_a: Any, home: Any, grid_worker_a1: Any
) -> None:
    rows = [
        ["2022-04-01 09:30", "电话", "物资", "药快吃完了怎么买？", "", "", _room(home), ""],
        [
            dt.datetime(2022, 4, 1, 10, 5),
            "上门",
            "出入证与外出",
            "出入证丢了怎么办？",
            "到居委会补办。",
            "已关闭",
            "",
            "grid_worker_a1",
        ],
    ]

    result = run_inquiry_import(workbook(INQUIRY_HEADER, rows), community_a, officer_a)

    assert (result.rows, result.created, result.rejected, result.written) == (2, 2, 0, True)
    medicine = Inquiry.objects.get(question="药快吃完了怎么买？")
    assert (medicine.household, medicine.status, medicine.channel) == (
        home,
        InquiryStatus.OPEN,
        Channel.PHONE,
    )
    assert medicine.received_at == dt.datetime(2022, 4, 1, 9, 30, tzinfo=community_a.zone)
    card = Inquiry.objects.get(question="出入证丢了怎么办？")
    assert (card.status, card.handler, card.answer) == (
        InquiryStatus.CLOSED,
        grid_worker_a1,
        "到居委会补办。",
    )


def test_each_bad_inquiry_row_is_refused_with_its_reason(
    officer_a: Any, community_a: Any, officer_b: Any
) -> None:
    rows = [
        ["2022-04-01 09:30", "", "", "好的一行", "", "", "", ""],
        ["2022-04-01 09:31", "", "", "关了却没答", "", "已关闭", "", ""],
        ["昨天", "", "", "时间不对", "", "", "", ""],
        ["2022-04-01 09:32", "飞鸽", "", "方式不对", "", "", "", ""],
        ["2022-04-01 09:33", "", "", "房号不对", "", "", "99-9999", ""],
        ["2022-04-01 09:34", "", "", "没这个人", "", "", "", "nobody"],
        ["2022-04-01 09:35", "", "", "别的社区的人", "", "", "", "officer_b"],
        ["2999-01-01 09:00", "", "", "将来的", "", "", "", ""],
        ["2022-04-01 09:30", "", "", "好的一行", "", "", "", ""],
    ]

    result = run_inquiry_import(workbook(INQUIRY_HEADER, rows), community_a, officer_a)

    assert (result.created, result.rejected) == (1, 8)
    reasons = {e.row: (e.column, e.code) for e in result.errors}
    assert reasons == {
        4: ("回答", "closed_without_answer"),
        5: ("来电时间", "invalid"),
        6: ("方式", "unknown_channel"),
        7: ("房号", "room"),
        8: ("经办人", "handler"),
        9: ("经办人", "handler"),
        10: ("来电时间", "invalid"),
        11: ("问题", "duplicate_in_file"),
    }
    closed = next(e for e in result.errors if e.row == 4)
    assert closed.message == "咨询有了答复才能办结。"
    assert Inquiry.objects.filter(community=community_a).count() == 1


def test_running_the_same_log_again_adds_no_inquiry(officer_a: Any, community_a: Any) -> None:
    rows = [["2022-04-01 09:30", "电话", "物资", "药快吃完了怎么买？", "", "", "", ""]]
    run_inquiry_import(workbook(INQUIRY_HEADER, rows), community_a, officer_a)

    again = run_inquiry_import(workbook(INQUIRY_HEADER, rows), community_a, officer_a)

    assert (again.created, again.unchanged) == (0, 1)
    assert Inquiry.objects.filter(community=community_a).count() == 1


def test_a_grid_worker_may_not_import_inquiries(
    client: Any, grid_worker_a1: Any, community_a: Any
) -> None:
    client.force_login(grid_worker_a1)
    assert client.get(reverse("inquiries:inquiry_import_start")).status_code == 403


# --- Pages ----------------------------------------------------------------------------------


def test_the_officer_checks_confirms_and_exports_an_faq_whose_formula_is_neutralised(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    client.force_login(officer_a)
    rows = [["=cmd|' /C calc'!A0", "这是一段文字。", "其他", "否"], ["", "缺问题", "", ""]]

    preview = client.post(
        reverse("inquiries:faq_import_start"), {"file": workbook(FAQ_HEADER, rows)}
    )
    assert preview.status_code == 302
    page = client.get(preview["Location"])
    assert page.status_code == 200
    assert page.context["result"]["rejected"] == 1
    assert "导入有效行" in page.content.decode() or page.context["can_confirm"]
    assert not FaqEntry.objects.exists()
    done = client.post(
        preview["Location"].replace("/faq/imports/", "/faq/imports/").rstrip("/") + "/confirm/",
        {"action": "import"},
    )
    assert done.status_code == 302
    entry = FaqEntry.objects.get(area=community_a)
    assert entry.question == "=cmd|' /C calc'!A0"  # kept as the text it was

    export = client.get(reverse("inquiries:faq_export"))
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    cells = [c for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r]
    assert "'=cmd|' /C calc'!A0" in cells
    assert "=cmd|' /C calc'!A0" not in cells


def test_the_list_pages_offer_the_imports_to_the_officer(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    client.force_login(officer_a)
    faq = client.get(reverse("inquiries:faq_list")).content.decode()
    queue = client.get(reverse("inquiries:queue")).content.decode()
    assert reverse("inquiries:faq_import_start") in faq
    assert reverse("inquiries:inquiry_import_start") in queue
