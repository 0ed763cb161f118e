"""``manage.py import_residents``: the JSON it prints and its exit status."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fangkong.areas.models import Area
from fangkong.core.models import ObjectChange
from fangkong.registry.models import Building, Person
from fangkong.registry.tests.factories import BuildingFactory, valid_id_number

ID_NUMBER = valid_id_number(birth=dt.date(1970, 5, 5), sex="M", area="210102", seq=55)
HEADER = [
    "楼栋",
    "单元",
    "房号",
    "姓名",
    "性别",
    "身份证号",
    "手机号",
    "与户主关系",
    "居住类型",
    "标签",
]
GOOD = ["1", "1", "301", "刘建国", "", ID_NUMBER, "13912340001", "户主", "常住", ""]
BAD = ["1", "1", "302", "", "", "", "13912340002", "户主", "常住", ""]


def register(path: Path, *rows: list[Any]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def building(community_a: Area, grid_a1: Area) -> Building:
    return BuildingFactory(community=community_a, grid=grid_a1, number="1", floors=6, units=1)


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("import_residents", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_it_prints_counts_and_errors_as_json(
    tmp_path: Path,
    community_a: Area,
    building: Building,
) -> None:
    path = register(tmp_path / "r.xlsx", GOOD, BAD)

    data = run(str(path), "--community", community_a.code)

    assert {k: data[k] for k in ("created", "updated", "unchanged", "rejected")} == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert data["errors"] == [{"row": 3, "column": "姓名", "message": data["errors"][0]["message"]}]
    assert data["errors"][0]["message"]
    assert Person.objects.get().name == "刘建国"


def test_it_finds_the_community_by_name_and_audits_as_import_residents(
    tmp_path: Path,
    community_a: Area,
    building: Building,
) -> None:
    run(str(register(tmp_path / "r.xlsx", GOOD)), "--community", community_a.name)

    person = Person.objects.get()
    change = ObjectChange.objects.get(person_id=person.pk)
    assert (change.actor, change.actor_name) == (None, "import_residents")


def test_importing_again_reports_every_row_unchanged(
    tmp_path: Path,
    community_a: Area,
    building: Building,
) -> None:
    path = str(register(tmp_path / "r.xlsx", GOOD))
    run(path, "--community", community_a.code)

    data = run(path, "--community", community_a.code)

    assert (data["created"], data["unchanged"]) == (0, 1)


def test_a_dry_run_writes_nothing(tmp_path: Path, community_a: Area, building: Building) -> None:
    data = run(
        str(register(tmp_path / "r.xlsx", GOOD)), "--community", community_a.code, "--dry-run"
    )

    assert data["created"] == 1
    assert data["dry_run"] is True
    assert not Person.objects.exists()


def test_all_or_nothing_writes_nothing_when_a_row_is_rejected(
    tmp_path: Path,
    community_a: Area,
    building: Building,
) -> None:
    data = run(
        str(register(tmp_path / "r.xlsx", GOOD, BAD)),
        "--community",
        community_a.code,
        "--all-or-nothing",
    )

    assert (data["created"], data["rejected"], data["written"]) == (0, 1, False)
    assert not Person.objects.exists()


def test_a_refused_file_prints_the_error_and_fails(
    tmp_path: Path,
    community_a: Area,
    building: Building,
) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    out = StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_residents", str(path), "--community", community_a.code, "--json", stdout=out
        )

    data = json.loads(out.getvalue())
    assert data["code"] == "not_spreadsheet"
    assert data["error"]


def test_an_unknown_community_fails(tmp_path: Path, db: None) -> None:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_residents",
            str(register(tmp_path / "r.xlsx", GOOD)),
            "--community",
            "no-such-community",
            "--json",
            stdout=out,
        )
    assert "error" in json.loads(out.getvalue())


def test_the_summary_lists_rejected_rows(
    tmp_path: Path,
    community_a: Area,
    building: Building,
) -> None:
    out = StringIO()
    call_command(
        "import_residents",
        str(register(tmp_path / "r.xlsx", GOOD, BAD)),
        "--community",
        community_a.code,
        stdout=out,
    )

    assert "row 3, 姓名" in out.getvalue()


# --- The real exit status, from a shell ------------------------------------------------------


@pytest.fixture(scope="module")
def fresh_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated SQLite database of its own, with one community and one building."""
    var = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "FANGKONG_DEBUG": "1",
        "FANGKONG_TESTING": "0",
        "FANGKONG_VAR_DIR": str(var),
        "FANGKONG_SQLITE_PATH": str(var / "db.sqlite3"),
        "DATABASE_URL": "",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True)
    setup = (
        "from fangkong.areas.services import do_create_area as a\n"
        "from fangkong.registry.services import do_create_building as b\n"
        "c = a(level='city', name='市', code='C1', parent=None, by=None)\n"
        "d = a(level='district', name='区', code='D1', parent=c, by=None)\n"
        "s = a(level='street', name='街道', code='S1', parent=d, by=None)\n"
        "m = a(level='community', name='社区', code='M1', parent=s, by=None)\n"
        "b(community=m, by=None, number='1', units=1, floors=6)\n"
    )
    subprocess.run([*manage, "shell", "-c", setup], env=env, check=True)
    return {"env": env, "manage": manage}  # type: ignore[dict-item]


def shell(site: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*site["manage"], "import_residents", *args],
        env=site["env"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_exit_status_is_0_when_the_file_was_read_even_with_rejected_rows(
    tmp_path: Path,
    fresh_site: dict[str, Any],
) -> None:
    done = shell(
        fresh_site, str(register(tmp_path / "r.xlsx", GOOD, BAD)), "--community", "M1", "--json"
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rejected"] == 1
    assert "Traceback" not in done.stderr


def test_the_exit_status_is_1_when_the_whole_file_is_refused(
    tmp_path: Path,
    fresh_site: dict[str, Any],
) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(b"PK\x03\x04 this is no zip")

    done = shell(fresh_site, str(path), "--community", "M1", "--json")

    assert done.returncode == 1
    assert json.loads(done.stdout)["code"] == "not_spreadsheet"
    assert "Traceback" not in done.stderr
