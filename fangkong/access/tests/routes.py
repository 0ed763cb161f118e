"""Every access route (pages and API) for the access walk (format: fangkong/core/tests/walk.py).

Gate routes are for checkpoint_a (the checkpoint staff of community A); policy, passes and
reports for officer_a. Gates are community-wide, so the worker of the other grid is no
outsider to them (``grid_scoped=False``); rows tied to a household of grid a1 are hidden
from that worker like the household itself.
"""

from __future__ import annotations

import datetime as dt

from fangkong.access import services
from fangkong.access.tests.factories import CheckpointFactory, VisitorFactory, issue_pass, scan
from fangkong.core.tests.walk import Route, World


def build(world: World) -> None:
    """A gate of community A, the household's pass, a gate event, a visitor, a suspension
    and an exemption."""
    gate = CheckpointFactory(community=world.community_a, name="甲门岗")
    item = issue_pass(world.household)
    world.extra.update(
        gate=gate,
        pass_=item,
        event=scan(gate, item.token, "in").event,  # an entry without exit: flagged
        visitor=VisitorFactory(checkpoint=gate, household=world.household),
        suspension=services.do_suspend_household_passes(
            world.household, source="office", reason="巡查中发现", until=None, by=None
        ),
        exemption=services.do_create_exemption(
            household=world.household,
            by=None,
            kind="commuter",
            document="单位证明",
            ends_on=dt.date(2099, 1, 1),
        ),
    )


def _gate(w: World) -> dict:
    return {"checkpoint": w.extra["gate"].pk}


GATE = {"permitted": "checkpoint_a", "grid_scoped": False}

ROUTES: dict[str, Route] = {
    "access:index": Route(kind="list"),
    "access:gate": Route(kind="list", permitted="checkpoint_a"),
    "access:gate_sw": Route(kind="public"),
    "access:gate_manifest": Route(kind="public"),
    "access:gate_data": Route(data=_gate, **GATE),
    "access:gate_check": Route(
        data=lambda w: {**_gate(w), "code": w.extra["pass_"].serial}, **GATE
    ),
    "access:out_now": Route(kind="list"),
    "access:policy": Route(kind="list"),
    "access:pass_list": Route(kind="list"),
    "access:pass_issue": Route(kind="list"),
    "access:pass_print": Route(data=lambda w: {"pass": w.extra["pass_"].pk}),
    "access:pass_detail": Route(kwargs=lambda w: {"pk": w.extra["pass_"].pk}),
    "access:pass_replace": Route(
        kwargs=lambda w: {"pk": w.extra["pass_"].pk},
        method="post",
        data=lambda w: {"reason": "lost"},
        ok=302,
    ),
    "access:pass_void": Route(
        kwargs=lambda w: {"pk": w.extra["pass_"].pk},
        method="post",
        data=lambda w: {"reason": "moved out"},
        ok=302,
    ),
    "access:household_suspend": Route(kwargs=lambda w: {"household_pk": w.household.pk}),
    "access:exemption_add": Route(kwargs=lambda w: {"household_pk": w.household.pk}),
    "access:suspension_list": Route(kind="list"),
    "access:suspension_lift": Route(
        kwargs=lambda w: {"pk": w.extra["suspension"].pk}, method="post", ok=302
    ),
    "access:exemption_list": Route(kind="list"),
    "access:exemption_revoke": Route(
        kwargs=lambda w: {"pk": w.extra["exemption"].pk}, method="post", ok=302
    ),
    "access:event_list": Route(kind="list"),
    "access:event_detail": Route(kwargs=lambda w: {"pk": w.extra["event"].pk}),
    "access:event_review": Route(
        kwargs=lambda w: {"pk": w.extra["event"].pk}, method="post", ok=302
    ),
    "access:report": Route(kind="list"),
    "access:report_export": Route(kind="list"),
    "access:visitor_list": Route(kind="list", permitted="checkpoint_a"),
    "access:visitor_add": Route(kind="list", permitted="checkpoint_a"),
    "access:visitor_detail": Route(
        kwargs=lambda w: {"pk": w.extra["visitor"].pk}, permitted="checkpoint_a"
    ),
    "access:visitor_call": Route(
        kwargs=lambda w: {"pk": w.extra["visitor"].pk},
        method="post",
        ok=302,
        permitted="checkpoint_a",
    ),
    "access:visitor_confirm": Route(
        kwargs=lambda w: {"pk": w.extra["visitor"].pk},
        method="post",
        data=lambda w: {"confirmed_by": "head"},
        ok=302,
        permitted="checkpoint_a",
    ),
    "access:visitor_refuse": Route(
        kwargs=lambda w: {"pk": w.extra["visitor"].pk},
        method="post",
        data=lambda w: {"reason": "no answer"},
        ok=302,
        permitted="checkpoint_a",
    ),
    "access:visitor_leave": Route(
        kwargs=lambda w: {"pk": w.extra["visitor"].pk},
        method="post",
        ok=302,
        permitted="checkpoint_a",
    ),
    # The API
    "api:gatescan-list": Route(
        method="post",
        api=True,
        **GATE,
        data=lambda w: {
            "pass_code": w.extra["pass_"].token,
            "checkpoint": w.extra["gate"].pk,
            "direction": "out",
            "temperature": 36.5,
            "client_event_id": "8a1c7f52-3f0e-4c8e-9a55-0c1b2d3e4f50",
        },
    ),
    "api:gateevent-list": Route(kind="list", api=True),
    "api:gateevent-detail": Route(kwargs=lambda w: {"pk": w.extra["event"].pk}, api=True),
    "api:pass-list": Route(kind="list", api=True),
    "api:pass-detail": Route(kwargs=lambda w: {"pk": w.extra["pass_"].pk}, api=True),
    "api:visitor-list": Route(kind="list", api=True),
    "api:visitor-detail": Route(kwargs=lambda w: {"pk": w.extra["visitor"].pk}, api=True),
}
