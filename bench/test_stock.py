"""``bench/stock.py`` at a tiny size, so the builder and the measurement cannot rot. The
benchmark's figures are not checked here: it is a benchmark, not a timed test."""

from __future__ import annotations

import datetime as dt

import pytest

from bench import stock

pytestmark = pytest.mark.django_db


def test_the_builder_makes_a_ledger_and_the_balances_answer_in_one_query() -> None:
    # Given a district of two communities with two weeks of ledger rows
    first = dt.date(2020, 1, 1)
    built = stock.build(communities=2, days=14, first=first)

    # When the balances of the middle day are measured
    result = stock.measure(built, first + dt.timedelta(days=7), runs=1)

    # Then the ledger was written and each read is one query over the communities asked for
    assert built["ledger_rows"] == 2 * (2 * 10 + 14 * 3 * 2 * 3)
    assert result["district"]["queries"] == 1
    assert result["community"]["queries"] == 1
    assert result["district"]["balances"] > result["community"]["balances"] > 0
