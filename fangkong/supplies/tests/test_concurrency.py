"""Two people issuing the last box at the same moment: one gets it, the other is told, and
the ledger never goes below zero. Two processes (as two web workers) on the test's own
database, on SQLite (a file: its IMMEDIATE transactions take turns) and on PostgreSQL (the
stock row's ``SELECT … FOR UPDATE``)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum

from fangkong.core.tests.server import database_url_for_a_server
from fangkong.supplies import services
from fangkong.supplies.choices import Unit
from fangkong.supplies.models import Movement, Stock
from fangkong.supplies.tests.factories import disinfectant, donation

pytestmark = pytest.mark.django_db(transaction=True)

#: One worker: wait for the moment both start, issue the box, print what happened.
WORKER = """
import json, sys, time
import django
django.setup()
from django.core.exceptions import ValidationError
from fangkong.supplies import services
from fangkong.supplies.models import Item, Place
item, place, day, start = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
import datetime as dt
item, place = Item.objects.get(pk=item), Place.objects.get(pk=place)
time.sleep(max(0.0, start - time.time()))
try:
    services.do_issue_stock(place=place, item=item, quantity=1, unit="box",
        day=dt.date.fromisoformat(day), recipient="person", signed_by="worker", by=None)
    print(json.dumps({"ok": True}))
except ValidationError as refused:
    print(json.dumps({"ok": False, "message": " ".join(refused.messages)}))
"""


def _run_both(url: str, args: list[str]) -> list[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DJANGO_SETTINGS_MODULE="fangkong.settings", DATABASE_URL=url, FANGKONG_TESTING="1")
    start = time.time() + 6  # both have set Django up by then
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, *args, str(start)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_two_people_issuing_the_last_box_at_once_one_gets_it_the_other_is_told(
    tmp_path: Path, community_a: Any
) -> None:
    # Given an office holding one box of 30 bottles
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    donation(office, [(item, 1, Unit.BOX)])
    day = community_a.local_today().isoformat()

    # When two workers issue that box at the same moment
    url = database_url_for_a_server(tmp_path)
    results = _run_both(url, [str(item.pk), str(office.pk), day])

    # Then one issued it and the other was told how much was left
    assert sorted(r["ok"] for r in results) == [False, True], results
    refused = next(r for r in results if not r["ok"])
    assert "30" in refused["message"] or "0" in refused["message"]
    # and the ledger holds at zero, never below (the workers wrote to the served database).
    assert _balances(url, item.pk, office.pk) == (0, 0)


def _balances(url: str, item: int, place: int) -> tuple[int, int]:
    """The stock row's balance and the ledger's sum, as the workers left them."""
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            stock = db.execute(
                "SELECT quantity FROM supplies_stock WHERE item_id = ? AND place_id = ?",
                (item, place),
            ).fetchone()[0]
            ledger = db.execute(
                "SELECT SUM(quantity) FROM supplies_movement WHERE item_id = ?", (item,)
            ).fetchone()[0]
        return stock, ledger
    stock = Stock.objects.get(item_id=item, place_id=place).quantity
    ledger = Movement.objects.filter(item_id=item).aggregate(s=Sum("quantity"))["s"]
    return stock, ledger
