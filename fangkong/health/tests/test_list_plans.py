"""The health lists' queries are ranges of their indexes: one community's cases, contacts,
quarantines and reports cost the same in a district of a hundred communities as alone
(issue 12).

Each list is asked the way it is asked for a community officer (rows of their community, the
list's default filter and order, a page of 50), and the next page the way a cursor asks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.core.pagination import Keyset
from fangkong.core.tests.plans import analyze, assert_served_by_index
from fangkong.health.filtersets import QuarantineFilterSet, ReportFilterSet
from fangkong.health.models import Case, Contact, HealthReport, Quarantine
from fangkong.health.tests.factories import (
    CaseFactory,
    ContactFactory,
    QuarantineFactory,
    ReportFactory,
    family,
    members,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_communities_in_care(grid_a1: Any, grid_b1: Any) -> None:
    for grid in (grid_a1, grid_b1):
        household = family(grid, members=3)
        first, second, third = members(household)
        case = CaseFactory(person=first)
        ContactFactory(case=case, person=second)
        QuarantineFactory(person=third)
        ReportFactory(person=third)


@pytest.fixture
def months_of_history(two_communities_in_care: None) -> None:
    """Many ended quarantines and past days' reports beside today's few, as a community has
    after a few months: the filters of the lists' defaults are then selective."""
    quarantine = Quarantine.objects.order_by("pk").first()
    report = HealthReport.objects.order_by("pk").first()
    past = []
    for days in range(1, 201):
        old = Quarantine(
            **{
                f.attname: getattr(quarantine, f.attname)
                for f in Quarantine._meta.concrete_fields
                if not f.primary_key
            }
        )
        old.start_date = quarantine.start_date - dt.timedelta(days=days + 14)
        old.planned_end = old.ended_on = old.start_date + dt.timedelta(days=14)
        past.append(old)
    Quarantine.objects.bulk_create(past)
    HealthReport.objects.bulk_create(
        [
            HealthReport(
                **{
                    **{
                        f.attname: getattr(report, f.attname)
                        for f in HealthReport._meta.concrete_fields
                        if not f.primary_key
                    },
                    "taken_at": report.taken_at - dt.timedelta(days=days),
                    "day": report.day - dt.timedelta(days=days),
                }
            )
            for days in range(1, 201)
        ]
    )
    analyze(Quarantine, HealthReport)


def _of(model: type, community: Any) -> Any:
    return model.objects.filter(community_id__in=[community.pk])


def _next_page(queryset: Any) -> Any:
    keyset = Keyset(queryset, "/health/list/")
    first, _ = keyset.page(None, 1)
    return keyset.page_query(keyset.position_after(first[-1]), 50)


def test_the_cases_of_a_community_read_their_index_newest_report_first(
    two_communities_in_care: None, community_a: Any
) -> None:
    cases = _of(Case, community_a)

    assert_served_by_index(cases[:50], "health_case_list")
    assert_served_by_index(_next_page(cases), "health_case_list")


def test_the_contacts_of_a_community_read_their_index_by_case(
    two_communities_in_care: None, community_a: Any
) -> None:
    contacts = _of(Contact, community_a)

    assert_served_by_index(contacts[:50], "health_contact_list")
    assert_served_by_index(_next_page(contacts), "health_contact_list")


def test_the_current_quarantines_of_a_community_read_their_index(
    months_of_history: None, community_a: Any
) -> None:
    current = QuarantineFilterSet({"active": "true"}, queryset=_of(Quarantine, community_a)).qs

    assert current.exists()
    assert_served_by_index(current[:50], "health_quarantine_current")
    assert_served_by_index(_next_page(current), "health_quarantine_current")


def test_all_quarantines_of_a_community_read_their_index_newest_start_first(
    two_communities_in_care: None, community_a: Any
) -> None:
    quarantines = _of(Quarantine, community_a)

    assert_served_by_index(quarantines[:50], "health_quarantine_list")


def test_the_reports_of_a_community_for_a_day_read_their_index(
    months_of_history: None, community_a: Any
) -> None:
    today = ReportFilterSet(
        {"day": timezone.localdate().isoformat()}, queryset=_of(HealthReport, community_a)
    ).qs

    assert today.exists()
    assert_served_by_index(today[:50], "health_report_day_list")
    assert_served_by_index(_next_page(today), "health_report_day_list")


def test_all_reports_of_a_community_read_their_index_newest_first(
    two_communities_in_care: None, community_a: Any
) -> None:
    reports = _of(HealthReport, community_a).filter(
        taken_at__gte=timezone.now() - dt.timedelta(days=400)
    )

    assert_served_by_index(_of(HealthReport, community_a)[:50], "health_report_list")
    assert_served_by_index(reports[:50], "health_report_list")
