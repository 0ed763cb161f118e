"""Two gates scanning one household's last outing at the same moment: exactly one goes out.

Real threads on PostgreSQL, where a scan's read and write would otherwise be separate
statements that another gate's scan can fall between. SQLite serialises scans with its
IMMEDIATE transaction (``services.scans._in_transaction``).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from fangkong.access import services
from fangkong.access.choices import Direction
from fangkong.access.models import GateEvent
from fangkong.access.tests.factories import CheckpointFactory, household_with_pass

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

ROUNDS = 50


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each result or exception, in order."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def exit_at(gate_id: int, code: str, by: Any) -> Callable[[], str]:
    """A scanner's exit at a gate, as the API records it (the gate named by its id)."""

    def call() -> str:
        answer = services.record_scan(
            services.ScanRequest(
                checkpoint=gate_id,
                code=code,
                direction=Direction.OUT,
                temperature=None,
                client_event_id=uuid.uuid4(),
            ),
            by=by,
        )
        return f"{answer.decision}:{answer.reason_code}"

    return call


def test_two_gates_scanning_a_household_s_last_outing_at_once_let_one_out_every_round(
    community_a: Any, grid_a1: Any, checkpoint_a: Any
) -> None:
    north = CheckpointFactory(community=community_a, name="North gate")
    south = CheckpointFactory(community=community_a, name="South gate")
    outcomes = []
    for _ in range(ROUNDS):
        # A household with one outing in the period (the default policy), not yet spent.
        household, item = household_with_pass(community_a, grid_a1, members=1)

        answers = at_once(
            [
                exit_at(north.pk, item.token, checkpoint_a),
                exit_at(south.pk, item.serial, checkpoint_a),
            ]
        )

        exits = GateEvent.objects.filter(
            household=household, direction=Direction.OUT, passed=True
        ).count()
        outcomes.append((sorted(map(str, answers)), exits))
    expected = (["allow:ok", "deny:quota_used"], 1)
    assert [o for o in outcomes if o != expected] == []
