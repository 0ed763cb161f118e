"""``manage.py seed_demo``: the origin story's figures, valid generated people, idempotence,
``--reset`` and determinism.

The demo is seeded once for the module (committed, then deleted at the end); tests that run
the command again do so inside their own transaction, which is rolled back.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from pytest_django import DjangoDbBlocker

from fangkong.accounts.choices import Role
from fangkong.accounts.models import Assignment, User
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit_chain import verify
from fangkong.core.demo import FORBIDDEN_NAMES, delete_demo
from fangkong.core.models import ObjectChange
from fangkong.core.personal_data import decrypt
from fangkong.core.tests.audit_parity import assert_changes_as_core_writes
from fangkong.core.validators import id_birth_date_and_sex, validate_phone, validate_resident_id
from fangkong.registry.models import Building, Household, Person

COMMUNITY_CODE = "210112D53001"
COMMUNITY2_CODE = "210112D53002"


def seed(reset: bool = False) -> str:
    out = StringIO()
    call_command("seed_demo", reset=reset, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """The demo, built once for this module; yields what the command printed."""
    with django_db_blocker.unblock():
        output = seed(reset=True)  # reset: a previous run's leftovers in a reused test DB
    yield output
    with django_db_blocker.unblock():
        delete_demo()


def community(code: str = COMMUNITY_CODE) -> Area:
    return Area.objects.get(code=code)


def first_people(n: int = 20) -> list[tuple[str, str, str]]:
    people = Person.objects.filter(community=community()).order_by("pk")[:n]
    return [(p.name, p.id_number_mask, p.phone_mask) for p in people]


@pytest.mark.django_db
def test_the_demo_community_has_33_buildings_1901_households_and_8089_people(seeded: str) -> None:
    area = community()
    assert area.name == "在水一方社区"
    assert Building.objects.filter(community=area).count() == 33
    assert Household.objects.filter(community=area).count() == 1901
    assert Person.objects.filter(community=area).count() == 8089
    assert "8,089" in seeded


@pytest.mark.django_db
def test_buildings_are_numbered_1_to_33_and_dongyuan_1_is_number_1(seeded: str) -> None:
    buildings = Building.objects.filter(community=community())
    assert sorted(int(b.number) for b in buildings) == list(range(1, 34))
    assert buildings.get(number="1").name == "东园1号楼"
    assert all(b.grid_id for b in buildings)


@pytest.mark.django_db
def test_every_household_has_a_head_who_is_one_of_its_members(seeded: str) -> None:
    households = Household.objects.filter(community=community()).select_related("head", "building")
    for household in households:
        assert household.head is not None
        assert household.head.household_id == household.pk
        assert 1 <= household.unit <= household.building.units
        assert 1 <= household.floor <= household.building.floors


@pytest.mark.django_db
def test_the_second_community_has_buildings_numbered_1_to_5(seeded: str) -> None:
    area = community(COMMUNITY2_CODE)
    numbers = Building.objects.filter(community=area).values_list("number", flat=True)
    assert sorted(numbers, key=int) == ["1", "2", "3", "4", "5"]
    assert Household.objects.filter(community=area).count() >= 24
    assert area.parent == community().parent


@pytest.mark.django_db
def test_id_numbers_are_valid_and_match_the_recorded_birth_date_and_sex(seeded: str) -> None:
    people = list(Person.objects.filter(community=community()).exclude(id_number_cipher=""))
    for person in random.Random(0).sample(people, 200):
        number = validate_resident_id(decrypt(person.id_number_cipher))
        assert id_birth_date_and_sex(number) == (person.birth_date, person.sex)
        assert person.id_number_mask == number[:6] + "*" * 8 + number[-4:]


@pytest.mark.django_db
def test_id_numbers_are_unique_within_the_community(seeded: str) -> None:
    indexes = (
        Person.objects.filter(community=community())
        .exclude(id_number_index="")
        .values_list("id_number_index", flat=True)
    )
    assert len(indexes) == len(set(indexes))


@pytest.mark.django_db
def test_phone_numbers_are_valid_mobiles_and_landlines(seeded: str) -> None:
    people = list(Person.objects.filter(community=community()).exclude(phone_cipher=""))
    for person in random.Random(1).sample(people, 100):
        assert validate_phone(decrypt(person.phone_cipher)).startswith("1")
    landlines = Household.objects.filter(community=community()).exclude(phone_cipher="")
    assert landlines.exists()
    for household in landlines[:50]:
        assert validate_phone(decrypt(household.phone_cipher)).startswith("024-")


@pytest.mark.django_db
def test_the_registry_mixes_residency_tags_and_deactivated_people(seeded: str) -> None:
    people = Person.objects.filter(community=community())
    residencies = set(people.values_list("residency", flat=True))
    assert {"permanent", "tenant", "floating", "lives_elsewhere"} <= residencies
    assert people.filter(tags__contains="|elderly_alone|").exists()
    assert people.filter(tags__contains="|veteran|").exists()
    gone = people.exclude(status="active")
    assert 0 < gone.count() < 30
    assert all(p.status_date and p.status_reason for p in gone)


@pytest.mark.django_db
def test_no_real_names_from_the_origin_story_are_generated(seeded: str) -> None:
    assert not Person.objects.filter(name__in=FORBIDDEN_NAMES).exists()
    assert not User.objects.filter(full_name__in=FORBIDDEN_NAMES).exists()


@pytest.mark.django_db
def test_demo_grid1_is_a_grid_worker_of_the_grid_holding_dongyuan_building_1(seeded: str) -> None:
    user = User.objects.get(username="demo-grid1")
    assert user.role == Role.GRID_WORKER
    assert user.area.level == AreaLevel.GRID
    assert user.area.parent == community()
    grid_buildings = Building.objects.filter(grid=user.area)
    assert grid_buildings.count() > 1
    assert grid_buildings.filter(name="东园1号楼").exists()
    assert user.check_password(settings.DEMO_PASSWORD)


@pytest.mark.django_db
def test_each_role_has_a_demo_login_and_the_output_lists_them(seeded: str) -> None:
    roles = dict(User.objects.filter(username__startswith="demo-").values_list("username", "role"))
    assert roles["demo-admin"] == Role.ADMINISTRATOR
    assert roles["demo-district"] == Role.DISTRICT_OFFICIAL
    assert roles["demo-street"] == Role.STREET_OFFICIAL
    assert roles["demo-community"] == Role.COMMUNITY_OFFICER
    assert roles["demo-community2"] == Role.COMMUNITY_OFFICER
    assert roles["demo-health"] == Role.HEALTH_OFFICER
    assert roles["demo-gate"] == Role.CHECKPOINT_STAFF
    for username in roles:
        assert username in seeded
    assert settings.DEMO_PASSWORD in seeded


@pytest.mark.django_db
def test_two_bureau_staff_are_lent_to_the_community_until_an_end_date(seeded: str) -> None:
    lent = Assignment.objects.filter(user__username__in=["demo-bureau1", "demo-bureau2"])
    working = [a for a in lent if a.in_force()]
    assert len(working) == 2
    for assignment in working:
        assert assignment.role == Role.GRID_WORKER
        assert assignment.area.parent == community()
        assert assignment.ends_on is not None
        assert assignment.user.role == Role.DISTRICT_OFFICIAL
    assert [a.state() for a in lent if not a.in_force()] == ["ended"]
    helper = User.objects.get(username="demo-bureau1")
    assert helper.has_action("screening.callattempt", "add")
    assert "demo-bureau1" in seeded


@pytest.mark.django_db
def test_running_again_without_reset_changes_nothing(seeded: str) -> None:
    before = first_people()
    output = seed()
    assert "already exists" in output
    assert Person.objects.filter(community=community()).count() == 8089
    assert Household.objects.filter(community=community()).count() == 1901
    assert Area.objects.filter(code=COMMUNITY_CODE).count() == 1
    assert first_people() == before


@pytest.mark.django_db
def test_reset_rebuilds_the_same_counts_and_the_same_people(seeded: str) -> None:
    before = first_people()
    old_pk = community().pk
    seed(reset=True)
    area = community()
    assert area.pk != old_pk
    assert Building.objects.filter(community=area).count() == 33
    assert Household.objects.filter(community=area).count() == 1901
    assert Person.objects.filter(community=area).count() == 8089
    assert User.objects.filter(username="demo-grid1").count() == 1
    # Deterministic: the same people, with the same masked ID numbers and phones.
    assert first_people() == before


@pytest.mark.django_db
def test_every_copied_grid_and_community_of_the_demo_agrees_with_its_building(seeded: str) -> None:
    out = StringIO()
    call_command("check_scope", stdout=out)  # raises if any row disagrees
    assert "Every scoped table agrees with its parents." in out.getvalue()
    assert Person.objects.filter(grid__isnull=False).exists()


@pytest.mark.django_db
def test_the_demo_and_its_reset_leave_every_audit_chain_intact(seeded: str) -> None:
    assert verify().problems == []
    seed(reset=True)  # deletes the old demo's audit rows, recording them as purged

    report = verify()

    assert report.problems == []
    assert report.pruned > 8089


@pytest.mark.django_db
def test_reset_refuses_to_delete_a_real_users_account_in_a_demo_area(seeded: str) -> None:
    User.objects.create_user("real-officer", role=Role.COMMUNITY_OFFICER, area=community())
    with pytest.raises(CommandError, match="real-officer"):
        seed(reset=True)
    assert Person.objects.filter(community=community()).count() == 8089


@pytest.mark.django_db
def test_the_demos_change_rows_are_the_very_rows_core_audit_writes(seeded: str) -> None:
    """The demo logs its big tables through the bulk path (``core.bulk`` and
    ``audit.record_changes``): for each of them, the whole history of its last objects must
    be what ``core.audit`` writes for them."""
    system = ObjectChange.objects.filter(actor__isnull=True, actor_name="system")
    checked: dict[str, int] = {}
    bulk_logged = ("person", "household", "callattempt", "screeningrecord", "callassignment")
    for content_type in ContentType.objects.filter(
        pk__in=system.exclude(object_id="").values("content_type"),
        model__in=bulk_logged,
    ):
        mine = system.filter(content_type=content_type).exclude(object_id="")
        ids = list(mine.order_by("-pk").values_list("object_id", flat=True)[:200])
        alive = {
            str(pk)
            for pk in content_type.model_class()
            .objects.filter(pk__in=[int(i) for i in ids])
            .values_list("pk", flat=True)
        }
        wanted = list(dict.fromkeys(i for i in ids if i in alive))[:20]
        checked[content_type.model] = assert_changes_as_core_writes(
            mine.filter(object_id__in=wanted).order_by("pk"), None
        )
    assert {model for model, n in checked.items() if n} == set(bulk_logged)
