"""Which volunteers match a request: time of day and weekday, skills, area, health, and
whether they are already on duty then (another request, or any shift of the roster)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fangkong.staff.duty_hours import local_midnight, zone_of
from fangkong.staff.tests.factories import ShiftFactory, StaffMemberFactory, assign
from fangkong.volunteers import services
from fangkong.volunteers.choices import Health, Skill, VolunteerGroup
from fangkong.volunteers.matching import matching_volunteers, why_not, window_covers
from fangkong.volunteers.tests.factories import VolunteerFactory, VolunteerRequestFactory, accept

pytestmark = pytest.mark.django_db


def next_weekday(community: Any, iso: int) -> dt.date:
    """The next date (after today) that falls on ISO weekday ``iso``."""
    day = community.local_today() + dt.timedelta(days=1)
    while day.isoweekday() != iso:
        day += dt.timedelta(days=1)
    return day


def request_at(community: Any, day: dt.date, start: int, hours: int, **kwargs: Any) -> Any:
    begin = local_midnight(day, zone_of(community)) + dt.timedelta(hours=start)
    return VolunteerRequestFactory(
        community=community, start=begin, end=begin + dt.timedelta(hours=hours), **kwargs
    )


def fit(community: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("health_checked_on", community.local_today())
    return VolunteerFactory(community=community, **kwargs)


def test_a_daily_window_holds_a_duty_inside_it_and_one_past_midnight() -> None:
    day = dt.datetime(2020, 2, 18, 20, 0)
    assert window_covers(dt.time(18), dt.time(8), day, day + dt.timedelta(hours=10))
    assert not window_covers(dt.time(18), dt.time(8), day, day + dt.timedelta(hours=13))
    assert window_covers(dt.time(0), dt.time(0), day, day + dt.timedelta(hours=24))
    assert not window_covers(dt.time(8), dt.time(12), day, day + dt.timedelta(hours=1))


def test_it_offers_those_free_at_that_time_of_day_and_weekday(community_a: Any) -> None:
    monday = next_weekday(community_a, 1)
    evenings = fit(community_a, available_from=dt.time(18), available_until=dt.time(8))
    mornings = fit(community_a, available_from=dt.time(8), available_until=dt.time(12))
    weekends = fit(community_a, weekdays="67")
    tonight = request_at(community_a, monday, 20, 4)

    found = matching_volunteers(tonight)

    assert evenings in found
    assert mornings not in found
    assert weekends not in found
    assert why_not(mornings, tonight) == f"{mornings}此时没有空。"


def test_it_wants_every_skill_asked_for(community_a: Any) -> None:
    driver_medic = fit(community_a, skills=[Skill.DRIVING, Skill.MEDICAL])
    driver = fit(community_a, skills=[Skill.DRIVING])
    wanted = VolunteerRequestFactory(community=community_a, skills=[Skill.DRIVING, Skill.MEDICAL])

    assert matching_volunteers(wanted) == [driver_medic]
    assert why_not(driver, wanted) == f"{driver}缺少该需求所要的技能。"


def test_it_offers_those_serving_the_whole_community_or_the_requests_grid(
    community_a: Any, grid_a1: Any, grid_a2: Any
) -> None:
    anywhere = fit(community_a)
    in_a1 = fit(community_a, area=grid_a1)
    in_a2 = fit(community_a, area=grid_a2)
    wanted = VolunteerRequestFactory(community=community_a, area=grid_a1)

    found = matching_volunteers(wanted)

    assert set(found) == {anywhere, in_a1}
    assert in_a2 not in found


def test_it_leaves_out_the_unfit_the_unchecked_and_the_inactive(community_a: Any) -> None:
    today = community_a.local_today()
    well = fit(community_a)
    unfit = fit(community_a, health=Health.NOT_FIT)
    stale = fit(community_a, health_checked_on=today - dt.timedelta(days=30))
    never = fit(community_a, health_checked_on=None)
    retired = fit(community_a, is_active=False)
    wanted = VolunteerRequestFactory(community=community_a)

    assert matching_volunteers(wanted) == [well]
    assert why_not(unfit, wanted) == f"{unfit}目前不宜值守。"
    assert why_not(stale, wanted) == f"{stale}近14天内没有健康检查记录。"
    assert why_not(never, wanted) == f"{never}近14天内没有健康检查记录。"
    assert why_not(retired, wanted) == f"{retired} 已不在岗。"


def test_veterans_come_first_then_their_families(community_a: Any) -> None:
    other = fit(community_a, groups=[VolunteerGroup.PARTY_MEMBER])
    family = fit(community_a, groups=[VolunteerGroup.VETERAN_FAMILY])
    veteran = fit(community_a, groups=[VolunteerGroup.VETERAN])
    wanted = VolunteerRequestFactory(community=community_a)

    assert matching_volunteers(wanted) == [veteran, family, other]


def test_someone_accepted_on_an_overlapping_request_is_not_offered_again(
    community_a: Any,
) -> None:
    day = next_weekday(community_a, 3)
    busy = fit(community_a)
    free = fit(community_a)
    first = request_at(community_a, day, 8, 4, people_needed=2)
    accept(first, busy)
    overlapping = request_at(community_a, day, 11, 2)
    later = request_at(community_a, day, 12, 2)

    assert matching_volunteers(overlapping) == [free]
    assert set(matching_volunteers(later)) == {busy, free}
    with pytest.raises(Exception, match="已在值守"):
        accept(overlapping, busy)


def test_someone_on_any_roster_shift_then_is_not_offered(community_a: Any) -> None:
    day = next_weekday(community_a, 4)
    volunteer = fit(community_a)
    # They served once before: their roster entry exists; now the office put them on a shift.
    accept(request_at(community_a, day - dt.timedelta(days=7), 8, 2), volunteer)
    volunteer.refresh_from_db()
    begin = local_midnight(day, zone_of(community_a)) + dt.timedelta(hours=9)
    shift = ShiftFactory(
        community=community_a, start=begin, end=begin + dt.timedelta(hours=4), place_name="办公室"
    )
    assign(shift, volunteer.staff_member)
    wanted = request_at(community_a, day, 10, 2)

    assert matching_volunteers(wanted) == []
    assert why_not(volunteer, wanted) == f"{volunteer}此时已在值守。"


def test_a_staff_member_who_is_no_volunteer_changes_nothing(community_a: Any) -> None:
    volunteer = fit(community_a)
    shift = ShiftFactory(community=community_a, place_name="办公室")
    assign(shift, StaffMemberFactory(community=community_a))
    wanted = VolunteerRequestFactory(community=community_a, start=shift.start, end=shift.end)

    assert matching_volunteers(wanted) == [volunteer]


def test_those_who_answered_are_not_offered_again(community_a: Any) -> None:
    declined = fit(community_a)
    wanted = VolunteerRequestFactory(community=community_a)
    services.do_answer_request(wanted, declined, accepted=False, by=None)

    assert matching_volunteers(wanted) == []
