"""Daily figures: each module's counted against hand-made rows, stored idempotently, summed
from communities to street and district, over the community's own local day."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.access.tests.factories import CheckpointFactory, household_with_pass, scan
from fangkong.areas.tests.factories import AreaFactory
from fangkong.health.tests.factories import (
    CaseFactory,
    DisinfectionFactory,
    QuarantineFactory,
    family,
)
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Person
from fangkong.reports import daily
from fangkong.reports.models import CommunityFigure
from fangkong.staff.choices import OPEN_STATUSES
from fangkong.staff.models import Task
from fangkong.staff.tests.factories import TaskFactory, patrol

pytestmark = pytest.mark.django_db


def test_every_registered_key_has_a_label_and_a_group() -> None:
    grouped = [key for _title, keys in daily.DAILY_GROUPS for key in keys]
    assert grouped == list(daily.DAILY_KEYS)
    assert set(daily.DAILY_LABELS) == set(daily.DAILY_KEYS)
    assert {"quarantine.home", "gate.exits", "screening.reached", "patrols"} <= set(
        daily.DAILY_KEYS
    )


def _hand_made_day(community: Any, grid: Any) -> dict[str, int]:
    """Rows of today in ``community`` and the figures a person counts from them."""
    today = community.local_today()
    # Registry: households of 3 and 2 people made today; one of the first left today.
    first = family(grid, 3)
    family(grid, 2)
    leaver = Person.objects.filter(household=first).order_by("pk").first()
    assert leaver is not None
    Person.objects.filter(pk=leaver.pk).update(status=PersonStatus.MOVED_OUT, status_date=today)
    # Access: a third household (2 people) with a pass goes out and comes back; a card the
    # gate does not know is refused.
    _household, item = household_with_pass(community, grid, members=2)
    gate = CheckpointFactory(community=community)
    scan(gate, item.token, "out")
    scan(gate, item.token, "in")
    scan(gate, "000000", "out")
    # Health: a confirmed case reported today; a home quarantine begun today, no report yet;
    # a disinfection an hour ago.
    CaseFactory(person__household=first, report_date=today)
    QuarantineFactory(person__household=first)
    DisinfectionFactory(building=first.building, done_at=timezone.now())
    # Staff: an open task due tomorrow, a patrol now.
    TaskFactory(community=community)
    patrol(gate)
    # The health services raise follow-up tasks of their own (the case, the quarantine):
    # counted with the one made here.
    tasks = Task.objects.filter(community=community, status__in=OPEN_STATUSES)
    overdue = tasks.filter(due__lt=timezone.now()).count()
    return {
        "households.total": 3,
        "households.added": 3,
        # 3 + 2 + 2 made today, one left; the case's and the quarantined person are new too
        "people.added": 9,
        "people.total": 8,
        "people.left": 1,
        "passes.active": 1,
        "gate.exits": 1,
        "gate.entries": 1,
        "gate.refusals": 1,
        "gate.refusals.unknown_pass": 1,
        "cases.confirmed": 1,
        "cases.new": 1,
        "quarantine.home": 1,
        "reports.missing": 1,
        "disinfections": 1,
        "tasks.open": tasks.count(),
        "tasks.overdue": overdue,
        "patrols": 1,
    }


def test_each_figure_counts_the_hand_made_rows_of_the_day(
    community_a: Any, community_b: Any, grid_a1: Any
) -> None:
    expected = _hand_made_day(community_a, grid_a1)
    counted = daily.count_day([community_a.pk, community_b.pk], community_a.local_today())
    got = counted[community_a.pk]
    assert {key: got[key] for key in expected} == expected
    assert all(value == 0 for key, value in got.items() if key not in expected)
    assert set(counted[community_b.pk].values()) == {0}


def test_the_day_before_counts_only_what_existed_then(community_a: Any, grid_a1: Any) -> None:
    _hand_made_day(community_a, grid_a1)
    yesterday = community_a.local_today() - dt.timedelta(days=1)
    got = daily.count_day([community_a.pk], yesterday)[community_a.pk]
    assert got["households.total"] == 0
    assert got["people.total"] == 0
    assert got["gate.exits"] == 0
    assert got["quarantine.home"] == 0
    assert got["cases.confirmed"] == 0


def test_counting_costs_the_same_queries_for_one_community_or_many(
    community_a: Any, community_b: Any, grid_a1: Any, street: Any
) -> None:
    _hand_made_day(community_a, grid_a1)
    many = [community_a.pk, community_b.pk, *(AreaFactory(parent=street).pk for _ in range(5))]
    day = community_a.local_today()
    with CaptureQueriesContext(connection) as one:
        daily.count_day([community_a.pk], day)
    with CaptureQueriesContext(connection) as seven:
        daily.count_day(many, day)
    assert len(seven) == len(one)


def test_storing_again_replaces_the_day_and_keeps_one_row_per_key(
    community_a: Any, grid_a1: Any
) -> None:
    day = community_a.local_today()
    assert daily.store_day([community_a.pk], day) == 1
    assert daily.figures_for(community_a, day)["households.total"] == 0
    family(grid_a1, 2)
    daily.store_day([community_a.pk], day)
    daily.store_day([community_a.pk], day)
    rows = CommunityFigure.objects.filter(community=community_a, day=day, key__in=daily.DAILY_KEYS)
    assert rows.count() == len(daily.DAILY_KEYS)
    assert daily.figures_for(community_a, day)["households.total"] == 1
    assert daily.figures_for(community_a, day)["people.total"] == 2


def test_storing_a_day_leaves_the_home_pages_stored_figures_alone(
    community_a: Any, grid_a1: Any
) -> None:
    from fangkong.reports.figures import refresh_figures

    family(grid_a1, 2)
    refresh_figures([community_a.pk])
    before = set(CommunityFigure.objects.exclude(key__in=daily.DAILY_KEYS).values_list("pk"))
    daily.store_day([community_a.pk], community_a.local_today())
    assert set(CommunityFigure.objects.exclude(key__in=daily.DAILY_KEYS).values_list("pk")) == (
        before
    )


def test_a_street_and_a_district_are_the_sums_of_their_communities(
    district: Any, street: Any, community_a: Any, community_b: Any, grid_a1: Any, grid_b1: Any
) -> None:
    _hand_made_day(community_a, grid_a1)
    _hand_made_day(community_b, grid_b1)
    other_street = AreaFactory(parent=district)
    community_c = AreaFactory(parent=other_street)
    family(AreaFactory(parent=community_c), 4)
    day = community_a.local_today()
    daily.store_day(None, day)
    a = daily.figures_for(community_a, day)
    b = daily.figures_for(community_b, day)
    c = daily.figures_for(community_c, day)
    street_sum = daily.figures_for(street, day)
    district_sum = daily.figures_for(district, day)
    for key in daily.DAILY_KEYS:
        assert street_sum[key] == a[key] + b[key], key
        assert district_sum[key] == street_sum[key] + daily.figures_for(other_street, day)[key]
        assert district_sum[key] == a[key] + b[key] + c[key], key
    by_community = daily.figures_by_community(street, day)
    assert set(by_community) == {community_a.pk, community_b.pk}
    assert by_community[community_a.pk] == a
    assert a["people.total"] == 8
    assert c["people.total"] == 4


def test_a_district_sum_is_one_query(district: Any, street: Any, community_a: Any) -> None:
    for _ in range(4):
        AreaFactory(parent=street)
    day = community_a.local_today()
    daily.store_day(None, day)
    with CaptureQueriesContext(connection) as queries:
        daily.figures_for(district, day)
    assert len(queries) == 1


def test_the_day_ends_at_the_communitys_own_midnight(street: Any) -> None:
    """A community six hours east of Greenwich (Ürümqi time): a disinfection at 23:30 its
    time belongs to that day, though it is already the next day in Beijing."""
    west = AreaFactory(parent=street, time_zone="Asia/Urumqi")
    grid = AreaFactory(parent=west)
    day = dt.date(2026, 3, 1)
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("Asia/Urumqi"))
    DisinfectionFactory(building=family(grid, 1).building, done_at=late)
    patrol_point = CheckpointFactory(community=west)
    patrol(patrol_point, time=late + dt.timedelta(hours=1))  # 00:30 on the 2nd, its time
    first = daily.count_day([west.pk], day)[west.pk]
    second = daily.count_day([west.pk], day + dt.timedelta(days=1))[west.pk]
    assert (first["disinfections"], first["patrols"]) == (1, 0)
    assert (second["disinfections"], second["patrols"]) == (0, 1)


def test_the_nightly_job_stores_yesterday_once_the_local_midnight_has_passed(
    community_a: Any, grid_a1: Any
) -> None:
    tz = ZoneInfo(community_a.time_zone)
    day = dt.date(2026, 3, 1)
    before_midnight = dt.datetime(2026, 3, 1, 23, 50, tzinfo=tz)
    after_midnight = dt.datetime(2026, 3, 2, 0, 10, tzinfo=tz)
    assert daily.store_yesterday(before_midnight) == 1  # the day before, 28 February
    assert daily.store_yesterday(before_midnight) == 0
    assert CommunityFigure.objects.filter(day=day, key__in=daily.DAILY_KEYS).count() == 0
    # Stored during the day (an officer looked at the day's figures): counted again after.
    daily.store_day([community_a.pk], day)
    CommunityFigure.objects.filter(day=day).update(updated=before_midnight)
    assert daily.store_yesterday(after_midnight) == 1
    assert daily.store_yesterday(after_midnight) == 0  # already stored whole
    rows = CommunityFigure.objects.filter(community=community_a, day=day, key__in=daily.DAILY_KEYS)
    assert rows.count() == len(daily.DAILY_KEYS)


def test_a_grid_has_no_daily_figures_of_its_own(grid_a1: Any) -> None:
    with pytest.raises(ValueError, match="per community"):
        daily.figures_for(grid_a1, dt.date(2026, 3, 1))


def test_a_streets_stored_sums_follow_a_recount_of_one_community(
    district: Any, street: Any, community_a: Any, community_b: Any, grid_a1: Any, grid_b1: Any
) -> None:
    day = community_a.local_today()
    family(grid_b1, 2)
    daily.store_day(None, day)
    assert CommunityFigure.objects.filter(community=street, day=day).count() == len(
        daily.DAILY_KEYS
    )
    family(grid_a1, 3)
    daily.store_day([community_a.pk], day)  # only A counted again: B's stored row stays
    assert daily.figures_for(street, day)["people.total"] == 5
    assert daily.figures_for(district, day)["people.total"] == 5
    assert daily.series(street, day, day)[day]["people.total"] == 5


def test_an_area_never_rolled_up_is_summed_from_its_communities(
    street: Any, community_a: Any, grid_a1: Any
) -> None:
    family(grid_a1, 2)
    day = community_a.local_today()
    daily.store_day([community_a.pk], day)
    CommunityFigure.objects.filter(community=street).delete()
    assert daily.figures_for(street, day)["people.total"] == 2
    assert daily.series(street, day, day)[day]["people.total"] == 2
