"""Volunteers' routes for the access walk (format: fangkong/core/tests/walk.py).

Community A has a veteran from outside (the canary in their notes), a resident tagged veteran who
is not a volunteer yet, and a request tonight the veteran accepted; an earlier request,
over, waits for its hours to be counted. Volunteers are community-wide rows that grid
workers do not see (they hold no right on them): ``grid_scoped`` stays true."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fangkong.core.tests.walk import CANARY_NAME, Route, World
from fangkong.registry.choices import PersonTag
from fangkong.registry.services import do_update_person
from fangkong.volunteers.tests.factories import VolunteerFactory, VolunteerRequestFactory, accept


def build(world: World) -> None:
    community = world.community_a
    x = world.extra
    now = timezone.now().replace(second=0, microsecond=0)
    # The accepted veteran's name goes on the staff roster, which every staff member of the
    # community reads: the canary is in a volunteer's own notes, which stay here.
    x["volunteer"] = VolunteerFactory(
        community=community, name="老兵甲", notes=f"{CANARY_NAME}曾任连长"
    )
    x["volunteer_spare"] = VolunteerFactory(community=community, name=f"{CANARY_NAME}候补")
    x["volunteer_request"] = VolunteerRequestFactory(community=community, people_needed=3)
    accept(x["volunteer_request"], x["volunteer"])
    x["volunteer_done"] = VolunteerRequestFactory(
        community=community, start=now - dt.timedelta(hours=5), end=now - dt.timedelta(hours=3)
    )
    person = world.person
    do_update_person(person, by=None, tags=[PersonTag.VETERAN])
    x["veteran_person"] = person


def _community(w: World) -> dict[str, Any]:
    return {"community_pk": w.community_a.pk}


def _volunteer(w: World) -> dict[str, Any]:
    return {"pk": w.extra["volunteer"].pk}


def _request(w: World) -> dict[str, Any]:
    return {"pk": w.extra["volunteer_request"].pk}


def _done(w: World) -> dict[str, Any]:
    return {"pk": w.extra["volunteer_done"].pk}


def _person(w: World) -> dict[str, Any]:
    return {"pk": w.extra["veteran_person"].pk}


ROUTES = {
    "volunteers:volunteer_list": Route(kwargs=_community, kind="community", grid_scoped=False),
    "volunteers:volunteer_export": Route(kwargs=_community, kind="community", grid_scoped=False),
    "volunteers:volunteer_add": Route(kwargs=_community, kind="community", grid_scoped=False),
    "volunteers:veteran_residents": Route(kwargs=_community, kind="community", grid_scoped=False),
    "volunteers:request_list": Route(kwargs=_community, kind="community", grid_scoped=False),
    "volunteers:request_add": Route(kwargs=_community, kind="community", grid_scoped=False),
    "volunteers:import_start": Route(kwargs=_community, kind="community", grid_scoped=False),
    "volunteers:volunteer_detail": Route(kwargs=_volunteer),
    "volunteers:volunteer_edit": Route(kwargs=_volunteer),
    "volunteers:certificate": Route(kwargs=_volunteer),
    "volunteers:add_resident": Route(kwargs=_person, method="post", ok=302),
    "volunteers:request_detail": Route(kwargs=_request),
    "volunteers:request_answer": Route(
        kwargs=_request,
        method="post",
        data=lambda w: {"volunteer": w.extra["volunteer_spare"].pk, "answer": "declined"},
        ok=302,
    ),
    "volunteers:request_hours": Route(kwargs=_done, method="post", ok=302),
    "volunteers:request_cancel": Route(kwargs=_request, method="post", ok=302),
    "api:volunteer-list": Route(kind="list", api=True),
    "api:volunteer-detail": Route(kwargs=_volunteer, api=True),
    "api:volunteer-request-list": Route(kind="list", api=True),
    "api:volunteer-request-detail": Route(kwargs=_request, api=True),
    "api:volunteer-request-matches": Route(kwargs=_request, api=True),
    "api:volunteer-request-accept": Route(
        kwargs=_request,
        api=True,
        method="post",
        data=lambda w: {"volunteer": w.extra["volunteer_spare"].pk},
    ),
    "api:volunteer-request-decline": Route(
        kwargs=_request,
        api=True,
        method="post",
        data=lambda w: {"volunteer": w.extra["volunteer_spare"].pk},
    ),
    "api:volunteer-request-count-hours": Route(kwargs=_done, api=True, method="post"),
}

API_WRITES = [
    (
        "api:volunteer-list",
        Route(
            kind="create",
            api=True,
            method="post",
            data=lambda w: {
                "community": w.community_a.pk,
                "name": "新志愿者",
                "phone": "13912345678",
                "area": w.grid_a1.pk,
            },
            ok=201,
        ),
    ),
    (
        "api:volunteer-request-list",
        Route(
            kind="create",
            api=True,
            method="post",
            data=lambda w: {
                "community": w.community_a.pk,
                "place_name": "南门",
                "area": w.grid_a1.pk,
                "start": (timezone.now() + dt.timedelta(days=2)).isoformat(),
                "end": (timezone.now() + dt.timedelta(days=2, hours=2)).isoformat(),
            },
            ok=201,
        ),
    ),
]


def _import_preview(world: World) -> Any:
    """A finished preview of community A's officer (made per request: the walk's writes
    roll back after each test) whose upload is gone."""
    from fangkong.core.models import Job

    return Job.objects.create(
        kind="volunteers.import",
        user=world.users["officer_a"],
        area_path=world.community_a.path,
        status="completed",
        params={
            "upload": "0" * 32,
            "filename": "退役军人名单.xlsx",
            "rows": 2,
            "mode": "preview",
            "community": world.community_a.pk,
        },
        result={
            "rows": 2,
            "created": 1,
            "unchanged": 0,
            "rejected": 1,
            "written": False,
            "errors": [
                {"row": 3, "column": "姓名", "message": "-", "code": "x", "value": CANARY_NAME}
            ],
        },
    )


ROUTES.update(
    {
        "volunteers:import_detail": Route(kwargs=lambda w: {"pk": _import_preview(w).pk}),
        # The walk's preview keeps no upload: its owner is sent back to it with a note.
        "volunteers:import_rejected": Route(kwargs=lambda w: {"pk": _import_preview(w).pk}, ok=302),
        "volunteers:import_confirm": Route(
            kwargs=lambda w: {"pk": _import_preview(w).pk},
            method="post",
            data=lambda w: {"action": "import"},
            ok=302,
        ),
    }
)
