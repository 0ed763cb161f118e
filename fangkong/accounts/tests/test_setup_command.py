"""``manage.py setup``: the area tree and the first administrator, from the committed
sample files (.json and .xlsx) and from answers typed at the prompts; a second run changes
nothing; a bad file changes nothing and says why, row by row."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area

pytestmark = pytest.mark.django_db

SAMPLES = Path(settings.BASE_DIR) / "docs" / "setup"
SAMPLE_ROWS = json.loads((SAMPLES / "tree.json").read_text(encoding="utf-8"))


def setup(*args: str, stdin: str | None = None, monkeypatch: Any = None) -> str:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("setup", *args, stdout=out)
    return out.getvalue()


def assert_sample_tree() -> User:
    assert Area.objects.count() == 9
    community = Area.objects.get(code="210102001001")
    assert community.level == AreaLevel.COMMUNITY
    assert community.parent.code == "210102001"
    assert community.time_zone == "Asia/Shanghai"
    assert community.path == f"{community.parent.path}{community.pk}/"
    assert Area.objects.filter(parent=community, level=AreaLevel.GRID).count() == 2
    admin = User.objects.get(username="admin")
    assert admin.role == Role.ADMINISTRATOR
    assert admin.area.code == "210102001"
    assert admin.must_change_password
    return admin


@pytest.mark.parametrize("name", ["tree.json", "tree.xlsx"])
def test_the_sample_file_sets_up_the_tree_and_the_administrator(name: str) -> None:
    output = setup("--from", str(SAMPLES / name), "--language", "en")

    admin = assert_sample_tree()
    assert "Created 9 areas" in output
    password = output.split("one-time password: ")[1].split()[0]
    assert admin.check_password(password)


def test_a_second_run_changes_nothing_and_says_so() -> None:
    setup("--from", str(SAMPLES / "tree.xlsx"))
    admin = User.objects.get(username="admin")
    password_hash = admin.password

    output = setup("--from", str(SAMPLES / "tree.json"), "--language", "zh-hans")

    assert "无需更改" in output
    assert Area.objects.count() == 9
    admin.refresh_from_db()
    assert admin.password == password_hash  # the first password is not reset


def test_the_prompts_follow_lang_and_build_the_same_tree(monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    answers = (
        "\n".join(
            [
                "沈阳市",
                "2101",
                "和平区",
                "210102",
                "南湖街道",
                "210102001",
                "文化社区",
                "210102001001",
                "Mars/Olympus",
                "",
                "2",  # a bad zone is asked again
                "长白社区",
                "210102001002",
                "Asia/Shanghai",
                "2",
                "",  # no more communities
                "admin",
                "南湖街道管理员",
                "",
                "y",
            ]
        )
        + "\n"
    )

    output = setup(stdin=answers, monkeypatch=monkeypatch)

    assert "市的名称" in output or "名称" in output
    assert "时区" in output
    assert Area.objects.count() == 9
    admin = User.objects.get(username="admin")
    assert admin.area.code == "210102001"
    assert admin.must_change_password
    # The same answers again: nothing to do.
    again = setup(stdin=answers.replace("Mars/Olympus\n", ""), monkeypatch=monkeypatch)
    assert "无需更改" in again
    assert Area.objects.count() == 9


def _xlsx(tmp_path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["级别", "代码", "名称", "上级代码", "时区"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "tree.xlsx"
    book.save(path)
    return path


GOOD = [
    ["市", "2101", "沈阳市", "", ""],
    ["区", "210102", "和平区", "2101", ""],
    ["街道", "210102001", "南湖街道", "210102", ""],
    ["社区", "210102001001", "文化社区", "210102001", "Asia/Shanghai"],
    ["网格", "210102001001-G01", "第一网格", "210102001001", ""],
    ["管理员", "admin", "南湖街道管理员", "210102001", ""],
]


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (["网格", "G9", "第九网格", "NOPE", ""], "上级代码"),
        (["网格", "210102001", "重复", "210102001001", ""], "已用于第 4 行"),
        (["小区", "X1", "某小区", "210102001", ""], "级别"),
        (["社区", "210102001003", "新社区", "210102001", "Mars/Olympus"], "时区"),
        (["管理员", "admin2", "第二位", "210102001", ""], "管理员"),
        (["网格", "G9", "第九网格", "210102001", ""], "上级代码"),
    ],
    ids=[
        "missing parent",
        "duplicate code",
        "unknown level",
        "bad time zone",
        "two administrators",
        "a grid under a street",
    ],
)
def test_a_bad_file_changes_nothing_and_names_the_row(
    tmp_path: Path, bad_row: list[str], message: str
) -> None:
    # Row 1 is the header, the good rows 2-7: the bad one is row 8.
    path = _xlsx(tmp_path, [*GOOD, bad_row])

    with pytest.raises(CommandError) as refused:
        setup("--from", str(path), "--language", "zh-hans")

    text = str(refused.value)
    assert "未做任何更改" in text
    assert "第 8 行" in text
    assert message in text
    assert Area.objects.count() == 0
    assert not User.objects.exists()


def test_an_area_already_set_up_differently_is_refused(tmp_path: Path) -> None:
    setup("--from", str(SAMPLES / "tree.json"))
    rows = [list(r) for r in GOOD]
    rows[3] = ["社区", "210102001001", "改名社区", "210102001", ""]

    with pytest.raises(CommandError) as refused:
        setup("--from", str(_xlsx(tmp_path, rows)), "--language", "en")

    assert "already set up" in str(refused.value)
    assert Area.objects.get(code="210102001001").name == "文化社区"


def test_a_username_taken_by_another_account_is_refused(tmp_path: Path) -> None:
    from fangkong.accounts.tests.factories import UserFactory

    UserFactory(username="admin", role=Role.GRID_WORKER)
    count = Area.objects.count()

    with pytest.raises(CommandError) as refused:
        setup("--from", str(_xlsx(tmp_path, GOOD)), "--language", "en")

    assert "already taken" in str(refused.value)
    assert Area.objects.count() == count


@pytest.mark.parametrize(
    "content", ["{not json", '{"areas": 3}', "[]"], ids=["broken", "areas not a list", "a list"]
)
def test_a_json_file_of_the_wrong_shape_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "tree.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        setup("--from", str(path), "--language", "zh-hans")

    assert "未做任何更改" in str(refused.value)
    assert not Area.objects.exists()


def test_the_prompts_speak_english_under_an_english_lang(monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    answers = "沈阳市\n2101\n和平区\n210102\n南湖街道\n210102001\n\nadmin\n管理员\n\nn\n"

    output = setup(stdin=answers, monkeypatch=monkeypatch)

    assert "Name of a community" in output
    assert "Nothing was changed." in output  # answered "n"
    assert not Area.objects.exists()
