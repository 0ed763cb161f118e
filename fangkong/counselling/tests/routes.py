"""Counselling routes for the access walk (see fangkong/core/tests/walk.py).

The case is of a person of grid a1, counselled by the health officer; ``officer_a`` (who
reads every case's notes) is permitted everywhere. Grid workers see no counselling at all."""

from __future__ import annotations

from typing import Any

from fangkong.core.tests.walk import Route, World
from fangkong.counselling.tests.factories import CaseFactory, SessionFactory


def build(world: World) -> None:
    case = CaseFactory(person=world.person, counsellor=world.users["health_a"])
    SessionFactory(case=case, notes="甲乙丙丁的谈话记录")
    world.extra["counselling_case"] = case


def _case(w: World) -> dict[str, Any]:
    return {"pk": w.extra["counselling_case"].pk}


ROUTES = {
    "counselling:case_list": Route(kind="list"),
    "counselling:case_add": Route(kind="list"),
    "counselling:case_export": Route(kind="list"),
    "counselling:case_detail": Route(kwargs=_case),
    "counselling:case_notes": Route(kwargs=_case),
    "counselling:case_edit": Route(kwargs=_case),
    "counselling:case_refer": Route(kwargs=_case),
    "counselling:case_close": Route(kwargs=_case, method="post", ok=302),
    "counselling:session_add": Route(kwargs=_case),
    "api:counselling-case-list": Route(kind="list", api=True),
    "api:counselling-case-detail": Route(kwargs=_case, api=True),
    "api:counselling-case-notes": Route(kwargs=_case, api=True),
    "api:counselling-case-sessions": Route(
        kwargs=_case,
        api=True,
        method="post",
        data=lambda w: {"mode": "phone", "notes": "回访，情绪平稳。"},
    ),
    "api:counselling-case-refer": Route(
        kwargs=_case, api=True, method="post", data=lambda w: {"referral_to": "市精神卫生中心"}
    ),
    "api:counselling-case-close": Route(kwargs=_case, api=True, method="post"),
}

API_WRITES = [
    (
        "api:counselling-case-list",
        Route(
            kind="create",
            api=True,
            method="post",
            ok=201,
            data=lambda w: {
                "person": w.person.pk,
                "counsellor": w.users["officer_a"].pk,
                "risk_level": "low",
            },
        ),
    ),
    (
        "api:counselling-case-detail",
        Route(kwargs=_case, api=True, method="patch", data=lambda w: {"risk_level": "high"}),
    ),
]
