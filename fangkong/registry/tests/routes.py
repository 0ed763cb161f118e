"""Every registry route (pages, import and export, API) for the access walk (format:
fangkong/core/tests/walk.py).

The walk's world already holds the registry's rows (the building, household and person of
grid a1, named ``CANARY_NAME``): an import preview is the only row made here, per request.
"""

from __future__ import annotations

from typing import Any

from fangkong.core.personal_data import decrypt
from fangkong.core.tests.walk import CANARY_NAME, Route, World


def _import_preview(world: World) -> Any:
    """A finished import preview of the first community (made per request: the walk's
    writes roll back after each test). Its upload is gone, so confirming imports nothing."""
    from fangkong.core.models import Job

    return Job.objects.create(
        kind="registry.import_residents",
        user=world.users["officer_a"],
        area_path=world.community_a.path,
        status="completed",
        params={
            "upload": "0" * 32,
            "filename": "居民登记表.xlsx",
            "rows": 2,
            "community": world.community_a.pk,
            "mode": "preview",
        },
        result={
            "created": 1,
            "updated": 0,
            "unchanged": 0,
            "rejected": 1,
            "errors": [
                {"row": 3, "column": "姓名", "message": "-", "code": "x", "value": CANARY_NAME}
            ],
        },
    )


ROUTES: dict[str, Route] = {
    # Searching for part of the name: the search box echoes the query, not the whole name.
    "registry:person_list": Route(kind="list", data=lambda w: {"q": CANARY_NAME[:2]}),
    # Rows of the first community, grid a1
    "registry:community": Route(kwargs=lambda w: {"pk": w.community_a.pk}, kind="community"),
    # The community's building tiles, ticked into grids: the administrator's page.
    "registry:assign_grids": Route(
        kwargs=lambda w: {"pk": w.community_a.pk},
        permitted="administrator",
        row=lambda w: w.community_a,
    ),
    "registry:building_detail": Route(kwargs=lambda w: {"pk": w.building.pk}),
    "registry:building_edit": Route(kwargs=lambda w: {"pk": w.building.pk}),
    "registry:building_add": Route(
        kwargs=lambda w: {"community_pk": w.community_a.pk}, grid_scoped=False
    ),
    "registry:household_detail": Route(kwargs=lambda w: {"pk": w.household.pk}),
    "registry:household_edit": Route(kwargs=lambda w: {"pk": w.household.pk}),
    "registry:household_add": Route(kwargs=lambda w: {"building_pk": w.building.pk}),
    "registry:person_detail": Route(kwargs=lambda w: {"pk": w.person.pk}),
    "registry:person_edit": Route(kwargs=lambda w: {"pk": w.person.pk}),
    "registry:person_add": Route(kwargs=lambda w: {"household_pk": w.household.pk}),
    "registry:person_add_no_household": Route(
        kwargs=lambda w: {"community_pk": w.community_a.pk}, grid_scoped=False
    ),
    "registry:person_deactivate": Route(kwargs=lambda w: {"pk": w.person.pk}),
    # The walk's person is active: the page answers, posting it would be refused (400).
    "registry:person_reactivate": Route(kwargs=lambda w: {"pk": w.person.pk}),
    "registry:person_reveal": Route(
        kwargs=lambda w: {"pk": w.person.pk},
        method="post",
        data=lambda w: {"reason": "核实身份"},
    ),
    # Import and export (registry/import_views.py): a community officer's rights
    "registry:import_start": Route(
        kwargs=lambda w: {"community_pk": w.community_a.pk}, grid_scoped=False
    ),
    "registry:import_template": Route(
        kwargs=lambda w: {"community_pk": w.community_a.pk}, grid_scoped=False
    ),
    # The sample register exists for the demo's communities only: 404 for the walk's.
    "registry:import_sample": Route(
        kwargs=lambda w: {"community_pk": w.community_a.pk}, grid_scoped=False, ok=404
    ),
    "registry:import_detail": Route(kwargs=lambda w: {"pk": _import_preview(w).pk}),
    # The walk's preview keeps no upload: its owner is sent back to the preview with a note.
    "registry:import_rejected": Route(kwargs=lambda w: {"pk": _import_preview(w).pk}, ok=302),
    "registry:import_confirm": Route(
        kwargs=lambda w: {"pk": _import_preview(w).pk},
        method="post",
        data=lambda w: {"action": "import"},
        ok=302,
    ),
    "registry:person_export": Route(kind="list", method="post", data=lambda w: {"format": "xlsx"}),
    "registry:household_export": Route(
        kind="list", method="post", data=lambda w: {"format": "csv-utf8"}
    ),
    # The API: reads here, writes in API_WRITES below
    "api:building-list": Route(kind="list", api=True),
    "api:building-detail": Route(kwargs=lambda w: {"pk": w.building.pk}, api=True),
    "api:household-list": Route(kind="list", api=True),
    "api:household-detail": Route(kwargs=lambda w: {"pk": w.household.pk}, api=True),
    "api:person-list": Route(kind="list", api=True, data=lambda w: {"search": CANARY_NAME[:2]}),
    "api:person-detail": Route(kwargs=lambda w: {"pk": w.person.pk}, api=True),
    # A search by the first community's person's own phone: outsiders find no one.
    "api:person-search": Route(
        kind="list",
        method="post",
        api=True,
        data=lambda w: {"phone": decrypt(w.person.phone_cipher)},
    ),
    "api:person-reveal": Route(
        kwargs=lambda w: {"pk": w.person.pk},
        method="post",
        api=True,
        data=lambda w: {"reason": "核实身份"},
    ),
    "api:person-deactivate": Route(
        kwargs=lambda w: {"pk": w.person.pk},
        method="post",
        api=True,
        data=lambda w: {"status": "moved_out", "date": "2020-02-01", "reason": "搬到外地"},
    ),
}

#: Writes through the API, at the names of list and detail routes that ROUTES walks as reads.
API_WRITES: list[tuple[str, Route]] = [
    (
        "api:building-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=False,
            data=lambda w: {"community": w.community_a.pk, "grid": w.grid_a1.pk, "number": "99"},
        ),
    ),
    (
        "api:building-detail",
        Route(
            kwargs=lambda w: {"pk": w.building.pk},
            method="patch",
            api=True,
            data=lambda w: {"section": "北院"},
        ),
    ),
    (
        "api:household-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            data=lambda w: {"building": w.building.pk, "unit": 1, "room": "999"},
        ),
    ),
    (
        "api:household-detail",
        Route(
            kwargs=lambda w: {"pk": w.household.pk},
            method="put",
            api=True,
            data=lambda w: {
                "building": w.building.pk,
                "unit": 1,
                "room": w.household.room,
                "notes": "一楼",
            },
        ),
    ),
    (
        "api:person-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            data=lambda w: {"household": w.household.pk, "name": "新来的"},
        ),
    ),
    (
        "api:person-detail",
        Route(
            kwargs=lambda w: {"pk": w.person.pk},
            method="patch",
            api=True,
            data=lambda w: {"notes": "已核对"},
        ),
    ),
]
