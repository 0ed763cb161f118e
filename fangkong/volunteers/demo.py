"""Demo volunteers of 在水一方社区: a few hundred people willing to help, many of them
veterans (the residents the registry tags as veterans, linked, and veterans from outside
the community), with skills, hours and health checks; a morning's duty yesterday with its
hours counted; tonight's call for 6 people at the north gate, partly filled; and an open
call for drivers tomorrow.

People are generated (``fake_name``, ``fake_mobile``), never the story's; who is what is
drawn from ``DemoContext.random("volunteers")`` and is the same on every run. Volunteers are
inserted in bulk with one audit row each; requests and answers go through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import Q

from fangkong.areas.models import Area
from fangkong.core.audit import record_changes
from fangkong.core.bulk import insert_objects
from fangkong.core.choices import ChangeAction
from fangkong.core.demo import DemoContext, fake_mobile, fake_name
from fangkong.core.personal_data import protect_phone
from fangkong.registry.choices import PersonTag
from fangkong.registry.models import Person
from fangkong.staff.duty_hours import local_midnight, zone_of
from fangkong.volunteers import services
from fangkong.volunteers.choices import (
    ALL_WEEKDAYS,
    Health,
    Skill,
    VolunteerGroup,
    group_rank,
    pack_codes,
)
from fangkong.volunteers.matching import matching_volunteers
from fangkong.volunteers.models import Volunteer, VolunteerRequest, VolunteerResponse

ORDER = 45
OUTSIDERS = 260
#: Daily windows volunteers give (local times; the last runs past midnight).
WINDOWS = [
    (dt.time(0, 0), dt.time(0, 0)),
    (dt.time(7, 0), dt.time(19, 0)),
    (dt.time(18, 0), dt.time(8, 0)),
    (dt.time(8, 0), dt.time(12, 0)),
]


def _draw(rng: random.Random, group: str) -> dict[str, Any]:
    skills = rng.sample(list(Skill.values), k=rng.choice([0, 1, 1, 2, 2, 3]))
    if group == VolunteerGroup.VETERAN and Skill.GATE_DUTY not in skills and rng.random() < 0.6:
        skills.append(Skill.GATE_DUTY)
    window = rng.choices(WINDOWS, weights=[4, 3, 3, 1])[0]
    fit = rng.random() < 0.92
    return {
        "skills": pack_codes(skills),
        "weekdays": ALL_WEEKDAYS
        if rng.random() < 0.7
        else "".join(sorted(rng.sample("1234567", 4))),
        "available_from": window[0],
        "available_until": window[1],
        "health": Health.FIT if fit else Health.NOT_FIT,
    }


def _volunteers(ctx: DemoContext, community: Area, rng: random.Random) -> list[Volunteer]:
    today = community.local_today()
    grids = list(Area.objects.filter(parent=community).order_by("path"))
    rows: list[Volunteer] = []
    veterans = Person.objects.filter(
        community=community, tags__contains=f"|{PersonTag.VETERAN}|"
    ).order_by("id")
    for person in veterans:
        drawn = _draw(rng, VolunteerGroup.VETERAN)
        groups = [VolunteerGroup.VETERAN, VolunteerGroup.RESIDENT]
        if rng.random() < 0.3:
            groups.append(VolunteerGroup.PARTY_MEMBER)
        rows.append(
            Volunteer(
                community=community,
                person=person,
                groups=pack_codes(groups),
                rank=group_rank(groups),
                area_id=person.grid_id or community.pk,
                health_checked_on=today - dt.timedelta(days=rng.randrange(10)),
                **drawn,
            )
        )
    taken: set[str] = set()
    for _ in range(OUTSIDERS):
        group = rng.choices(
            [
                VolunteerGroup.VETERAN,
                VolunteerGroup.VETERAN_FAMILY,
                VolunteerGroup.PARTY_MEMBER,
                VolunteerGroup.OTHER,
            ],
            weights=[5, 2, 2, 1],
        )[0]
        sex = "M" if group == VolunteerGroup.VETERAN and rng.random() < 0.9 else rng.choice("MF")
        volunteer = Volunteer(
            community=community,
            name=fake_name(rng, sex, rng.randrange(1955, 2000)),
            groups=pack_codes([group]),
            rank=group_rank([group]),
            area=rng.choice(grids) if grids and rng.random() < 0.4 else community,
            health_checked_on=today - dt.timedelta(days=rng.randrange(20)),
            **_draw(rng, group),
        )
        volunteer.set_phone(protect_phone(fake_mobile(rng, taken)))
        rows.append(volunteer)
    insert_objects(Volunteer, rows)
    record_changes(ChangeAction.CREATE, rows, actor=None)
    return rows


def _requests(ctx: DemoContext, community: Area, rng: random.Random) -> int:
    tz = zone_of(community)
    today = community.local_today()
    gates = list(ctx.extra.get("staff_checkpoints") or [])
    north = next((g for g in gates if "北" in g.name), gates[0] if gates else None)
    officer = ctx.users.get("demo-community")

    # Yesterday morning: disinfection of the buildings, done, hours counted.
    yesterday = local_midnight(today - dt.timedelta(days=1), tz)
    done = services.do_create_request(
        community=community,
        by=officer,
        start=yesterday + dt.timedelta(hours=8),
        end=yesterday + dt.timedelta(hours=12),
        people_needed=4,
        skills=[Skill.HEAVY_WORK],
        place_name="各楼栋消杀",
        notes="协助消杀队搬运消毒液",
    )
    for volunteer in matching_volunteers(done, limit=4):
        services.do_answer_request(done, volunteer, accepted=True, by=officer)
    services.do_count_hours(done, by=officer)

    # Tonight: 6 people for the north gate, 3 accepted, 1 declined.
    tonight = local_midnight(today, tz) + dt.timedelta(hours=20)
    gate = services.do_create_request(
        community=community,
        by=officer,
        start=tonight,
        end=tonight + dt.timedelta(hours=4),
        people_needed=6,
        skills=[Skill.GATE_DUTY],
        checkpoint=north,
        place_name="" if north is not None else "北门",
        notes="今晚北门值守，测温登记",
    )
    found = matching_volunteers(gate, limit=4)
    for volunteer in found[:3]:
        services.do_answer_request(gate, volunteer, accepted=True, by=officer)
    for volunteer in found[3:4]:
        services.do_answer_request(gate, volunteer, accepted=False, by=officer)

    # Tomorrow: drivers for deliveries to households in quarantine, nobody asked yet.
    tomorrow = local_midnight(today + dt.timedelta(days=1), tz)
    services.do_create_request(
        community=community,
        by=officer,
        start=tomorrow + dt.timedelta(hours=9),
        end=tomorrow + dt.timedelta(hours=11),
        people_needed=2,
        skills=[Skill.DRIVING],
        place_name="社区办公室",
        notes="为居家隔离户配送生活物资",
    )
    return 3


def seed(ctx: DemoContext) -> None:
    rng = ctx.random("volunteers")
    community = ctx.areas["community"]
    made = _volunteers(ctx, community, rng)
    requests = _requests(ctx, community, rng)
    ctx.count("volunteers", len(made))
    ctx.count("volunteer requests", requests)


def find(ctx: DemoContext) -> bool:
    community = ctx.areas.get("community")
    if community is not None:
        ctx.count("volunteers", Volunteer.objects.filter(community=community).count())
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    communities = [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    if not communities:
        return
    in_demo = Q(community__in=communities)
    # Children before the rows they PROTECT; the people (registry) go after us.
    VolunteerResponse.objects.filter(in_demo).delete()
    VolunteerRequest.objects.filter(in_demo).delete()
    Volunteer.objects.filter(in_demo).delete()
