"""The audit logs' hash chains (``fangkong.core.audit_chain``) and ``manage.py verify_audit``:
an edited, deleted or inserted row is named; the retention purge, an import and the access
log keep the chains intact; retired keys still verify; a forged head or a removed chain shows.

Tampering is done the way someone with only database access would: ``update()``, ``delete()``
and inserts that bypass the audit code.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from fangkong.access.tests.factories import CheckpointFactory, household_with_pass, scan
from fangkong.core import audit_chain
from fangkong.core.audit import record_access, record_change
from fangkong.core.audit_chain import verify
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.models import AccessEvent, AuditChain, ObjectChange
from fangkong.core.retention import cutoff, cutoff_date, purge_expired
from fangkong.core.tests.audit_helpers import (
    chain_rows,
    edited_person,
    forged,
    history,
    verify_command,
    visitor_gone,
)
from fangkong.core.tests.registers import ID_1, ID_2, row, write_register
from fangkong.registry.imports import run_import
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def problems(community: int | None = None) -> list[str]:
    return [str(p) for p in verify(community).problems]


# --- An untouched log ------------------------------------------------------------------------


def test_every_row_of_both_logs_takes_the_next_place_in_its_communitys_chain(
    community_a: Any,
    officer_a: Any,
    grid_a1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)

    rows = chain_rows(community_a)

    assert [r.chain_seq for r in rows] == list(range(1, len(rows) + 1))
    assert {type(r) for r in rows} == {ObjectChange, AccessEvent}
    assert rows[0].chain_prev == ""
    assert all(
        later.chain_prev == earlier.chain_hash for earlier, later in itertools.pairwise(rows)
    )
    head = AuditChain.objects.get(community_id=community_a.pk)
    assert (head.seq, head.head) == (len(rows), rows[-1].chain_hash)


def test_an_untouched_log_verifies_and_the_command_says_intact(
    community_a: Any,
    community_b: Any,
    officer_a: Any,
    officer_b: Any,
    grid_a1: Any,
    grid_b1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    history(community_b, officer_b, grid_b1)
    record_access(AccessKind.EXPORT, actor=None, area_path=community_a.parent.path)  # global

    output, clean = verify_command()

    assert clean, output
    assert output.strip().endswith("intact")
    report = verify()
    assert report.chains == 3
    assert report.rows == ObjectChange.objects.count() + AccessEvent.objects.count()
    figures = json.loads(verify_command("--json")[0])
    assert figures["intact"] is True
    head = AuditChain.objects.get(community_id=community_b.pk)
    assert {"community": community_b.pk, "seq": head.seq, "head": head.head} in figures["heads"]


def test_an_access_event_belongs_to_the_community_of_its_area_path(
    community_a: Any,
    grid_a1: Any,
    street: Any,
    officer_a: Any,
) -> None:
    in_grid = record_access(AccessKind.SEARCH, actor=officer_a, area_path=grid_a1.path)
    above = record_access(AccessKind.EXPORT, actor=officer_a, area_path=street.path)

    assert in_grid.community_id == community_a.pk
    assert above.community_id is None


# --- Tampering -------------------------------------------------------------------------------


def test_an_edited_after_snapshot_is_named_with_its_id_and_time(
    community_a: Any,
    officer_a: Any,
    grid_a1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    edited = ObjectChange.objects.filter(
        community_id=community_a.pk, action=ChangeAction.UPDATE
    ).earliest("chain_seq")
    ObjectChange.objects.filter(pk=edited.pk).update(after={**edited.after, "notes": ""})

    output, clean = verify_command()

    assert not clean
    (problem,) = verify().problems
    assert (problem.log, problem.pk, problem.seq) == ("change", edited.pk, edited.chain_seq)
    assert problem.time == edited.time
    assert "does not match its hash" in problem.message
    assert f"change #{edited.pk}" in output
    assert edited.time.astimezone(dt.UTC).isoformat(timespec="microseconds") in output


def test_an_edited_access_event_is_named(community_a: Any, officer_a: Any, grid_a1: Any) -> None:
    history(community_a, officer_a, grid_a1)
    reveal = AccessEvent.objects.get(kind=AccessKind.REVEAL)
    AccessEvent.objects.filter(pk=reveal.pk).update(reason="例行检查")

    (problem,) = verify().problems

    assert (problem.log, problem.pk) == ("access", reveal.pk)


def test_a_deleted_row_is_named_by_its_place_and_the_row_after_it(
    community_a: Any,
    officer_a: Any,
    grid_a1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    rows = chain_rows(community_a)
    gone, after = rows[2], rows[3]
    type(gone).objects.filter(pk=gone.pk).delete()

    output, clean = verify_command("--community", str(community_a.pk))

    assert not clean
    (problem,) = verify(community_a.pk).problems
    assert problem.pk == after.pk
    assert problem.message.startswith(f"place {gone.chain_seq} is missing after")
    assert f"#{rows[1].pk}" in problem.message
    assert "deleted" in output


def test_deleting_the_newest_rows_shows_against_the_chains_head(
    community_a: Any,
    officer_a: Any,
    grid_a1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    rows = chain_rows(community_a)
    for newest in rows[-2:]:
        type(newest).objects.filter(pk=newest.pk).delete()

    (problem,) = verify().problems

    assert problem.seq == rows[-2].chain_seq
    assert "newest rows were deleted" in problem.message


def test_a_row_forged_at_the_end_of_a_chain_is_named(
    community_a: Any,
    officer_a: Any,
    grid_a1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    last = chain_rows(community_a)[-1]
    real = ObjectChange.objects.filter(community_id=community_a.pk).latest("chain_seq")
    fake = forged(
        real,
        object_repr="王伟",
        after={"notes": "已核实"},
        chain_seq=last.chain_seq + 1,
        chain_prev=last.chain_hash,
    )

    found = verify().problems

    assert [p.pk for p in found] == [fake.pk]
    assert "beyond the chain's head" in found[0].message


def test_a_row_forged_into_a_place_already_taken_is_named_and_the_real_one_is_not(
    community_a: Any,
    officer_a: Any,
    grid_a1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    reveal = AccessEvent.objects.get(kind=AccessKind.REVEAL)  # its place, in the other log
    real = ObjectChange.objects.filter(community_id=community_a.pk).earliest("chain_seq")
    fake = forged(
        real,
        action=ChangeAction.DELETE,
        chain_seq=reveal.chain_seq,
        chain_prev=reveal.chain_prev,
        chain_hash=reveal.chain_hash,
    )

    found = verify().problems

    assert [p.pk for p in found] == [fake.pk]
    assert f"belongs to access #{reveal.pk}" in found[0].message


def test_a_row_forged_into_a_community_without_a_chain_is_found(
    community_a: Any,
    officer_a: Any,
    grid_a1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    real = ObjectChange.objects.filter(community_id=community_a.pk).earliest("chain_seq")
    nowhere = community_a.pk + 10_000
    forged(real, community_id=nowhere, chain_seq=1, chain_prev="")

    (problem,) = verify().problems

    assert problem.community == nowhere
    assert "head is missing" in problem.message


def test_a_rewritten_chain_head_is_found(community_a: Any, officer_a: Any, grid_a1: Any) -> None:
    history(community_a, officer_a, grid_a1)
    rows = chain_rows(community_a)
    # Hide the newest row: delete it and wind the head back to the row before
    type(rows[-1]).objects.filter(pk=rows[-1].pk).delete()
    AuditChain.objects.filter(community_id=community_a.pk).update(
        seq=rows[-2].chain_seq, head=rows[-2].chain_hash
    )

    (problem,) = verify().problems

    assert problem.community == community_a.pk
    assert "head does not match its seal" in problem.message


def test_deleting_a_whole_communitys_trail_head_and_all_is_found(
    community_a: Any,
    community_b: Any,
    officer_a: Any,
    officer_b: Any,
    grid_a1: Any,
    grid_b1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    history(community_b, officer_b, grid_b1)
    for model in (ObjectChange, AccessEvent):
        model.objects.filter(community_id=community_b.pk).delete()
    AuditChain.objects.filter(community_id=community_b.pk).delete()

    (problem,) = verify().problems

    assert "1 community chain(s) were started but their heads are gone" in problem.message


def test_a_chain_sealed_under_a_retired_key_still_verifies(
    settings: Any,
    community_a: Any,
    officer_a: Any,
    grid_a1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    old = settings.DATA_KEY

    settings.DATA_KEY, settings.DATA_KEYS_OLD = "a-new-data-key-after-rotation", [old]
    new = record_access(AccessKind.EXPORT, actor=officer_a, area_path=community_a.path)

    assert verify().intact
    settings.DATA_KEYS_OLD = []  # the old key dropped too early: what it sealed shows
    found = verify().problems
    rows = ObjectChange.objects.count() + AccessEvent.objects.count()
    assert all("does not match" in p.message for p in found)
    assert ("access", new.pk) not in {(p.log, p.pk) for p in found}
    assert sum(p.pk is not None for p in found) == rows - 1


@pytest.mark.django_db(transaction=True)
def test_chaining_outside_the_inserting_transaction_is_refused() -> None:
    # The head's lock would end with the statement, before the rows are in
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_chain.seal(audit_chain.CHANGE, [{"community_id": None, "time": timezone.now()}])
    # ...while the models' own paths open one when there is none (the global chain may hold
    # rows of earlier transactional tests: the flush keeps what a data migration wrote)
    before = (
        ObjectChange.objects.filter(community_id=None).count()
        + AccessEvent.objects.filter(community_id=None).count()
    )
    row = record_access(AccessKind.EXPORT, actor=None, area_path="")
    assert row.chain_seq >= before + 1
    assert verify().intact


# --- What the system itself rewrites or deletes ----------------------------------------------


def test_the_retention_purge_keeps_every_chain_verifiable(
    community_a: Any,
    grid_a1: Any,
    officer_a: Any,
) -> None:
    # Given change rows of a person and a visitor whose data the purge removes, audit rows
    # past their five years, and a purge that works in small batches
    now = timezone.now()
    history(community_a, officer_a, grid_a1)
    old = chain_rows(community_a)[:4]
    for row_ in old:  # as if written five years ago (the purge deletes them unverified)
        type(row_).objects.filter(pk=row_.pk).update(
            time=cutoff(now, years=5) - dt.timedelta(days=1)
        )
    person = edited_person(grid_a1, officer_a, cutoff_date(now, years=3) - dt.timedelta(days=1))
    visitor_gone(community_a, grid_a1, officer_a, cutoff(now, days=30) - dt.timedelta(days=1))

    # When the purge runs
    result = purge_expired(now, batch_size=2)

    # Then rows were scrubbed, resealed with their first hash kept, and old rows deleted
    assert sum(o.changes_scrubbed for o in result.outcomes) > 0
    assert not ObjectChange.objects.filter(pk__in=[r.pk for r in old]).exists()
    scrubbed = ObjectChange.objects.filter(
        object_id=str(person.pk), content_type=ContentType.objects.get_for_model(Person)
    )
    assert scrubbed
    assert all(c.is_resealed for c in scrubbed)
    report = verify()
    assert report.problems == []
    assert report.resealed > 0
    assert report.pruned == len(old)
    # ...and a scrubbed row edited afterwards is still caught
    victim = scrubbed.first()
    ObjectChange.objects.filter(pk=victim.pk).update(object_repr="王伟")
    assert [p.pk for p in verify().problems] == [victim.pk]


def test_a_purges_own_row_updated_batch_by_batch_stays_verifiable() -> None:
    now = timezone.now()
    for _ in range(5):
        event = record_access(AccessKind.REVEAL, actor=None, area_path="x")
        AccessEvent.objects.filter(pk=event.pk).update(
            time=cutoff(now, years=5) - dt.timedelta(days=1)
        )

    purge_expired(now, batch_size=2)

    (purge,) = ObjectChange.objects.filter(object_repr__startswith="retention purge:")
    assert purge.after["deleted"] == 5
    assert purge.is_resealed
    assert verify().intact


def test_rows_purged_out_of_order_across_both_logs_still_bridge(
    community_a: Any,
    officer_a: Any,
    grid_a1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    rows = chain_rows(community_a)
    # The change log's old rows go in one transaction, the access log's in another
    for model in (AccessEvent, ObjectChange):
        with transaction.atomic():
            doomed = model.objects.filter(pk__in=[r.pk for r in rows[:-1] if isinstance(r, model)])
            audit_chain.record_removal(doomed)
            doomed.delete()

    report = verify()

    assert report.problems == []
    (head,) = AuditChain.objects.filter(community_id=community_a.pk)
    assert head.pruned == [[1, len(rows) - 1, "", rows[-2].chain_hash]]


def test_a_row_deleted_by_hand_between_purged_ones_still_shows(
    community_a: Any,
    officer_a: Any,
    grid_a1: Any,
) -> None:
    history(community_a, officer_a, grid_a1)
    rows = chain_rows(community_a)
    by_hand = rows[2]
    type(by_hand).objects.filter(pk=by_hand.pk).delete()
    # Then the purge deletes the rows either side of it, on purpose
    for doomed in (rows[:2], rows[3:5]):
        with transaction.atomic():
            for model in (ObjectChange, AccessEvent):
                picked = model.objects.filter(pk__in=[r.pk for r in doomed if isinstance(r, model)])
                audit_chain.record_removal(picked)
                picked.delete()

    (problem,) = verify().problems

    assert problem.pk == rows[5].pk
    assert problem.message.startswith(f"place {by_hand.chain_seq} is missing")


def test_an_import_leaves_the_chain_intact(
    tmp_path: Path,
    settings: Any,
    community_a: Any,
    grid_a1: Any,
    officer_a: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    BuildingFactory(community=community_a, grid=grid_a1, number="1", units=2, floors=6)
    record_access(AccessKind.EXPORT, actor=officer_a, area_path=community_a.path)
    before = len(chain_rows(community_a))
    first = [
        row(name="王秀英", id_number=ID_1, relation="户主"),
        row(name="李强", id_number=ID_2, relation="配偶", phone="13800000001"),
        row(room="601", name="王小明", id_number="", relation="户主", phone="", sex="男"),
    ]
    run_import(write_register(tmp_path, first, name="first"), community_a, officer_a)
    first[1] = row(name="李强", id_number=ID_2, relation="配偶", phone="13800000002")
    result = run_import(write_register(tmp_path, first, name="second"), community_a, officer_a)

    assert (result.updated, result.unchanged) == (1, 2)
    assert len(chain_rows(community_a)) == before + 3 + 2 + 1  # people, households, update
    assert verify().intact


def test_a_household_is_audited_into_its_communitys_chain(
    community_a: Any, grid_a1: Any, officer_a: Any
) -> None:
    household = HouseholdFactory(building__grid=grid_a1)
    change = record_change(ChangeAction.CREATE, household, actor=officer_a)

    assert change.community_id == community_a.pk
    assert AuditChain.objects.get(community_id=community_a.pk).head == change.chain_hash
    assert AuditChain.objects.get(community_id=0).chains >= 1


# --- Upgrading -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_chains_existed_are_chained_by_the_upgrade() -> None:
    # Given a database at the migration before the chains, with both logs written to
    executor = MigrationExecutor(connection)
    before = [("core", "0002_audit_chains")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    change, access = old.get_model("core", "ObjectChange"), old.get_model("core", "AccessEvent")
    kind = ContentType.objects.get_for_model(Person).pk
    for n in range(3):
        change.objects.create(
            action="update",
            content_type_id=kind,
            object_id=str(n),
            object_repr=f"#{n}",
            area_path="/1/2/3/4/",
            community_id=4,
            after={"notes": f"第{n}次", "temperature": 1e16 + n * 4},
        )
        access.objects.create(kind="reveal", area_path="/1/2/3/4/5/", reason="核对")
    change.objects.create(
        action="create",
        content_type_id=kind,
        object_id="9",
        object_repr="#9",
        area_path="/1/",
        community_id=None,
    )

    # When it is upgraded
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Then each community's rows of both logs form one chain, and it verifies
    assert set(AccessEvent.objects.values_list("community_id", flat=True)) == {4}
    assert sorted(
        places := [
            *ObjectChange.objects.filter(community_id=4).values_list("chain_seq", flat=True),
            *AccessEvent.objects.values_list("chain_seq", flat=True),
        ]
    ) == list(range(1, 7)), places
    report = verify()
    assert report.problems == []
    assert (report.chains, report.rows) == (2, 7)
    assert AuditChain.objects.get(community_id=0).chains == 1


def test_a_gate_scan_writes_no_audit_row_and_leaves_the_chains_alone(
    community_a: Any,
    grid_a1: Any,
) -> None:
    # The scan is the hot path: no audit row, so no chain lock to wait for
    checkpoint = CheckpointFactory(community=community_a)
    _household, card = household_with_pass(community_a, grid_a1)
    heads = list(AuditChain.objects.values_list("community_id", "seq"))
    logged = ObjectChange.objects.count(), AccessEvent.objects.count()

    answer = scan(checkpoint, card.token, "out")

    assert answer.decision
    assert (ObjectChange.objects.count(), AccessEvent.objects.count()) == logged
    assert list(AuditChain.objects.values_list("community_id", "seq")) == heads


def test_the_change_log_page_marks_a_row_the_purge_rewrote(
    client: Any,
    superuser: Any,
    grid_a1: Any,
    officer_a: Any,
) -> None:
    now = timezone.now()
    person = edited_person(grid_a1, officer_a, cutoff_date(now, years=3) - dt.timedelta(days=1))
    purge_expired(now)
    client.force_login(superuser)

    page = client.get(reverse("core:audit_list") + f"?person={person.pk}")

    assert page.status_code == 200
    assert page.content.decode().count("保存期限清理") == 2
