"""Demo registry: 在水一方社区's 33 buildings, 1,901 households and 8,089 people (the origin
story's figures), and 阳光社区's five buildings with a few dozen households.

Buildings go through ``do_create_building``. Households and people are inserted in bulk with
one audit row each, as an import would — through the demo's bulk path (``insert_rows`` and
``record_changes_in_bulk`` of fangkong.core.demo: the rows ``bulk_create`` and
``record_changes`` would write, without compiling 300,000 values one by one), with the
pinyin ``do_bulk_create_people`` would compute. Households are audited after their heads are
set, so the log shows each household as created with its head, which is what the one seeding
transaction did.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db.models import Q

from fangkong.areas.models import Area
from fangkong.core.choices import ChangeAction
from fangkong.core.demo import (
    REFERENCE_DATE,
    DemoContext,
    birth_date_for_age,
    delete_rows,
    fake_landline,
    fake_mobile,
    fake_name,
    fake_resident_id,
    fake_surname,
    insert_rows,
    record_changes_in_bulk,
    update_rows,
)
from fangkong.core.personal_data import decrypt, protect_id_number, protect_phone
from fangkong.core.pinyin import name_pinyin
from fangkong.core.validators import id_birth_date_and_sex, validate_phone, validate_resident_id
from fangkong.registry.choices import (
    IdType,
    PersonStatus,
    PersonTag,
    Relation,
    Residency,
)
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.services import do_create_building

ORDER = 30

HOUSEHOLDS = 1901
PEOPLE = 8089  # every Person row of the community, the few deactivated ones included

#: 在水一方社区's sections: (section, building numbers, floors, units, rooms per landing).
#: Walk-ups in 东园 and 西园, mid-rises in 南园, towers in 北园: 2,040 rooms for 1,901 households.
SECTIONS = (
    ("东园", range(1, 10), 6, 4, 2),
    ("西园", range(10, 18), 7, 3, 3),
    ("南园", range(18, 26), 11, 2, 3),
    ("北园", range(26, 34), 18, 1, 4),
)
#: Building numbers of each grid (第一网格 holds 东园1号楼, the origin story's 东园一).
GRID_BUILDINGS = (
    range(1, 7),
    range(7, 13),
    range(13, 19),
    range(19, 24),
    range(24, 29),
    range(29, 34),
)
COMMUNITY2_HOUSEHOLDS = 36

#: Household sizes before adjusting the total to PEOPLE: many three-generation households.
SIZE_WEIGHTS = {1: 6, 2: 12, 3: 22, 4: 18, 5: 20, 6: 14, 7: 8}
TENANT_SHARE = 0.08

MOVE_OUT_REASONS: tuple[str, ...] = (
    "迁往外地工作",
    "购房搬离本社区",
    "随子女迁往大连",
    "户口迁往学校",
)
MOVE_HOUSE_REASONS: tuple[str, ...] = ("搬至本街道其他社区",)
DEATH_REASONS: tuple[str, ...] = ("病故", "因病去世")


@dataclass
class Member:
    """One person of a household being composed, before it becomes a Person."""

    relation: str
    age: int
    sex: str
    surname: str
    residency: str = Residency.PERMANENT
    tags: set[str] = field(default_factory=set)


def _opposite(sex: str) -> str:
    return "F" if sex == "M" else "M"


def _clamp(age: int, low: int = 0, high: int = 98) -> int:
    return max(low, min(high, age))


def _head_age(rng: random.Random, size: int, tenant: bool) -> int:
    """The head's age: tenants are young, people living alone often old."""
    if tenant:
        return rng.randint(21, 48)
    if size == 1:
        return rng.randint(66, 93) if rng.random() < 0.45 else rng.randint(23, 64)
    if size == 2:
        return rng.randint(56, 86) if rng.random() < 0.5 else rng.randint(25, 55)
    return rng.randint(30, 72)


def _compose(rng: random.Random, size: int, tenant: bool) -> list[Member]:
    """Relations, ages and sexes of a household of ``size`` people that hang together."""
    head_age = _head_age(rng, size, tenant)
    head = Member(Relation.HEAD, head_age, "M" if rng.random() < 0.7 else "F", fake_surname(rng))
    members = [head]

    def room() -> bool:
        return len(members) < size

    if tenant and size >= 3 and rng.random() < 0.3:
        # Flat-sharers (合租): unrelated tenants, each with a surname of their own.
        while room():
            members.append(
                Member(Relation.TENANT, rng.randint(20, 35), rng.choice("MF"), fake_surname(rng))
            )
        return members

    spouse = None
    if room() and rng.random() < 0.9:
        gap = rng.randint(-2, 5)
        spouse_age = _clamp(head_age - gap if head.sex == "M" else head_age + gap, 20)
        spouse = Member(Relation.SPOUSE, spouse_age, _opposite(head.sex), fake_surname(rng))
        members.append(spouse)
    father = head if head.sex == "M" or spouse is None else spouse
    younger = min(m.age for m in members)

    def add_child() -> Member:
        low, high = max(0, younger - 38), max(0, younger - 22)
        child = Member(Relation.CHILD, rng.randint(low, high), rng.choice("MF"), father.surname)
        members.append(child)
        return child

    if head_age >= 52 and not tenant and room():
        # Three generations: a grown child, their spouse, grandchildren.
        child = add_child()
        if room() and child.age >= 24:
            in_law = Member(
                Relation.CHILD_IN_LAW,
                _clamp(child.age + rng.randint(-3, 3), 20),
                _opposite(child.sex),
                fake_surname(rng),
            )
            members.append(in_law)
            grand_surname = child.surname if child.sex == "M" else in_law.surname
            while room() and sum(m.relation == Relation.GRANDCHILD for m in members) < 3:
                age = rng.randint(0, _clamp(child.age - 22, 0, 25))
                members.append(Member(Relation.GRANDCHILD, age, rng.choice("MF"), grand_surname))
    else:
        while room() and sum(m.relation == Relation.CHILD for m in members) < (1 if tenant else 3):
            add_child()
    for parent_sex in ("M", "F"):
        if room() and head_age + 24 <= 96 and not tenant:
            surname = head.surname if parent_sex == "M" else fake_surname(rng)
            members.append(
                Member(Relation.PARENT, _clamp(head_age + rng.randint(22, 32)), parent_sex, surname)
            )
    while room() and sum(m.relation == Relation.CHILD for m in members) < 3 and younger >= 26:
        add_child()
    while room():
        members.append(_sibling_or_other(rng, head))
    return members


def _sibling_or_other(rng: random.Random, head: Member) -> Member:
    """Whoever fills a household's last places: a sibling of the head, or someone else."""
    if rng.random() < 0.5:
        return Member(
            Relation.SIBLING,
            _clamp(head.age + rng.randint(-10, 10), 16),
            rng.choice("MF"),
            head.surname,
        )
    # A live-in helper or relative from elsewhere: the floating population.
    return Member(
        Relation.OTHER, rng.randint(35, 60), rng.choice("MF"), fake_surname(rng), Residency.FLOATING
    )


def _residency_and_tags(rng: random.Random, members: list[Member], tenant: bool) -> None:
    """Residency and tags that follow from who the members are."""
    for m in members:
        if tenant:
            # Renters without a local household registration are counted as floating.
            m.residency = Residency.FLOATING if rng.random() < 0.25 else Residency.TENANT
        elif m.relation == Relation.CHILD and 18 <= m.age <= 40 and rng.random() < 0.15:
            m.residency = Residency.LIVES_ELSEWHERE  # studying or working in another city
        elif m.relation == Relation.SIBLING and rng.random() < 0.3:
            m.residency = Residency.FLOATING
        if len(members) == 1 and m.age >= 70 and not tenant:
            m.tags.add(PersonTag.ELDERLY_ALONE)
        if m.age >= 55 and rng.random() < 0.18:
            m.tags.add(PersonTag.CHRONIC)
        if m.sex == "M" and 38 <= m.age <= 85 and rng.random() < 0.04:
            m.tags.add(PersonTag.VETERAN)
        if rng.random() < 0.012:
            m.tags.add(PersonTag.DISABLED)
        if m.sex == "F" and 23 <= m.age <= 38 and rng.random() < 0.03:
            m.tags.add(PersonTag.PREGNANT)
    if not tenant and rng.random() < 0.02:
        members[0].tags.add(PersonTag.LOW_INCOME)


def _sizes(rng: random.Random, households: int, people: int | None) -> list[int]:
    """Household sizes; when ``people`` is given, adjusted to add up to it exactly."""
    sizes = rng.choices(list(SIZE_WEIGHTS), list(SIZE_WEIGHTS.values()), k=households)
    if people is not None:
        if not households <= people <= households * 8:
            raise ValueError("cannot spread that many people over that many households")
        while (total := sum(sizes)) != people:
            i = rng.randrange(households)
            if total < people and sizes[i] < 8:
                sizes[i] += 1
            elif total > people and sizes[i] > 1:
                sizes[i] -= 1
    return sizes


@dataclass
class _Taken:
    """Numbers already handed out: ID numbers must be unique within a community."""

    ids: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)


def _person(
    rng: random.Random, member: Member, household: Household, community: Area, taken: _Taken
) -> Person:
    birth = birth_date_for_age(rng, member.age)
    person = Person(
        community=community,
        household=household,
        relation=member.relation,
        name=fake_name(rng, member.sex, birth.year, member.surname),
        residency=member.residency,
        tags=Person.encode_tags(member.tags),
        id_type=IdType.RESIDENT_ID,
    )
    # A few newly arrived floating people have not shown an ID card yet.
    if member.residency == Residency.FLOATING and rng.random() < 0.1:
        person.sex, person.birth_date = member.sex, birth
    else:
        origins: dict[str, str] = {Residency.TENANT: "regional", Residency.FLOATING: "distant"}
        origin = origins.get(member.residency, "local" if rng.random() < 0.85 else "regional")
        number = fake_resident_id(rng, birth, member.sex, taken.ids, origin)
        # The number encodes exactly this birth date and sex, as the service would derive.
        person.sex, person.birth_date = member.sex, birth
        person.set_id_number(protect_id_number(number))
    if member.age >= 12 and rng.random() < (0.55 if member.age >= 80 else 0.93):
        person.set_phone(protect_phone(validate_phone(fake_mobile(rng, taken.phones))))
    return person


def _deactivate_some(rng: random.Random, people: list[Person], count: int) -> int:
    """Mark a few members (never heads) as moved out, moved house or died, with date and reason."""
    candidates = [p for p in people if p.relation != Relation.HEAD]
    chosen = 0
    for person in rng.sample(candidates, len(candidates)):
        if chosen >= count:
            break
        if person.birth_date is None:
            raise ValueError("the demo's people all have a birth date")
        age = (REFERENCE_DATE - person.birth_date).days // 365
        if age >= 78 and chosen % 3 == 0:
            person.status, reasons = PersonStatus.DIED, DEATH_REASONS
        elif 18 <= age <= 60 and chosen % 3 == 1:
            person.status, reasons = PersonStatus.MOVED_OUT, MOVE_OUT_REASONS
        elif 18 <= age <= 60 and chosen % 3 == 2:
            person.status, reasons = PersonStatus.MOVED_HOUSE, MOVE_HOUSE_REASONS
        else:
            continue
        person.status_date = REFERENCE_DATE - dt.timedelta(days=rng.randint(5, 300))
        person.status_reason = rng.choice(reasons)
        chosen += 1
    return chosen


def _populate(
    ctx: DemoContext,
    key: str,
    buildings: list[Building],
    rooms_per_landing: dict[str, int],
    households: int,
    people: int | None,
    rng: random.Random,
    taken: _Taken,
    deactivate: int,
) -> tuple[list[Household], list[Person]]:
    """Households in ``households`` of the buildings' rooms, and their people."""
    community = ctx.areas[key]
    slots = [
        (b, unit, floor, f"{floor}{door:02d}")
        for b in buildings
        for unit in range(1, b.units + 1)
        for floor in range(1, b.floors + 1)
        for door in range(1, rooms_per_landing[b.number] + 1)
    ]
    chosen = sorted(rng.sample(range(len(slots)), households))
    landlines: set[str] = set()
    rows = []
    for i in chosen:
        building, unit, floor, room = slots[i]
        household = Household(
            community=community,
            building=building,
            unit=unit,
            floor=floor,
            room=room,
            number=f"{building.number}-{unit}-{room}",
        )
        if rng.random() < 0.3:
            household.set_phone(protect_phone(validate_phone(fake_landline(rng, landlines))))
        rows.append(household)
    insert_rows(Household, rows)

    persons: list[Person] = []
    for household, size in zip(rows, _sizes(rng, households, people), strict=True):
        tenant = size <= 4 and rng.random() < TENANT_SHARE
        members = _compose(rng, size, tenant)
        _residency_and_tags(rng, members, tenant)
        persons.extend(_person(rng, m, household, community, taken) for m in members)
    deactivated = _deactivate_some(rng, persons, deactivate)
    for person in persons:  # as do_bulk_create_people does
        person.name_pinyin, person.name_initials = name_pinyin(person.name)
    insert_rows(Person, persons)
    record_changes_in_bulk(ChangeAction.CREATE, persons)

    heads = {p.household_id: p for p in persons if p.relation == Relation.HEAD}
    for household in rows:
        household.head = heads[household.pk]
    update_rows(Household, rows, ["head"])
    record_changes_in_bulk(ChangeAction.CREATE, rows)

    ctx.households[key], ctx.people[key] = rows, persons
    ctx.count(f"{community.name} buildings", len(buildings))
    ctx.count(f"{community.name} households", len(rows))
    ctx.count(f"{community.name} people", len(persons))
    ctx.count(f"{community.name} people deactivated", deactivated)
    return rows, persons


def _check_sample(rng: random.Random, people: list[Person], size: int = 200) -> None:
    """Generated numbers pass the validator the application uses (cheap insurance)."""
    for person in rng.sample(people, min(size, len(people))):
        if person.id_number_cipher:
            number = validate_resident_id(decrypt(person.id_number_cipher))
            if id_birth_date_and_sex(number) != (person.birth_date, person.sex):
                raise AssertionError(f"demo ID number does not match person {person.pk}")


def seed(ctx: DemoContext) -> None:
    rng = ctx.random("registry")
    taken = _Taken()

    community = ctx.areas["community"]
    grid_of = {
        n: grid
        for grid, numbers in zip(ctx.grids["community"], GRID_BUILDINGS, strict=True)
        for n in numbers
    }
    buildings, landings = [], {}
    for section, numbers, floors, units, per_landing in SECTIONS:
        for n in numbers:
            buildings.append(
                do_create_building(
                    community=community,
                    by=None,
                    number=str(n),
                    name=f"{section}{n}号楼",
                    section=section,
                    units=units,
                    floors=floors,
                    grid=grid_of[n],
                )
            )
            landings[str(n)] = per_landing
    ctx.buildings["community"] = buildings
    _populate(ctx, "community", buildings, landings, HOUSEHOLDS, PEOPLE, rng, taken, deactivate=12)

    community2 = ctx.areas["community2"]
    grids2 = ctx.grids["community2"]
    buildings2 = [
        do_create_building(
            community=community2,
            by=None,
            number=str(n),
            name=f"{n}号楼",
            units=2,
            floors=6,
            grid=grids2[0] if n <= 3 else grids2[-1],
        )
        for n in range(1, 6)
    ]
    ctx.buildings["community2"] = buildings2
    _populate(
        ctx,
        "community2",
        buildings2,
        {b.number: 2 for b in buildings2},
        COMMUNITY2_HOUSEHOLDS,
        None,
        rng,
        taken,
        deactivate=1,
    )

    _check_sample(rng, ctx.people["community"] + ctx.people["community2"])


def find(ctx: DemoContext) -> bool:
    for key in ("community", "community2"):
        community = ctx.areas.get(key)
        if community is None:
            continue
        ctx.count(
            f"{community.name} buildings", Building.objects.filter(community=community).count()
        )
        ctx.count(
            f"{community.name} households", Household.objects.filter(community=community).count()
        )
        ctx.count(f"{community.name} people", Person.objects.filter(community=community).count())
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    communities = [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    if not communities:
        return
    in_demo = Q(community__in=communities)
    # Heads point at people and people at households: break the cycle before deleting.
    Household.objects.filter(in_demo).update(head=None)
    delete_rows(Person.objects.filter(in_demo))
    delete_rows(Household.objects.filter(in_demo))
    Building.objects.filter(in_demo).delete()
    for store in (ctx.buildings, ctx.households, ctx.people):
        store.clear()
