"""Writers appending to one community's audit chain at the same moment leave one unbroken
chain: each takes the chain head's row lock, so no two rows get the same place and none
links to a row that another writer replaced. Real threads on PostgreSQL (on SQLite the
IMMEDIATE transaction holds the one write lock; see test_audit_chain.py)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from fangkong.core.audit import record_access, record_change, record_changes
from fangkong.core.audit_chain import verify
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.models import AccessEvent, AuditChain, ObjectChange
from fangkong.core.tests.helpers import at_once
from fangkong.registry.tests.factories import PersonFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason=(
            "SQLite's in-memory test database shares one cache between threads, which answers "
            "'table is locked' instead of waiting; tested on PostgreSQL"
        ),
    ),
]

WRITERS, ROUNDS = 4, 15


def places(community_id: int) -> list[int]:
    return sorted(
        [
            *ObjectChange.objects.filter(community_id=community_id).values_list(
                "chain_seq", flat=True
            ),
            *AccessEvent.objects.filter(community_id=community_id).values_list(
                "chain_seq", flat=True
            ),
        ]
    )


def test_four_writers_appending_to_one_community_at_once_leave_one_unbroken_chain(
    grid_a1: Any,
    officer_a: Any,
) -> None:
    people = [PersonFactory(household__building__grid=grid_a1) for _ in range(2)]
    community_id = people[0].community_id
    written = len(places(community_id))

    def write(n: int) -> int:
        # Each round one transaction: a change, an access event and a bulk of two changes
        for _ in range(ROUNDS):
            with transaction.atomic():
                record_change(ChangeAction.UPDATE, people[n % 2], actor=officer_a)
                record_access(
                    AccessKind.REVEAL,
                    actor=officer_a,
                    area_path=people[0].area_path(),
                    obj=people[0],
                    reason="核对",
                )
                record_changes(ChangeAction.UPDATE, people, actor=officer_a)
        return n

    results = at_once([lambda n=n: write(n) for n in range(WRITERS)])

    assert results == list(range(WRITERS)), results
    total = written + WRITERS * ROUNDS * 4
    assert places(community_id) == list(range(1, total + 1))
    assert AuditChain.objects.get(community_id=community_id).seq == total
    report = verify()
    assert report.problems == []
    assert report.rows == ObjectChange.objects.count() + AccessEvent.objects.count()


def test_the_first_writers_of_new_chains_at_once_start_each_chain_once(
    community_a: Any,
    community_b: Any,
    officer_a: Any,
) -> None:
    AuditChain.objects.all().delete()  # as on a database without audit rows yet
    ObjectChange.objects.all().delete()

    def write(area: Any) -> int:
        return record_access(AccessKind.EXPORT, actor=officer_a, area_path=area.path).chain_seq

    results = at_once(
        [lambda a=a: write(a) for a in (community_a, community_b, community_a, community_b)]
    )

    assert sorted(results) == [1, 1, 2, 2], results
    assert AuditChain.objects.get(community_id=0).chains == 2
    assert verify().problems == []


def test_sealing_the_chains_again_under_a_new_key_while_the_office_writes_leaves_them_whole(
    settings: Any,
    grid_a1: Any,
    officer_a: Any,
) -> None:
    from fangkong.core.audit import update_run_counts
    from fangkong.core.key_rotation import rotate

    # Given a community's trail under the old key
    people = [PersonFactory(household__building__grid=grid_a1) for _ in range(2)]
    for _ in range(40):
        record_change(ChangeAction.UPDATE, people[0], actor=officer_a)
    old_rows = list(
        ObjectChange.objects.filter(community_id=people[0].community_id).order_by("chain_seq")
    )
    # When the key is switched and the rotation runs in small batches, while two writers
    # append to the same chain and a third rewrites old rows as retention does
    settings.DATA_KEY, settings.DATA_KEYS_OLD = "a-new-data-key-" + "n" * 30, [settings.DATA_KEY]

    def write() -> int:
        for _ in range(ROUNDS):
            with transaction.atomic():
                record_change(ChangeAction.UPDATE, people[1], actor=officer_a)
                record_access(
                    AccessKind.REVEAL,
                    actor=officer_a,
                    area_path=people[0].area_path(),
                    obj=people[0],
                    reason="核对",
                )
        return ROUNDS

    done = threading.Event()

    def rotate_them() -> bool:
        try:
            return rotate(batch_size=5).complete
        finally:
            done.set()

    def rewrite() -> int:
        # Each row rewritten once it has been sealed again (as retention may, any time)
        pending = [row.pk for row in old_rows[::3]]
        rewritten = 0
        while pending:
            pk = pending.pop(0)
            with transaction.atomic():
                row = ObjectChange.objects.get(pk=pk)
                if row.chain_reseal != "rekey" and not done.is_set():
                    pending.append(pk)
                    continue
                update_run_counts(row, {"scrubbed": True})
                rewritten += 1
            time.sleep(0.005)  # leave the batches room
        return rewritten

    results = at_once([rotate_them, write, write, rewrite])

    # Then nothing failed, the rotation completed, and every chain verifies under the new
    # key alone
    assert results == [True, ROUNDS, ROUNDS, len(old_rows[::3])], results
    settings.DATA_KEYS_OLD = []
    assert verify().problems == []
