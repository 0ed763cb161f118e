"""``bench/scale.py`` at a tiny size, so the builder and the page list cannot rot.

The demo is built in the test's database, rewritten as a district of two communities (the
demo community and one clone of five households), and three of the measured pages are
fetched once; one test, as building the demo is most of its time. The benchmark's figures
are not checked here: it is a benchmark, not a timed test (issue 12).
"""

from __future__ import annotations

import pytest

from bench import scale
from fangkong.access.models import GateEvent, Pass
from fangkong.accounts.models import User
from fangkong.areas.demo import COMMUNITY
from fangkong.areas.models import Area
from fangkong.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def test_the_builder_clones_the_demo_community_and_its_pages_answer() -> None:
    # Given the demo rewritten as a district of two communities, the clone with 5 households
    result = scale.build(communities=2, households=5)

    # Then every plain *_id column found its table
    assert result["unmapped_columns"] == []
    demo = Area.objects.get(code=COMMUNITY[1])
    clone = Area.objects.get(code=f"{COMMUNITY[1]}~1")
    assert clone.parent_id == demo.parent_id
    assert clone.path == f"{demo.parent.path}{clone.pk}/"
    # the demo community keeps all its rows, the clone has five households and their rows
    assert Household.objects.filter(community=demo).count() == 1901
    assert Household.objects.filter(community=clone).count() == 5
    people = Person.objects.filter(community=clone)
    assert 5 <= people.count() < 60
    assert not people.exclude(household__community=clone).exclude(household=None).exists()
    assert Pass.objects.filter(community=clone).count() == 5
    assert GateEvent.objects.filter(community=clone).exists()
    # and the clone's officer sees the clone's people, not the demo's
    officer = User.objects.get(username=f"{scale.OFFICER}~1")
    assert officer.area_id == clone.pk
    assert set(Person.objects.restrict(officer, "view").values_list("pk", flat=True)) == set(
        people.values_list("pk", flat=True)
    )

    # And three of the benchmark's pages, measured once, were fetched, counted and answered
    pages = scale.measure(runs=1, only={"home", "search_address", "district_home"})
    assert set(pages) == {"home", "search_address", "district_home"}
    for figures in pages.values():
        assert figures["status"] == 200, figures
        assert figures["queries"] > 0
