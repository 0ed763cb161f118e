"""Backups: the sealed file format, ``manage.py backup`` and ``manage.py restore``, and the
restore drill (seed, back up, destroy, restore, then the canary, every table's row count and
the decrypted values match) on the database the suite runs on.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from fangkong.access.tests.factories import VisitorFactory
from fangkong.areas.models import Area
from fangkong.core import backups
from fangkong.core.backups import BackupError, seal, unseal
from fangkong.core.personal_data import decrypt, id_number_indexes, phone_indexes
from fangkong.core.tests.canary import CANARY_FORMS, CANARY_ID, CANARY_PHONE
from fangkong.core.tests.external_db import database_for_subprocess, manage
from fangkong.core.tests.walk import CANARY_NAME
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory
from fangkong.staff.tests.factories import CheckpointFactory, StaffMemberFactory

KEY = "the-backup-drill-data-key-" + "k" * 20
OTHER_KEY = "another-installations-key-" + "x" * 20


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    settings.DATA_KEY = KEY
    settings.DATA_KEYS_OLD = []


# --- The sealed file ----------------------------------------------------------------------


def sealed(data: bytes, chunk_size: int = 16) -> bytes:
    out = io.BytesIO()
    seal(
        [data[i : i + 7] for i in range(0, len(data), 7)],
        out,
        vendor="sqlite",
        chunk_size=chunk_size,
    )
    return out.getvalue()


def opened(blob: bytes) -> bytes:
    return b"".join(unseal(io.BytesIO(blob)))


def blocks_of(blob: bytes) -> tuple[bytes, list[bytes]]:
    """The file's head (magic and header) and its blocks, each with its length."""
    source = io.BytesIO(blob)
    backups.read_header(source)
    head, rest = blob[: source.tell()], blob[source.tell() :]
    blocks = []
    while rest:
        size = int.from_bytes(rest[:4], "big") + 4
        blocks.append(rest[:size])
        rest = rest[size:]
    return head, blocks


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 48, 1000])
def test_a_sealed_backup_opens_to_exactly_what_was_sealed(size: int) -> None:
    data = bytes(range(256)) * 4
    assert opened(sealed(data[:size])) == data[:size]


def test_a_sealed_backup_shows_nothing_of_its_content() -> None:
    data = f"registry_person|{CANARY_NAME}|{CANARY_ID}".encode()  # as a database holds it
    blob = sealed(data * 20)

    assert CANARY_NAME.encode() not in blob
    assert CANARY_ID.encode() not in blob
    assert b"registry_person" not in blob


@pytest.mark.parametrize("where", ["header", "first block", "middle block", "last tag"])
def test_a_changed_byte_anywhere_is_refused(where: str) -> None:
    blob = bytearray(sealed(b"residents of building 3 " * 10))
    head, blocks = blocks_of(bytes(blob))
    position = {
        "header": head.index(b'"created"') + 14,
        "first block": len(head) + 10,
        "middle block": len(head) + sum(map(len, blocks[:3])) + 8,
        "last tag": len(blob) - 1,
    }[where]
    blob[position] ^= 0x01

    with pytest.raises(BackupError) as raised:
        opened(bytes(blob))
    assert raised.value.code in {"damaged", "wrong_key"}


def test_blocks_swapped_dropped_or_cut_off_are_refused() -> None:
    head, blocks = blocks_of(sealed(b"0123456789abcdef" * 5))
    swapped = head + b"".join([blocks[1], blocks[0], *blocks[2:]])
    dropped = head + b"".join([blocks[0], *blocks[2:]])
    cut_after_a_block = head + b"".join(blocks[:-1])
    cut_in_a_block = head + b"".join(blocks)[:-5]
    with_more = head + b"".join(blocks) + b"\x00"

    codes = {}
    for name, blob in {
        "swapped": swapped,
        "dropped": dropped,
        "cut": cut_after_a_block,
        "cut inside": cut_in_a_block,
        "more": with_more,
    }.items():
        with pytest.raises(BackupError) as raised:
            opened(blob)
        codes[name] = raised.value.code
    assert codes == {
        "swapped": "damaged",
        "dropped": "damaged",
        "cut": "truncated",
        "cut inside": "truncated",
        "more": "damaged",
    }


def test_a_backup_made_under_another_key_is_refused_as_such(settings: Any) -> None:
    blob = sealed(b"data")
    settings.DATA_KEY = OTHER_KEY

    with pytest.raises(BackupError) as raised:
        opened(blob)
    assert raised.value.code == "wrong_key"


def test_a_backup_made_before_a_key_rotation_opens_with_the_retired_key(settings: Any) -> None:
    blob = sealed(b"data")
    settings.DATA_KEY, settings.DATA_KEYS_OLD = OTHER_KEY, [KEY]

    assert opened(blob) == b"data"
    header, _raw = backups.read_header(io.BytesIO(blob))
    assert backups.key_for(header)[1] is True  # retired: restore will ask for a rotation


def test_a_file_that_is_not_a_backup_is_refused() -> None:
    with pytest.raises(BackupError) as raised:
        opened(b"SQLite format 3\x00" + b"\x00" * 100)
    assert raised.value.code == "not_a_backup"


# --- The commands -------------------------------------------------------------------------


needs_pg_tools = pytest.mark.skipif(
    connection.vendor == "postgresql"
    and not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="pg_dump and pg_restore are not installed",
)


@pytest.fixture
def seeded(community_a: Area, grid_a1: Area) -> dict[str, Any]:
    """A small community: households, people (the canary among them), a visitor, staff."""
    building = BuildingFactory(community=community_a, grid=grid_a1)
    households = [HouseholdFactory(building=building) for _ in range(4)]
    people = [PersonFactory(household=h) for h in households for _ in range(3)]
    canary = PersonFactory(
        household=households[0], name=CANARY_NAME, id_number=CANARY_ID, phone=CANARY_PHONE
    )
    VisitorFactory(
        checkpoint=CheckpointFactory(community=community_a),
        household=households[1],
        phone="13755556666",
    )
    StaffMemberFactory(community=community_a)
    return {"people": [*people, canary], "canary": canary}


def state() -> dict[str, Any]:
    """What a restore must bring back: every table's row count, every person's decrypted
    ID number and phone, and the canary found through its blind indexes."""
    canary = Person.objects.filter(
        id_number_index__in=id_number_indexes(CANARY_ID),
        phone_index__in=phone_indexes(CANARY_PHONE),
    ).get()
    return {
        "counts": backups.summary(),
        "people": sorted(
            (p.pk, p.name, decrypt(p.id_number_cipher), decrypt(p.phone_cipher))
            for p in Person.objects.all()
        ),
        "canary": (canary.name, decrypt(canary.id_number_cipher), decrypt(canary.phone_cipher)),
    }


def destroy(env: dict[str, str]) -> None:
    """What a lost disk or a wrong command does: the database gone."""
    if connection.vendor == "sqlite":
        path = Path(env["FANGKONG_SQLITE_PATH"])
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
        assert not path.exists()
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone() == (0,)
    connection.close()


@needs_pg_tools
@pytest.mark.django_db(transaction=True)
def test_a_restore_drill_brings_back_every_row_and_value(
    seeded: dict,
    tmp_path: Path,
) -> None:
    # Given a community, its state noted
    before = state()
    assert before["canary"] == (CANARY_NAME, CANARY_ID, CANARY_PHONE)
    assert before["counts"]["registry_person"] == 13
    backup = tmp_path / "nightly.fkbackup"
    with database_for_subprocess(tmp_path) as env:
        env["FANGKONG_DATA_KEY"] = KEY
        # When it is backed up by the command, as cron runs it
        made = manage(env, "backup", "--output", str(backup))
        assert backup.is_file(), made.stderr
        # And the database is destroyed
        destroy(env)
        # And the backup restored
        restored = manage(env, "restore", str(backup), "--yes")
        assert restored.returncode == 0, restored.stderr

    # Then every table has its rows, every value decrypts, the canary is found
    assert state() == before
    # And the file holds nothing readable: no canary in any form, no name, no table name
    blob = backup.read_bytes()
    assert not [form for form in CANARY_FORMS if form.encode() in blob]
    assert CANARY_NAME.encode() not in blob
    assert b"registry_person" not in blob
    assert backup.stat().st_mode & 0o077 == 0  # readable by its owner only


@pytest.fixture
def backed_up(seeded: dict, tmp_path: Path) -> Path:
    """A backup made by the command (of committed rows: transactional tests only)."""
    path = tmp_path / "backup.fkbackup"
    call_command("backup", output=path, stdout=io.StringIO())
    return path


@needs_pg_tools
@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_tampered_backup_and_leaves_the_database_as_it_was(
    backed_up: Path,
    community_a: Area,
) -> None:
    # Given a backup with one byte changed in its middle, and a person added since
    blob = bytearray(backed_up.read_bytes())
    blob[len(blob) // 2] ^= 0x20
    backed_up.write_bytes(bytes(blob))
    newcomer = PersonFactory(household=None, community=community_a)
    before = state()

    # When it is restored, it is refused with a clear message
    with pytest.raises(CommandError) as raised, translation.override("en"):
        call_command("restore", str(backed_up), yes=True, stdout=io.StringIO())

    assert str(raised.value).startswith(f"{backed_up} is damaged or has been altered (block ")
    # And the database is as it was
    assert state() == before
    assert Person.objects.filter(pk=newcomer.pk).exists()


@needs_pg_tools
@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_backup_the_data_key_does_not_open(
    backed_up: Path,
    settings: Any,
) -> None:
    settings.DATA_KEY = OTHER_KEY

    with pytest.raises(CommandError) as raised:
        call_command("restore", str(backed_up), yes=True, stdout=io.StringIO())

    assert "FANGKONG_DATA_KEY" in str(raised.value)
    assert "FANGKONG_DATA_KEYS_OLD" in str(raised.value)


@needs_pg_tools
@pytest.mark.django_db(transaction=True)
def test_a_backup_from_before_a_key_rotation_restores_and_asks_for_the_rotation(
    backed_up: Path,
    settings: Any,
    community_a: Area,
) -> None:
    before = state()
    PersonFactory(household=None, community=community_a)  # made after the backup
    settings.DATA_KEY, settings.DATA_KEYS_OLD = OTHER_KEY, [KEY]
    out = io.StringIO()

    call_command("restore", str(backed_up), yes=True, stdout=out)

    assert "rotate_data_key" in out.getvalue()
    assert state() == before


@needs_pg_tools
@pytest.mark.django_db(transaction=True)
def test_it_asks_before_replacing_the_database_and_stops_without_a_yes(
    backed_up: Path,
    community_a: Area,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    newcomer = PersonFactory(household=None, community=community_a)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError):
        call_command("restore", str(backed_up), stdout=io.StringIO())

    assert Person.objects.filter(pk=newcomer.pk).exists()


@needs_pg_tools
@pytest.mark.django_db(transaction=True)
def test_dated_backups_keep_only_the_newest(seeded: dict, tmp_path: Path) -> None:
    for _ in range(3):
        call_command("backup", dir=tmp_path / "backups", keep=2, stdout=io.StringIO())

    kept = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(kept) == 2
    assert all(name.startswith(f"fangkong-{connection.vendor}-") for name in kept)


@pytest.mark.django_db
def test_a_backup_inside_a_transaction_is_refused_rather_than_left_waiting(
    tmp_path: Path,
) -> None:
    # (SQLite's backup API would wait forever on the transaction's own lock.)
    with pytest.raises(BackupError) as raised:
        backups.make_backup(tmp_path / "never.fkbackup")

    assert raised.value.code == "in_transaction"
    assert not list(tmp_path.iterdir())
