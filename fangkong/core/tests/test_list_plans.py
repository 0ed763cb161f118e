"""The audit log of one community is a range of its index (community_id, time, id): the
database no longer walks the time index backwards across every community's changes to find
one community's newest 50 (issue 12, cause 4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from fangkong.core.choices import ChangeAction
from fangkong.core.filtersets import ObjectChangeFilterSet
from fangkong.core.models import ObjectChange
from fangkong.core.pagination import Keyset
from fangkong.core.tests.plans import analyze, assert_served_by_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_communities_changing(community_a: Any, community_b: Any) -> None:
    kind = ContentType.objects.get_for_model(ObjectChange)
    for community in (community_a, community_b):
        for number in range(5):
            ObjectChange.objects.create(
                action=ChangeAction.UPDATE,
                content_type=kind,
                object_id=str(number),
                object_repr=f"row {number}",
                area_path=community.path,
                community_id=community.pk,
            )
    analyze(ObjectChange)


def test_a_community_s_audit_log_reads_its_index_newest_first(
    two_communities_changing: None, community_a: Any
) -> None:
    changes = ObjectChange.objects.filter(community_id__in=[community_a.pk])

    assert_served_by_index(changes[:50], "objectchange_log_idx")


def test_a_community_s_audit_log_between_two_days_is_a_range_of_the_same_index(
    two_communities_changing: None, community_a: Any
) -> None:
    today = timezone.localdate().isoformat()
    changes = ObjectChangeFilterSet(
        {"since": today, "until": today},
        queryset=ObjectChange.objects.filter(community_id__in=[community_a.pk]),
    ).qs

    assert changes.filter(object_repr__startswith="row ").count() == 5
    assert_served_by_index(changes[:50], "objectchange_log_idx")


def test_the_audit_log_s_next_page_by_cursor_reads_the_same_index(
    two_communities_changing: None, community_a: Any
) -> None:
    keyset = Keyset(ObjectChange.objects.filter(community_id__in=[community_a.pk]), "/audit/")
    first, _ = keyset.page(None, 2)

    assert_served_by_index(
        keyset.page_query(keyset.position_after(first[-1]), 50), "objectchange_log_idx"
    )
