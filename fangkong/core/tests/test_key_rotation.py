"""Rotating the data key as docs/deploy.md says: the new key in FANGKONG_DATA_KEY, the old one
in FANGKONG_DATA_KEYS_OLD, ``manage.py rotate_data_key``, then the old key dropped.

People are found by ID number, phone and last four digits, and an import of the same file
creates no one, before, during and after the rotation; the command can be killed midway and
run again; it is audited by counts only.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import signal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from fangkong.access.models import Visitor
from fangkong.access.tests.factories import VisitorFactory
from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.key_rotation import current_values, protected_models
from fangkong.core.models import ObjectChange
from fangkong.core.personal_data import decrypt, decrypt_current, encrypt
from fangkong.core.tests.external_db import database_for_subprocess, manage, popen_manage
from fangkong.core.tests.registers import row, write_register
from fangkong.registry.imports import run_import
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.services import do_create_person
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    valid_id_number,
)
from fangkong.staff.models import StaffMember
from fangkong.staff.tests.factories import StaffMemberFactory

#: The key the suite runs under: every row the fixtures write, audit rows included, is
#: encrypted or sealed under it, as everything is under one key before a rotation.
OLD_KEY = settings.DATA_KEY
NEW_KEY = "the-data-key-of-2025-" + "n" * 20
ID_1 = valid_id_number(birth=dt.date(1958, 2, 14), sex="F", area="210102", seq=52)
ID_2 = valid_id_number(birth=dt.date(1986, 7, 30), sex="M", area="210102", seq=77)
PHONE_1 = "13911112222"
PHONE_2 = "13633334444"


def use_keys(settings: Any, current: str, *retired: str) -> None:
    """What an operator does in /etc/fangkong/env, then a restart."""
    settings.DATA_KEY = current
    settings.DATA_KEYS_OLD = list(retired)


def rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_data_key", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def building(community_a: Area, grid_a1: Area) -> Building:
    return BuildingFactory(community=community_a, grid=grid_a1, number="1", units=2, floors=6)


@pytest.fixture
def register(tmp_path: Path, building: Building, settings: Any) -> Path:
    """A register of two people, imported once under the old key."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return write_register(
        tmp_path,
        [
            row(name="王秀英", id_number=ID_1, phone=PHONE_1, room="502"),
            row(name="李强", id_number=ID_2, phone=PHONE_2, room="601"),
        ],
    )


@pytest.fixture
def seeded(
    settings: Any, register: Path, building: Building, community_a: Area, officer_a: User
) -> dict[str, Any]:
    """Every kind of row holding ciphertext, written under the old key."""
    use_keys(settings, OLD_KEY)
    result = run_import(register, community_a, officer_a)
    assert result.created == 2
    household = HouseholdFactory(building=building, room="301", phone="024-23456789")
    others = [PersonFactory(household=household) for _ in range(3)]
    visitor = VisitorFactory(
        checkpoint=_checkpoint(community_a),
        household=household,
        id_number=valid_id_number(seq=903),
        phone="13755556666",
    )
    staff = StaffMemberFactory(community=community_a, phone="13577778888")
    return {"household": household, "others": others, "visitor": visitor, "staff": staff}


def _checkpoint(community: Area) -> Any:
    from fangkong.staff.tests.factories import CheckpointFactory

    return CheckpointFactory(community=community)


def found_by_search(client: Any, officer: User, query: str) -> str:
    """The people page's search box, as an officer types into it."""
    client.force_login(officer)
    response = client.post(reverse("registry:person_list"), {"q": query}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def every_row_rotated() -> bool:
    """Whether every protected value decrypts under the current key alone and carries the
    current key's indexes (what the rotation leaves behind)."""
    return all(
        current_values(pmodel, dict(zip(pmodel.columns, values, strict=True))) == {}
        for pmodel in protected_models()
        for values in pmodel.model._base_manager.values_list(*pmodel.columns)
    )


# --- What is rotated ------------------------------------------------------------------------


def test_it_finds_every_model_that_holds_ciphertext() -> None:
    found = {p.label: [(f.name, f.has_last4) for f in p.fields] for p in protected_models()}

    assert found == {
        "access.Visitor": [("id_number", False), ("phone", True)],
        "health.Contact": [("handover_id", False), ("handover_phone", False)],
        "merchants.Merchant": [("phone", True)],
        "merchants.RegisterEntry": [("phone", True)],
        "registry.Household": [("phone", True)],
        "registry.Person": [("id_number", False), ("phone", True)],
        "selfservice.Correction": [("proposed_phone", False)],
        "staff.StaffMember": [("phone", True)],
        "volunteers.Volunteer": [("phone", True)],
    }


# --- During the rotation (old key still listed) ------------------------------------------


@pytest.mark.django_db
def test_searches_find_people_by_id_phone_and_last_four_before_the_rows_are_rotated(
    settings: Any,
    seeded: dict,
    client: Any,
    officer_a: User,
) -> None:
    # Given the new key in place and the old one listed as retired, nothing rotated yet
    use_keys(settings, NEW_KEY, OLD_KEY)

    # Then the search box still finds 王秀英 by her ID number, her phone and its last four
    for query in (ID_1, PHONE_1, PHONE_1[-4:]):
        assert "王秀英" in found_by_search(client, officer_a, query), query


@pytest.mark.django_db
def test_importing_the_same_file_during_the_rotation_creates_no_one(
    settings: Any,
    seeded: dict,
    register: Path,
    community_a: Area,
    officer_a: User,
) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)

    result = run_import(register, community_a, officer_a)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert Person.objects.filter(community=community_a, name="王秀英").count() == 1


@pytest.mark.django_db
def test_it_refuses_a_second_person_with_an_id_number_registered_under_the_old_key(
    settings: Any,
    seeded: dict,
    community_a: Area,
) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)

    with pytest.raises(ValidationError) as raised:
        do_create_person(community=community_a, by=None, name="王秀", id_number=ID_1)

    assert "id_number" in raised.value.message_dict
    assert Person.objects.filter(community=community_a, name="王秀").count() == 0


# --- The command ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rotation_end_to_end_leaves_everyone_readable_and_found_under_the_new_key_alone(
    settings: Any,
    seeded: dict,
    register: Path,
    community_a: Area,
    officer_a: User,
    client: Any,
) -> None:
    before = {
        p.pk: (p.id_number_mask, p.phone_mask, p.version, p.updated) for p in Person.objects.all()
    }
    # Given the keys rotated as documented
    use_keys(settings, NEW_KEY, OLD_KEY)
    assert not every_row_rotated()

    # When the command runs
    output = rotate()

    # Then every row is under the new key, and the command says the old key may go
    assert every_row_rotated()
    assert "FANGKONG_DATA_KEYS_OLD" in output
    # Masks, versions and edit times are untouched: nothing about the people changed
    assert {
        p.pk: (p.id_number_mask, p.phone_mask, p.version, p.updated) for p in Person.objects.all()
    } == before

    # And once the old key is dropped, every value still decrypts
    use_keys(settings, NEW_KEY)
    wang = Person.objects.get(name="王秀英")
    assert (decrypt(wang.id_number_cipher), decrypt(wang.phone_cipher)) == (ID_1, PHONE_1)
    assert decrypt(Household.objects.get(pk=seeded["household"].pk).phone_cipher) == (
        "024-23456789"
    )
    assert decrypt(Visitor.objects.get().phone_cipher) == "13755556666"
    assert decrypt(StaffMember.objects.get(pk=seeded["staff"].pk).phone_cipher) == "13577778888"
    # And everyone is found by ID number, phone and last four
    for query in (ID_1, PHONE_1, PHONE_1[-4:]):
        assert "王秀英" in found_by_search(client, officer_a, query), query
    # And the same file imported again creates no one
    result = run_import(register, community_a, officer_a)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


@pytest.mark.django_db
def test_the_rotation_is_audited_by_counts_and_never_by_values(
    settings: Any,
    seeded: dict,
) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)
    stored = [
        str(v)
        for p in protected_models()
        for row_ in p.model._base_manager.values_list(*p.columns)
        for v in row_
        if v
    ]

    rotate("--batch-size", "2")

    audit = ObjectChange.objects.filter(object_repr__startswith="data key rotation")
    rotated: dict[str, int] = {}
    for change in audit:
        rotated[change.content_type.model] = (
            rotated.get(change.content_type.model, 0) + change.after["rotated"]
        )
        assert change.actor is None
        assert change.actor_name == "system"
        text = json.dumps(change.after)
        assert not [v for v in stored if v in text], "a ciphertext or index in the log"
        assert ID_1 not in text
        assert PHONE_1 not in text
    assert rotated == {"person": 5, "household": 1, "visitor": 1, "staffmember": 1}


@pytest.mark.django_db
def test_a_dry_run_counts_the_rows_to_rotate_and_changes_nothing(
    settings: Any,
    seeded: dict,
) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)

    output = rotate("--dry-run", "--json")

    summary = json.loads(output.strip().splitlines()[-1])
    counts = {o["model"]: o["rotated"] for o in summary["passes"][0]}
    assert counts == {
        "access.Visitor": 1,
        "health.Contact": 0,
        "merchants.Merchant": 0,
        "merchants.RegisterEntry": 0,
        "registry.Household": 1,
        "registry.Person": 5,
        "selfservice.Correction": 0,
        "staff.StaffMember": 1,
        "volunteers.Volunteer": 0,
    }
    assert summary["dry_run"]
    assert not summary["complete"]
    assert not every_row_rotated()
    assert not ObjectChange.objects.filter(object_repr__startswith="data key rotation").exists()


@pytest.mark.django_db
def test_a_second_run_finds_nothing_to_do(settings: Any, seeded: dict) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)
    rotate()
    logged = ObjectChange.objects.count()

    summary = json.loads(rotate("--json"))

    assert (summary["rotated"], summary["complete"]) == (0, True)
    assert ObjectChange.objects.count() == logged


@pytest.mark.django_db
def test_it_refuses_to_start_when_the_old_key_is_forgotten(
    settings: Any,
    seeded: dict,
) -> None:
    # Given the old key forgotten before the rotation ran
    use_keys(settings, NEW_KEY)
    logged = ObjectChange.objects.count()

    with pytest.raises(CommandError) as raised:
        rotate()

    # Then the audit chains, which no listed key verifies, stop it before anything changes,
    # and the message names the missing key rather than calling it tampering
    assert "FANGKONG_DATA_KEYS_OLD" in str(raised.value)
    assert "没有列在 FANGKONG_DATA_KEYS_OLD 中" in str(raised.value)
    assert "--reseal-broken-audit" not in str(raised.value)
    assert ObjectChange.objects.count() == logged
    ciphers = [c for c in Person.objects.values_list("id_number_cipher", flat=True) if c]
    assert ciphers
    assert all(decrypt_current(c) is None for c in ciphers), "a value was rotated"


@pytest.mark.django_db
def test_it_fails_and_names_the_rows_no_listed_key_decrypts(
    settings: Any,
    seeded: dict,
) -> None:
    # Given one ID number written under a key that was never listed (lost), past the audit
    wang = Person.objects.get(name="王秀英")
    use_keys(settings, "a-key-nobody-kept-" + "x" * 20)
    lost = encrypt(ID_1)
    use_keys(settings, NEW_KEY, OLD_KEY)
    Person.objects.filter(pk=wang.pk).update(id_number_cipher=lost)

    with pytest.raises(CommandError) as raised:
        rotate()

    assert "FANGKONG_DATA_KEYS_OLD" in str(raised.value)
    assert f"registry.Person {wang.pk}" in str(raised.value)


@pytest.mark.django_db
def test_it_sets_aside_two_records_of_one_id_number_made_under_different_keys(
    settings: Any,
    seeded: dict,
    community_a: Area,
    building: Building,
) -> None:
    # Given a second record of 王秀英's ID number slipped in under the new key (as the
    # versions before this fix allowed during a rotation)
    use_keys(settings, NEW_KEY)
    twin = PersonFactory(household=HouseholdFactory(building=building), id_number=ID_1)
    use_keys(settings, NEW_KEY, OLD_KEY)

    with pytest.raises(CommandError) as raised:
        rotate()

    # Then the command names the record it could not rotate and rotates every other row
    old = Person.objects.exclude(pk=twin.pk).get(name="王秀英")
    assert f"registry.Person {old.pk}" in str(raised.value)
    assert decrypt_current(old.id_number_cipher) is None
    assert all(
        decrypt_current(p.id_number_cipher) is not None for p in Person.objects.exclude(pk=old.pk)
    )


# --- Killed midway, then run again ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_rotation_killed_midway_finishes_when_run_again(
    settings: Any,
    seeded: dict,
    tmp_path: Path,
    client: Any,
    officer_a: User,
) -> None:
    use_keys(settings, NEW_KEY, OLD_KEY)
    with database_for_subprocess(tmp_path) as env:
        env.update(FANGKONG_DATA_KEY=NEW_KEY, FANGKONG_DATA_KEYS_OLD=OLD_KEY)
        # Given the command started in batches of two, slowed down
        process = popen_manage(env, "rotate_data_key", "--batch-size", "2", "--pause", "1")
        assert process.stdout is not None
        # When it is killed (kill -9) in the middle of the people, after their first batch
        # (a progress line is written once its batch has committed)
        lines = []
        while "registry.Person" not in (line := process.stdout.readline()):
            assert line, f"the command ended before the people: {lines}"
            lines.append(line)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
    # Then part of the rows are rotated, the rest not, and nothing is half-written
    rotated_now = ObjectChange.objects.filter(
        object_repr__startswith="data key rotation"
    ).values_list("after", flat=True)
    # (the visitor, the household with a phone, two of the five people)
    assert 4 <= sum(a["rotated"] for a in rotated_now) < 8
    assert not every_row_rotated()
    for query in (ID_1, PHONE_1, PHONE_1[-4:]):  # and searches still find everyone
        assert "王秀英" in found_by_search(client, officer_a, query), query

    # When it is run again, it skips what was done and finishes
    with database_for_subprocess(tmp_path) as env:
        env.update(FANGKONG_DATA_KEY=NEW_KEY, FANGKONG_DATA_KEYS_OLD=OLD_KEY)
        second = manage(env, "rotate_data_key", "--json")
    summary = json.loads(second.stdout.strip().splitlines()[-1])
    assert summary["complete"], second.stdout
    assert summary["rotated"] == 8 - sum(a["rotated"] for a in rotated_now)
    assert every_row_rotated()
    # And the change log's counts add up to every row once
    logged = ObjectChange.objects.filter(object_repr__startswith="data key rotation")
    assert sum(c.after["rotated"] for c in logged) == 8
    use_keys(settings, NEW_KEY)
    assert decrypt(Person.objects.get(name="王秀英").id_number_cipher) == ID_1
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.django_db
def test_a_hand_over_still_waiting_for_its_search_is_rotated_too(
    settings: Any, building: Building
) -> None:
    # Given a hand-over whose typed numbers wait, encrypted under the old key, for the search
    from fangkong.core.personal_data import encrypt
    from fangkong.health.models import Contact
    from fangkong.health.tests.factories import ContactFactory

    use_keys(settings, OLD_KEY)
    contact = ContactFactory(case__person__household__building=building)
    Contact.objects.filter(pk=contact.pk).update(
        handover_id_cipher=encrypt(ID_1), handover_phone_cipher=encrypt(PHONE_1)
    )

    # When the key is rotated
    use_keys(settings, NEW_KEY, OLD_KEY)
    rotate()

    # Then the new key alone opens them
    use_keys(settings, NEW_KEY)
    contact.refresh_from_db()
    assert decrypt_current(contact.handover_id_cipher) == ID_1
    assert decrypt_current(contact.handover_phone_cipher) == PHONE_1
