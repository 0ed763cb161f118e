"""The outing rule as arithmetic: calendar-day windows in the community's time zone,
exemptions, the maximum time out, the order of the gate's reasons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.access.choices import FlagReason, PassStatus, ReasonCode
from fangkong.access.pass_policy import Facts, Rules, decide, is_open, quota, zone

SHANGHAI = zone("Asia/Shanghai")
RULES = Rules()  # one outing in two calendar days, four hours out at most


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """February 2020 in Shanghai: the 10th was a Monday."""
    return dt.datetime(2020, 2, day, hour, minute, tzinfo=SHANGHAI)


def exit_facts(now: dt.datetime, exits: tuple[dt.datetime, ...] = (), **kwargs: object) -> Facts:
    return Facts(
        direction="out",
        at=now,
        rules=kwargs.pop("rules", RULES),
        pass_status=kwargs.pop("pass_status", PassStatus.ACTIVE),
        exits=exits,
        **kwargs,
    )  # type: ignore[arg-type]


def test_out_on_monday_the_next_outing_is_allowed_from_wednesday_midnight() -> None:
    monday = at(10, 9)
    refused = decide(exit_facts(at(11, 8), (monday,)))
    assert refused.reason_code == ReasonCode.QUOTA_USED
    assert refused.next_allowed_at == at(12, 0)
    assert decide(exit_facts(at(12, 0), (monday,))).reason_code == ReasonCode.OK


def test_a_window_crosses_midnight_by_calendar_day_not_by_hours() -> None:
    # Out at 23:59 on Monday: two minutes later (Tuesday) is the same window...
    late_monday = at(10, 23, 59)
    assert decide(exit_facts(at(11, 0, 1), (late_monday,))).reason_code == ReasonCode.QUOTA_USED
    # ...and on Wednesday at 00:00, 24 hours and one minute later, a new one.
    assert decide(exit_facts(at(12, 0, 0), (late_monday,))).allowed


def test_the_window_is_counted_in_the_communitys_time_zone() -> None:
    # 17:00 UTC on Monday is 01:00 on Tuesday in Shanghai: the next outing is from Thursday.
    exit_utc = dt.datetime(2020, 2, 10, 17, 0, tzinfo=dt.UTC)
    result = decide(exit_facts(at(12, 10), (exit_utc,)))
    assert result.reason_code == ReasonCode.QUOTA_USED
    assert result.next_allowed_at == at(13, 0)


def test_a_quota_of_two_in_three_days_waits_for_the_right_exit_to_leave() -> None:
    rules = Rules(outings=2, window_days=3)
    exits = (at(10, 9), at(11, 9))
    result = quota(exits, at(12, 9), rules)
    assert result.left == 0
    assert result.next_allowed_at == at(13, 0)  # Monday's exit leaves the window on Thursday
    assert quota(exits, at(13, 0), rules).left == 1


def test_an_allowed_exit_reports_what_is_left_after_it() -> None:
    result = decide(exit_facts(at(10, 9)))
    assert result.allowed
    assert result.quota_left == 0
    assert result.next_allowed_at == at(12, 0)


def test_an_exemption_lifts_the_quota_and_the_time_limit() -> None:
    result = decide(exit_facts(at(11, 8), (at(10, 9),), exempt=True, household_overdue=True))
    assert result.allowed
    assert result.quota_left is None


def test_someone_out_beyond_the_maximum_time_keeps_the_household_in() -> None:
    result = decide(exit_facts(at(12, 9), household_overdue=True))
    assert result.reason_code == ReasonCode.OVERDUE


def test_an_entry_is_let_in_and_a_late_one_is_flagged_overdue() -> None:
    back_on_time = Facts(
        direction="in",
        at=at(10, 12),
        rules=RULES,
        pass_status=PassStatus.ACTIVE,
        out_since=at(10, 9),
        exits=(at(10, 9),),
    )
    assert decide(back_on_time).reason_code == ReasonCode.OK
    back_late = Facts(
        direction="in",
        at=at(10, 13, 1),
        rules=RULES,
        pass_status=PassStatus.ACTIVE,
        out_since=at(10, 9),
        exits=(at(10, 9),),
    )
    result = decide(back_late)
    assert result.allowed
    assert result.reason_code == ReasonCode.OVERDUE
    assert FlagReason.OVERDUE in result.flags


def test_an_entry_without_an_exit_is_let_in_and_flagged() -> None:
    result = decide(
        Facts(direction="in", at=at(10, 12), rules=RULES, pass_status=PassStatus.ACTIVE)
    )
    assert result.allowed
    assert result.flags == (FlagReason.ENTRY_WITHOUT_EXIT,)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (None, ReasonCode.UNKNOWN_PASS),
        (PassStatus.VOID, ReasonCode.VOID),
        (PassStatus.REPLACED, ReasonCode.REPLACED),
        (PassStatus.SUSPENDED, ReasonCode.SUSPENDED),
    ],
)
def test_a_pass_that_does_not_work_is_refused_both_ways(status: str | None, code: str) -> None:
    for direction in ("out", "in"):
        result = decide(Facts(direction=direction, at=at(10, 9), rules=RULES, pass_status=status))
        assert (result.decision, result.reason_code) == ("deny", code)


def test_a_suspension_whose_end_has_passed_no_longer_counts() -> None:
    result = decide(
        exit_facts(at(10, 9), pass_status=PassStatus.SUSPENDED, suspended_until=at(10, 8))
    )
    assert result.allowed


def test_fever_is_refused_at_the_threshold_both_ways() -> None:
    for direction in ("out", "in"):
        result = decide(
            Facts(
                direction=direction,
                at=at(10, 9),
                rules=RULES,
                pass_status=PassStatus.ACTIVE,
                temperature=Decimal("37.3"),
            )
        )
        assert result.reason_code == ReasonCode.FEVER
    ok = decide(exit_facts(at(10, 9), temperature=Decimal("37.2")))
    assert ok.allowed


def test_a_closed_gate_refuses_before_looking_at_the_pass() -> None:
    result = decide(exit_facts(at(10, 9), pass_status=PassStatus.VOID, gate_open=False))
    assert result.reason_code == ReasonCode.GATE_CLOSED


def test_gate_hours_by_day_and_overnight() -> None:
    day = {"opens": dt.time(6), "closes": dt.time(22), "time_zone": "Asia/Shanghai"}
    assert is_open(is_open_flag=True, at=at(10, 6), **day)
    assert not is_open(is_open_flag=True, at=at(10, 22), **day)
    assert not is_open(is_open_flag=False, at=at(10, 12), **day)
    night = {"opens": dt.time(20), "closes": dt.time(6), "time_zone": "Asia/Shanghai"}
    assert is_open(is_open_flag=True, at=at(10, 23), **night)
    assert is_open(is_open_flag=True, at=at(10, 5, 59), **night)
    assert not is_open(is_open_flag=True, at=at(10, 12), **night)
    assert is_open(
        is_open_flag=True, opens=None, closes=None, at=at(10, 3), time_zone="Asia/Shanghai"
    )


@settings(deadline=None)
@given(
    outings=st.integers(1, 3),
    window=st.integers(1, 5),
    offsets=st.lists(st.integers(0, 14 * 24 * 60), max_size=8),
    now_offset=st.integers(0, 16 * 24 * 60),
)
def test_the_next_allowed_time_is_the_first_moment_with_an_outing_left(
    outings: int, window: int, offsets: list[int], now_offset: int
) -> None:
    rules = Rules(outings=outings, window_days=window)
    start = at(10, 0)
    # The exits a gate knows of have all happened by now.
    exits = tuple(start + dt.timedelta(minutes=m) for m in offsets if m <= now_offset)
    now = start + dt.timedelta(minutes=now_offset)
    result = quota(exits, now, rules)
    if result.left:
        assert result.next_allowed_at is None
    else:
        assert result.next_allowed_at > now
        assert quota(exits, result.next_allowed_at, rules).left >= 1
        just_before = result.next_allowed_at - dt.timedelta(seconds=1)
        assert quota(exits, just_before, rules).left == 0
