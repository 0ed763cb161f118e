"""The household page asks the database a constant number of times: members, their health
status and today's reports are read in one query each, whatever the household's size."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.access.tests.factories import issue_pass
from fangkong.health.choices import QuarantineKind
from fangkong.health.tests.factories import QuarantineFactory, family, members
from fangkong.inquiries.services import do_ask_from_household
from fangkong.selfservice.services import do_self_report
from fangkong.selfservice.tests.conftest import Home
from fangkong.selfservice.tests.factories import household_client, issue_link

pytestmark = pytest.mark.django_db


def _page_queries(client: Any) -> int:
    client.get("/s/home/")  # the session's first look settles its own writes
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/s/home/")
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_household_page_asks_as_often_for_six_members_under_monitoring_as_for_one(
    home: Home, grid_a1: Any, django_assert_max_num_queries: Any
) -> None:
    small = _page_queries(home.client)

    household = family(grid_a1, members=6)
    people = members(household)
    issue_pass(household)
    for person in people:
        QuarantineFactory(person=person, kind=QuarantineKind.MONITORING)
    link, token = issue_link(household)
    do_self_report(link, person_id=people[0].pk, temperature="36.5")
    for n in range(3):
        do_ask_from_household(household, question=f"问题{n}")
    client = household_client(token)
    client.get("/s/home/")

    with django_assert_max_num_queries(small):
        page = client.get("/s/home/")
    assert page.content.decode().count('name="member"') == 5  # one reported already
