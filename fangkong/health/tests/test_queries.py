"""Query counts of the main lists: pinned, and the same for more rows (no query per row)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.access.tests.factories import issue_pass
from fangkong.health.tests.factories import (
    CaseFactory,
    ContactFactory,
    DisinfectionFactory,
    ReportFactory,
    family,
    household_quarantine,
    members,
    pending_start,
)
from fangkong.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

#: The most queries each page may make (session, user, and the page's own fixed set).
PAGES = {
    "health:today": 25,
    "health:case_list": 5,
    "health:contact_list": 5,
    "health:quarantine_list": 6,  # its filter offers the buildings (one query, any rows)
    "health:report_list": 5,
    "health:disinfection_list": 11,
    "health:change_list": 6,
    "health:picture": 8,
    "health:buildings": 6,
    "health:chains": 5,
    "health:people": 5,
    "api:health-case-list": 5,
    "api:health-contact-list": 5,
    "api:health-quarantine-list": 5,
    "api:health-report-list": 5,
    "api:health-disinfection-list": 5,
    "api:health-change-list": 5,
}


def _rows(grid: Any, health: Any) -> None:
    """A case with a contact, a quarantined household with reports and a pass, a fever, a
    disinfection and a change waiting for approval."""
    household = family(grid, 3)
    issue_pass(household)
    case = CaseFactory(person=members(household)[0], isolated_on=timezone.localdate())
    ContactFactory(case=case, person=members(household)[1])
    other = family(grid, 2)
    household_quarantine(other, start_date=timezone.localdate() - dt.timedelta(days=1))
    for person in members(other):
        ReportFactory(person=person, temperature="37.8", taken_at=timezone.now())
    DisinfectionFactory(building=household.building)
    pending_start(PersonFactory(household=other), by=health)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_list_costs_the_same_queries_for_more_rows(
    client: Client, health_a: Any, grid_a1: Any, grid_worker_a1: Any, name: str
) -> None:
    client.force_login(health_a)
    url = reverse(name)
    _rows(grid_a1, health_a)
    client.get(url)  # warm the session and content types

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    _rows(grid_a1, health_a)
    _rows(grid_a1, health_a)
    assert queries() == few
    assert few <= PAGES[name], f"{name}: {few} queries"
