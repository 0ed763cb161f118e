"""A data-key rotation moves the audit logs' hash chains to the new key (``rotate_data_key``,
``core.key_rotation``, ``audit_chain.rekey_rows`` and ``mend``).

After a rotation done as docs/deploy.md says — new key, old key listed, the command, the old
key dropped — ``verify_audit`` passes, retention's scrubbed rows and pruned gaps included; a
chain already broken stops the command before anything changes, unless the operator says to
mend it, on the record; tampering after the re-seal is caught, with or without the old key;
a run killed mid-way leaves chains that verify, and the next run finishes them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import signal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from fangkong.core import audit_chain
from fangkong.core.audit import record_access, update_run_counts
from fangkong.core.audit_chain import verify
from fangkong.core.choices import AccessKind, ChainReseal
from fangkong.core.models import AccessEvent, AuditChain, ObjectChange
from fangkong.core.retention import cutoff, cutoff_date, purge_expired
from fangkong.core.tests.audit_helpers import (
    chain_rows,
    edited_person,
    forged,
    history,
    verify_command,
)
from fangkong.core.tests.external_db import database_for_subprocess, manage, popen_manage

#: The key the suite runs under: the fixtures' audit rows are sealed with it.
OLD_KEY = settings.DATA_KEY
NEW_KEY = "the-data-key-of-2025-" + "n" * 20
RESEAL_RECORD = "audit chains sealed under the current data key"


def use_keys(settings: Any, current: str, *retired: str) -> None:
    """What an operator does in /etc/fangkong/env, then a restart."""
    settings.DATA_KEY = current
    settings.DATA_KEYS_OLD = list(retired)


def rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_data_key", *args, stdout=out)
    return out.getvalue()


def all_rows() -> list[Any]:
    return [*ObjectChange.objects.all(), *AccessEvent.objects.all()]


def chain_columns() -> dict[tuple[str, int], tuple[Any, ...]]:
    """Every audit row's chain columns and every head, to compare before and after."""
    rows = {
        (r.chain_log, r.pk): (
            r.chain_seq,
            r.chain_prev,
            r.chain_hash,
            r.chain_original,
            r.chain_reseal,
        )
        for r in all_rows()
    }
    heads = {
        ("head", h.community_id): (h.seq, h.head, h.pruned, h.chains, h.seal)
        for h in AuditChain.objects.all()
    }
    return {**rows, **heads}


def links() -> dict[tuple[str, int], tuple[int, str, str]]:
    """What ties the chains together: each row's place, previous link and own link."""
    return {
        (r.chain_log, r.pk): (r.chain_seq, r.chain_prev, audit_chain.link_of(r)) for r in all_rows()
    }


@pytest.fixture
def trail(
    community_a: Any,
    community_b: Any,
    officer_a: Any,
    officer_b: Any,
    grid_a1: Any,
    grid_b1: Any,
    district: Any,
) -> dict[str, Any]:
    """Two communities' trails and the global chain, written under the old key, then a
    retention purge: change rows scrubbed (resealed, ``chain_original`` set) and the oldest
    rows deleted (a pruned gap in the head)."""
    now = timezone.now()
    history(community_a, officer_a, grid_a1)
    history(community_b, officer_b, grid_b1)
    record_access(AccessKind.EXPORT, actor=officer_a, area_path=district.path)  # global
    oldest = chain_rows(community_a)[:3]
    for row in oldest:  # as if written five years ago
        type(row).objects.filter(pk=row.pk).update(time=cutoff(now, years=5) - dt.timedelta(days=1))
    person = edited_person(grid_a1, officer_a, cutoff_date(now, years=3) - dt.timedelta(days=1))
    purge_expired(now, batch_size=2)
    scrubbed = [r for r in all_rows() if r.chain_original]
    head_a = AuditChain.objects.get(community_id=community_a.pk)
    assert scrubbed, "the purge rewrote no audit row"
    assert head_a.pruned[0][:2] == [1, 3], head_a.pruned
    assert verify().intact
    return {"person": person, "scrubbed": scrubbed, "pruned": head_a.pruned}


# --- The rotation, end to end ----------------------------------------------------------------


def test_after_a_rotation_the_audit_chains_verify_with_the_old_key_dropped(
    settings: Any,
    trail: dict[str, Any],
    community_a: Any,
) -> None:
    written = len(all_rows())
    tied = links()
    # Given the keys switched as documented
    use_keys(settings, NEW_KEY, OLD_KEY)

    # When the command runs
    output = rotate()

    # Then it says the old key may go, and once it is dropped the chains verify
    assert "审计链仅用当前密钥即可验证通过" in output
    use_keys(settings, NEW_KEY)
    report, (text, clean) = verify(), verify_command()
    assert report.problems == []
    assert clean, text
    assert report.rows == len(all_rows())
    # Not a link moved: the rows are where they were, tied to the same neighbours
    assert {key: value for key, value in links().items() if key in tied} == tied
    # The rows retention rewrote still say so; the others say what they first said
    scrubbed = {(r.chain_log, r.pk) for r in trail["scrubbed"]}
    for row in all_rows():
        if (row.chain_log, row.pk) in scrubbed:
            assert (row.is_resealed, row.chain_reseal) == (True, ""), row
        elif (row.chain_log, row.pk) in tied and not row.object_repr.startswith("retention purge:"):
            assert (row.is_resealed, row.chain_reseal) == (False, ChainReseal.REKEY), row
    assert report.resealed >= len(scrubbed)
    # The pruned gap is still bridged by the head's record, under the new seal
    assert AuditChain.objects.get(community_id=community_a.pk).pruned == trail["pruned"]
    assert report.pruned == 3
    # And the re-seal is on the record, by counts: every row written before the switch
    (record,) = ObjectChange.objects.filter(object_repr=RESEAL_RECORD)
    assert record.after["rows"] == written
    assert record.after["heads"] >= 2
    assert (record.actor, record.community_id, record.area_path) == (None, None, "")


def test_a_second_rotation_years_later_moves_the_chains_again(
    settings: Any,
    trail: dict[str, Any],
) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)
    rotate()
    use_keys(settings, NEW_KEY)
    first = links()

    newer = "the-data-key-of-2030-" + "z" * 20
    use_keys(settings, newer, NEW_KEY)
    rotate()
    use_keys(settings, newer)

    assert verify().problems == []
    assert {key: value for key, value in links().items() if key in first} == first
    assert {r.chain_reseal for r in all_rows()} <= {"", ChainReseal.REKEY}


def test_a_second_run_has_nothing_to_seal_and_logs_nothing(
    settings: Any, trail: dict[str, Any]
) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)
    rotate()
    before = chain_columns()

    summary = json.loads(rotate("--json"))

    assert summary["complete"]
    assert (summary["audit"]["rekeyed"], summary["audit"]["heads"]) == (0, 0)
    assert chain_columns() == before


def test_a_dry_run_counts_the_audit_rows_to_seal_and_changes_nothing(
    settings: Any,
    trail: dict[str, Any],
) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)
    before = chain_columns()

    summary = json.loads(rotate("--dry-run", "--json"))

    assert summary["audit"]["rekeyed"] == len(all_rows())
    assert summary["audit"]["heads"] == AuditChain.objects.count()
    assert summary["audit"]["found"] == []
    assert chain_columns() == before


def test_verify_audit_says_whether_the_old_key_may_go(settings: Any, trail: dict[str, Any]) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)
    assert verify_command()[1]
    assert not verify_command("--current-key-only")[1]

    rotate()

    assert verify_command("--current-key-only")[1]


# --- Broken before the rotation ----------------------------------------------------------------


def test_tampering_before_the_rotation_stops_it_and_nothing_changes(
    settings: Any,
    trail: dict[str, Any],
    community_b: Any,
) -> None:
    # Given a row of community B's trail edited in the database, under the old key
    edited = ObjectChange.objects.filter(community_id=community_b.pk).earliest("chain_seq")
    ObjectChange.objects.filter(pk=edited.pk).update(object_repr="王伟")
    use_keys(settings, NEW_KEY, OLD_KEY)
    before = chain_columns()

    with pytest.raises(CommandError) as raised:
        rotate()

    # Then the command names the row, says how to go on, and sealed nothing
    message = str(raised.value)
    assert f"community {community_b.pk}, place {edited.chain_seq}, change #{edited.pk}" in (message)
    assert "--reseal-broken-audit" in message
    assert "未做任何更改" in message
    assert chain_columns() == before
    assert not ObjectChange.objects.filter(object_repr__startswith="data key rotation")
    # ...and the dry run shows the same break
    assert f"change #{edited.pk}" in rotate("--dry-run")


def test_mending_on_the_operators_word_records_what_was_found_and_the_chains_verify(
    settings: Any,
    trail: dict[str, Any],
    community_a: Any,
    community_b: Any,
) -> None:
    # Given three kinds of tampering: a row edited in community A, a row deleted by hand in
    # community B, and a row forged into a place of community A another row holds
    edited = ObjectChange.objects.filter(community_id=community_a.pk).latest("chain_seq")
    ObjectChange.objects.filter(pk=edited.pk).update(object_repr="王伟")
    rows_b = chain_rows(community_b)
    deleted, after_deleted = rows_b[2], rows_b[3]
    type(deleted).objects.filter(pk=deleted.pk).delete()
    taken = AccessEvent.objects.filter(community_id=community_a.pk).latest("chain_seq")
    fake = forged(edited, chain_seq=taken.chain_seq, chain_prev=taken.chain_prev)
    found = {str(p) for p in verify().problems}
    use_keys(settings, NEW_KEY, OLD_KEY)

    # When the operator, having looked, asks for the chains to be mended
    output = rotate("--reseal-broken-audit")

    # Then every chain verifies under the new key alone
    assert f"审计链 社区 {community_a.pk} 已修复" in output
    use_keys(settings, NEW_KEY)
    assert verify().problems == []
    # What was found is in the change log, one row per chain mended, in the global chain
    records = {
        r.after["community"]: r
        for r in ObjectChange.objects.filter(object_repr__startswith="audit chain mended")
    }
    assert set(records) == {community_a.pk, community_b.pk}
    assert {p for r in records.values() for p in r.after["problems"]} == found
    assert all(r.community_id is None for r in records.values())
    # Nothing was deleted: the edited row is sealed as found and says so, the forged row
    # moved to the end of its chain, the deleted place is bridged as pruned
    edited.refresh_from_db()
    assert (edited.object_repr, edited.chain_reseal) == ("王伟", ChainReseal.MEND)
    assert edited.is_resealed
    fake.refresh_from_db()
    assert fake.chain_reseal == ChainReseal.MEND
    assert fake.chain_seq == AuditChain.objects.get(community_id=community_a.pk).seq
    head_b = AuditChain.objects.get(community_id=community_b.pk)
    assert [deleted.chain_seq, deleted.chain_seq] in [r[:2] for r in head_b.pruned]
    after_deleted.refresh_from_db()
    # (the row after the gap follows the bridge as it was: only sealed again, unmended)
    assert after_deleted.chain_reseal == ChainReseal.REKEY
    # And an edit after the mending is caught like any other
    ObjectChange.objects.filter(pk=edited.pk).update(object_repr="李娜")
    assert [p.pk for p in verify().problems] == [edited.pk]


def test_mending_rebuilds_a_deleted_head_and_the_count_of_chains(
    settings: Any,
    trail: dict[str, Any],
    community_b: Any,
) -> None:
    AuditChain.objects.filter(community_id=community_b.pk).delete()
    assert not verify().intact
    use_keys(settings, NEW_KEY, OLD_KEY)

    rotate("--reseal-broken-audit")

    use_keys(settings, NEW_KEY)
    assert verify().problems == []
    head = AuditChain.objects.get(community_id=community_b.pk)
    assert head.seq == len(chain_rows(community_b))


# --- Tampering after the re-seal -------------------------------------------------------------


def old_seal(row: Any) -> str:
    """The hash the old key gives a row as first written: what someone who kept the old key
    would compute to pass an edit off."""
    key = audit_chain._derived(OLD_KEY, ())[0]
    values = audit_chain._values(row.chain_log, audit_chain._as_row(row), {})
    return audit_chain._hash(
        key, audit_chain._message(row.chain_log, row.chain_seq, row.chain_prev, "", values)
    )


def test_tampering_after_the_re_seal_is_caught_even_by_someone_holding_the_old_key(
    settings: Any,
    trail: dict[str, Any],
    community_a: Any,
    community_b: Any,
) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)
    rotate()
    use_keys(settings, NEW_KEY)
    rows = [r for r in chain_rows(community_b) if r.chain_reseal == ChainReseal.REKEY]
    # An edit, as anyone with the database can make
    plain = rows[1]
    type(plain).objects.filter(pk=plain.pk).update(object_repr="王伟")
    # An edit sealed with the old key, as it was before the rotation (its first hash kept
    # as its link, so the chain would still tie)
    keyed = rows[2]
    keyed.object_repr = "李娜"
    type(keyed).objects.filter(pk=keyed.pk).update(
        object_repr="李娜", chain_original="", chain_reseal="", chain_hash=old_seal(keyed)
    )
    # A scrubbed row passed off as one the rotation only sealed again
    scrubbed = next(r for r in chain_rows(community_a) if r.chain_original and not r.chain_reseal)
    type(scrubbed).objects.filter(pk=scrubbed.pk).update(chain_reseal=ChainReseal.REKEY)

    named = {(p.log, p.pk) for p in verify().problems if p.pk is not None}

    assert {
        (plain.chain_log, plain.pk),
        (keyed.chain_log, keyed.pk),
        (scrubbed.chain_log, scrubbed.pk),
    } <= named


def test_a_row_the_rotation_sealed_again_and_retention_then_rewrites_stays_verifiable(
    settings: Any,
    trail: dict[str, Any],
    community_a: Any,
) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)
    rotate()
    use_keys(settings, NEW_KEY)
    row = next(
        r
        for r in chain_rows(community_a)
        if isinstance(r, ObjectChange) and r.chain_reseal == ChainReseal.REKEY
    )

    update_run_counts(row, {"scrubbed": True})  # as the purge rewrites a row it holds

    row.refresh_from_db()
    assert (row.is_resealed, row.chain_reseal) == (True, "")
    assert verify().problems == []


def test_the_change_log_page_tells_a_mended_row_and_a_runs_own_row_from_a_scrubbed_one(
    settings: Any,
    trail: dict[str, Any],
    community_a: Any,
    client: Any,
    superuser: Any,
) -> None:
    edited = ObjectChange.objects.filter(community_id=community_a.pk).latest("chain_seq")
    ObjectChange.objects.filter(pk=edited.pk).update(object_repr="王伟")
    use_keys(settings, NEW_KEY, OLD_KEY)
    rotate("--reseal-broken-audit")
    client.force_login(superuser)

    page = client.get(reverse("core:audit_list")).content.decode()

    assert "链条修复时按原样重新封存" in page
    assert "运行中随进度更新的计数" in page
    assert "之后已按保存期限清理" in page


# --- Killed midway, then run again -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_re_seal_killed_midway_leaves_chains_that_verify_and_the_next_run_finishes(
    settings: Any,
    trail: dict[str, Any],
    tmp_path: Path,
) -> None:
    first_hashes = {(r.chain_log, r.pk): r.chain_hash for r in all_rows()}

    def sealed_again() -> int:
        return sum(
            1
            for r in all_rows()
            if (r.chain_log, r.pk) in first_hashes
            and r.chain_hash != first_hashes[r.chain_log, r.pk]
        )

    use_keys(settings, NEW_KEY, OLD_KEY)
    with database_for_subprocess(tmp_path) as env:
        env.update(FANGKONG_DATA_KEY=NEW_KEY, FANGKONG_DATA_KEYS_OLD=OLD_KEY)
        # Given the command started in batches of two, slowed down
        process = popen_manage(env, "rotate_data_key", "--batch-size", "2", "--pause", "0.5")
        assert process.stdout is not None
        # When it is killed (kill -9) among the audit rows, after a batch of them committed
        lines = []
        while "审计链" not in (line := process.stdout.readline()):
            assert line, f"the command ended before the audit chains: {lines}"
            lines.append(line)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
    # Then part of the rows are under the new key, and every chain verifies with both keys
    assert 0 < sealed_again() < len(first_hashes)
    assert not verify(retired_keys=False).intact
    assert verify().problems == []
    # The run's row counts exactly what its committed batches sealed
    (record,) = ObjectChange.objects.filter(object_repr=RESEAL_RECORD)
    assert record.after["rows"] == sealed_again()

    # When it is run again, it finishes
    with database_for_subprocess(tmp_path) as env:
        env.update(FANGKONG_DATA_KEY=NEW_KEY, FANGKONG_DATA_KEYS_OLD=OLD_KEY)
        second = manage(env, "rotate_data_key", "--json")
    summary = json.loads(second.stdout.strip().splitlines()[-1])
    assert summary["complete"], second.stdout
    # And with the old key dropped, every chain verifies; the two runs' rows count each row
    # written under the old key once
    use_keys(settings, NEW_KEY)
    assert verify().problems == []
    assert sealed_again() == len(first_hashes)
    records = ObjectChange.objects.filter(object_repr=RESEAL_RECORD)
    assert sorted(r.after["run"] for r in records) == sorted({r.request_id for r in records})
    assert sum(r.after["rows"] for r in records) == len(first_hashes)


# --- Checking while the office writes -------------------------------------------------------


def test_a_row_appended_while_the_chains_are_walked_is_not_called_a_break(
    monkeypatch: pytest.MonkeyPatch,
    trail: dict[str, Any],
    community_a: Any,
    officer_a: Any,
) -> None:
    # Given a reveal recorded in community A after the heads were read, just before its
    # chain is walked (as a busy office does during a rotation's check)
    init = audit_chain._Walk.__init__
    appended = []

    def walk_while_the_office_writes(walk: Any, head: Any, *args: Any) -> None:
        if head.community_id == community_a.pk and not appended:
            appended.append(
                record_access(
                    AccessKind.REVEAL,
                    actor=officer_a,
                    area_path=community_a.path,
                    reason="核对身份",
                )
            )
        init(walk, head, *args)

    monkeypatch.setattr(audit_chain._Walk, "__init__", walk_while_the_office_writes)

    report = verify()

    # Then the chain, walked again holding its head, is intact, the new row included
    assert appended
    assert report.problems == []
    assert (community_a.pk, appended[0].chain_seq, appended[0].chain_hash) in report.heads
