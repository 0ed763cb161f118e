"""Self-service routes for the access walk (see fangkong/core/tests/walk.py).

The household of grid a1 has a link. Its own pages need no login: the slip's link opens a
session (302 on to the page); without one, the pages send to the phone sign-in (302). The
staff pages are the officer's; the link just issued is shown only to the session that
issued it, so the walk's personas (none issued it) find nothing there (404).
"""

from __future__ import annotations

from typing import Any

from fangkong.core.tests.walk import Route, World
from fangkong.selfservice.tests.factories import issue_link, propose_phone


def build(world: World) -> None:
    link, token = issue_link(world.household)
    world.extra["selfservice_link"] = link
    world.extra["selfservice_token"] = token
    world.extra["selfservice_correction"] = propose_phone(link)


def _household(w: World) -> dict[str, Any]:
    return {"pk": w.household.pk}


def _link(w: World) -> dict[str, Any]:
    return {"pk": w.extra["selfservice_link"].pk}


def _correction(w: World) -> dict[str, Any]:
    return {"pk": w.extra["selfservice_correction"].pk}


ROUTES = {
    "selfservice:open": Route(
        kind="public", kwargs=lambda w: {"token": w.extra["selfservice_token"]}, ok=302
    ),
    "selfservice:home": Route(kind="public", ok=302),
    "selfservice:report": Route(
        kind="public", method="post", data=lambda w: {"member": "1"}, ok=302
    ),
    "selfservice:ask": Route(
        kind="public", method="post", data=lambda w: {"question": "何时解封？"}, ok=302
    ),
    "selfservice:correction": Route(kind="public", ok=302),
    "selfservice:text_size": Route(
        kind="public", method="post", data=lambda w: {"large": "1"}, ok=302
    ),
    "selfservice:phone": Route(kind="public"),
    "selfservice:code": Route(kind="public", ok=302),
    "selfservice:household": Route(kwargs=_household, row=lambda w: w.household),
    "selfservice:issue": Route(kwargs=_household, method="post", ok=302, row=lambda w: w.household),
    "selfservice:issued": Route(kwargs=_link, ok=404),
    "selfservice:slip": Route(kwargs=_link, ok=404),
    "selfservice:revoke": Route(kwargs=_link, method="post", ok=302),
    "selfservice:correction_list": Route(kind="list"),
    "selfservice:correction_detail": Route(kwargs=_correction),
    "selfservice:correction_approve": Route(kwargs=_correction, method="post", ok=302),
    "selfservice:correction_reject": Route(
        kwargs=_correction, method="post", data=lambda w: {"reason": "号码不对"}, ok=302
    ),
    "selfservice:activity": Route(kind="list"),
    "api:selfservice-link-list": Route(kind="list", api=True),
    "api:selfservice-link-detail": Route(kwargs=_link, api=True),
    "api:selfservice-link-revoke": Route(
        kwargs=_link, api=True, method="post", data=lambda w: {"reason": "遗失"}, ok=200
    ),
    "api:selfservice-correction-list": Route(kind="list", api=True),
    "api:selfservice-correction-detail": Route(kwargs=_correction, api=True),
    "api:selfservice-correction-approve": Route(
        kwargs=_correction, api=True, method="post", ok=200
    ),
    "api:selfservice-correction-reject": Route(
        kwargs=_correction, api=True, method="post", data=lambda w: {"reason": "不对"}, ok=200
    ),
    "api:selfservice-activity-list": Route(kind="list", api=True),
    "api:selfservice-activity-detail": Route(kwargs=lambda w: {"pk": _first_activity(w)}, api=True),
}

API_WRITES = [
    (
        "api:selfservice-link-list",
        Route(
            kind="create",
            api=True,
            method="post",
            data=lambda w: {"household": w.household.pk},
            ok=201,
        ),
    ),
]


def _first_activity(w: World) -> int:
    from fangkong.selfservice.models import Activity

    activity = Activity.objects.filter(household=w.household).order_by("pk").first()
    assert activity is not None, "build() records the correction's activity"
    return activity.pk
