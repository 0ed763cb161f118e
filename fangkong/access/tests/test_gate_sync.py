"""The pass list a gate phone keeps to decide offline: only what the decision needs, and,
after the first download, only what changed since the last sync (``?since=<cursor>``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.access import services
from fangkong.access.models import GateEvent, Pass
from fangkong.access.tests.factories import household_with_pass, scan
from fangkong.access.views.gate import _cursor
from fangkong.registry.models import Household

pytestmark = pytest.mark.django_db


def sync(client: Client, gate: Any, since: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"checkpoint": gate.pk}
    if since is not None:
        params["since"] = since
    response = client.get(reverse("access:gate_data"), params)
    assert response.status_code == 200, response.content
    return response.json()


def age_everything(before: dt.datetime) -> None:
    """Rows written by the set-up look as if written well before the cursor (the sync
    resends what changed in the two minutes before it, in case a transaction was late)."""
    old = before - dt.timedelta(minutes=10)
    Pass.objects.update(updated=old)
    Household.objects.update(updated=old)
    GateEvent.objects.update(received_at=old)


def test_the_full_list_carries_only_what_the_decision_needs(
    client: Client, checkpoint_a: Any, gate_a: Any, home_a: Any
) -> None:
    client.force_login(checkpoint_a)

    data = sync(client, gate_a)

    assert data["full"] is True
    assert data["cursor"].startswith(f"{gate_a.community_id}.")
    (row,) = data["passes"]
    # An active household pass, at home, not exempt: no status, person, dates or flags.
    assert set(row) == {"id", "serial", "digest", "household", "room", "size"}
    assert row["size"] == 2


def test_a_sync_since_the_cursor_carries_the_changes_after_it_and_nothing_else(
    client: Client,
    checkpoint_a: Any,
    gate_a: Any,
    community_a: Any,
    grid_a1: Any,
) -> None:
    client.force_login(checkpoint_a)
    _, going_out = household_with_pass(community_a, grid_a1)
    _, lost = household_with_pass(community_a, grid_a1)
    quiet_household, quiet = household_with_pass(community_a, grid_a1)
    first = sync(client, gate_a)
    assert {p["id"] for p in first["passes"]} == {going_out.pk, lost.pk, quiet.pk}
    age_everything(timezone.now())

    # After the cursor: one household goes out, one card is lost and replaced.
    scan(gate_a, going_out.token, "out")
    new = services.do_replace_pass(lost, by=None, reason="lost")

    later = sync(client, gate_a, since=first["cursor"])

    assert later["full"] is False
    changed = {p["id"]: p for p in later["passes"]}
    assert set(changed) == {going_out.pk, new.pk}
    assert "out_since" in changed[going_out.pk]
    assert later["removed"] == [lost.pk]
    assert len(later["exits"][f"h{going_out.household_id}"]) == 1
    assert f"h{quiet_household.pk}" not in later["exits"]
    assert later["cursor"] != first["cursor"]


def test_a_suspension_after_the_cursor_sends_the_pass_as_suspended(
    client: Client, checkpoint_a: Any, gate_a: Any, home_a: Any
) -> None:
    household, item = home_a
    client.force_login(checkpoint_a)
    first = sync(client, gate_a)
    age_everything(timezone.now())

    services.do_suspend_household_passes(
        household, source="office", reason="test", until=None, by=None
    )
    later = sync(client, gate_a, since=first["cursor"])

    (row,) = later["passes"]
    assert row["id"] == item.pk
    assert row["status"] == "suspended"
    assert "until" not in row  # until lifted: no end to send


def test_a_cursor_from_another_day_community_or_garbled_gets_the_full_list(
    client: Client, checkpoint_a: Any, gate_a: Any, home_a: Any
) -> None:
    client.force_login(checkpoint_a)
    yesterday = _cursor(gate_a.community_id, timezone.now() - dt.timedelta(days=1, hours=1))
    elsewhere = _cursor(gate_a.community_id + 1000, timezone.now())
    for cursor in (yesterday, elsewhere, "garbled", "1.99999999999999999999", ""):
        data = sync(client, gate_a, since=cursor)
        assert data["full"] is True, cursor
        assert len(data["passes"]) == 1


def test_a_sync_is_scoped_to_the_gate_s_community(
    client: Client,
    checkpoint_a: Any,
    gate_a: Any,
    gate_b: Any,
    home_a: Any,
    community_b: Any,
    grid_b1: Any,
) -> None:
    client.force_login(checkpoint_a)
    first = sync(client, gate_a)
    age_everything(timezone.now())

    _, other = household_with_pass(community_b, grid_b1)  # changed after the cursor, in B
    later = sync(client, gate_a, since=first["cursor"])

    assert other.pk not in {p["id"] for p in later["passes"]}
    assert later["passes"] == []
    assert later["removed"] == []
    # Community B's gate is not this guard's: not found, with or without a cursor.
    for params in ({"checkpoint": gate_b.pk}, {"checkpoint": gate_b.pk, "since": first["cursor"]}):
        assert client.get(reverse("access:gate_data"), params).status_code == 404
