"""The accounts routes for the access walk (format: fangkong/core/tests/walk.py). Logging in
and out are walked by core's own list; these are two-step login's pages.

``build`` adds a grid worker of grid a1 with a confirmed authenticator app, whom community
A's officer may reset (grid a2's worker and community B's officer get 404), and an API token of
that worker's, described with the canary name: community A's officer lists and revokes it,
outsiders neither see it in their list nor reach it. That worker is also lent to grid a1 as
a volunteer until a later day: community A's officer sees and ends it, and lists it in the
API; outsiders get 404 (the API list's scope has its own test: an administrator may see
assignments, so the canary, which it must never see, is not put in one).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fangkong.accounts.choices import Role
from fangkong.accounts.models import AuthenticatorDevice
from fangkong.accounts.services import do_add_assignment, do_issue_api_token
from fangkong.accounts.tests.factories import UserFactory
from fangkong.core.tests.walk import CANARY_NAME, Route, World


def build(world: World) -> None:
    enrolled = UserFactory(
        username="enrolled_a1", role=Role.GRID_WORKER, area=world.grid_a1, full_name="戊己庚辛"
    )
    AuthenticatorDevice.objects.create(user=enrolled, name="fangkong", confirmed=True)
    world.extra["enrolled_user"] = enrolled
    world.extra["api_token"] = do_issue_api_token(enrolled, by=None, description=CANARY_NAME)[0]
    world.extra["assignment"] = do_add_assignment(
        enrolled,
        by=None,
        role=Role.VOLUNTEER,
        area=world.grid_a1,
        ends_on=world.grid_a1.local_today() + dt.timedelta(days=30),
        note="借调筛查",
    )
    # The account the accounts pages and API act on: community A's officer manages it
    # (edits, deactivates, reactivates, resets); everyone else finds nothing.
    managed = UserFactory(
        username="managed_a1", role=Role.GRID_WORKER, area=world.grid_a1, full_name="壬癸子丑"
    )
    AuthenticatorDevice.objects.create(user=managed, name="fangkong", confirmed=True)
    world.extra["managed_user"] = managed


def _managed(w: World) -> dict[str, int]:
    return {"pk": w.extra["managed_user"].pk}


REASON = {"reason": "调岗"}


CODE = {"code": "000000"}

ROUTES = {
    # Without a password step first, the code step sends the visitor back to log in.
    "accounts:login_code": Route(kind="public", ok=302),
    # Everyone's own page and own app: nothing of anyone else's.
    "accounts:account": Route(kind="list"),
    # Everyone's own password (the form; nothing of anyone else's).
    "accounts:password_change": Route(kind="list"),
    "accounts:two_factor_start": Route(kind="list", method="post", ok=302),
    # The walk's users have no app being enrolled or confirmed: back to the account page.
    "accounts:two_factor_confirm": Route(kind="list", method="post", data=lambda w: CODE, ok=302),
    "accounts:two_factor_remove": Route(kind="list", method="post", data=lambda w: CODE, ok=302),
    # Officers: their area's users with an app, and resetting one.
    "accounts:two_factor_users": Route(kind="list"),
    "accounts:two_factor_reset": Route(
        kwargs=lambda w: {"pk": w.extra["enrolled_user"].pk},
        method="post",
        ok=302,
    ),
    # Accounts of the area: the list, a new account's form, one account's page and form.
    "accounts:user_list": Route(kind="list"),
    "accounts:user_create": Route(kind="list"),
    "accounts:user_detail": Route(kwargs=_managed),
    "accounts:user_edit": Route(kwargs=_managed),
    # Buttons on an account's page: back to it (a reset password: the page showing it once).
    "accounts:user_deactivate": Route(
        kwargs=_managed, method="post", data=lambda w: REASON, ok=302
    ),
    "accounts:user_reactivate": Route(
        kwargs=_managed, method="post", data=lambda w: REASON, ok=302
    ),
    "accounts:user_reset_password": Route(kwargs=_managed, method="post"),
    "accounts:user_reset_two_factor": Route(kwargs=_managed, method="post", ok=302),
    # The API: reads here, writes in API_WRITES below.
    "api:user-list": Route(kind="list", api=True),
    "api:user-detail": Route(kwargs=_managed, api=True),
    "api:user-deactivate": Route(kwargs=_managed, method="post", data=lambda w: REASON, api=True),
    "api:user-reactivate": Route(kwargs=_managed, method="post", data=lambda w: REASON, api=True),
    "api:user-reset-password": Route(kwargs=_managed, method="post", api=True),
    "api:user-reset-two-factor": Route(kwargs=_managed, method="post", api=True),
    # API tokens: everyone's own, and an officer's area's users' (the canary's token).
    "accounts:api_tokens": Route(kind="list"),
    "accounts:api_token_revoke": Route(
        kwargs=lambda w: {"pk": w.extra["api_token"].pk},
        method="post",
        ok=302,
    ),
    # A user's assignments (own and dated), with the add form; ending one.
    "accounts:user_assignments": Route(kwargs=lambda w: {"pk": w.extra["enrolled_user"].pk}),
    "accounts:assignment_end": Route(
        kwargs=lambda w: {"pk": w.extra["assignment"].pk}, method="post", ok=302
    ),
    # The API: assignments in the caller's areas (the canary's note), one, ending one.
    "api:assignment-list": Route(kind="list", api=True),
    "api:assignment-detail": Route(kwargs=lambda w: {"pk": w.extra["assignment"].pk}, api=True),
    "api:assignment-end": Route(
        kwargs=lambda w: {"pk": w.extra["assignment"].pk}, method="post", api=True
    ),
}

#: Writes through the API at the names of the list and detail routes walked above.
API_WRITES: list[tuple[str, Route]] = [
    (
        "api:assignment-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            data=lambda w: {
                "user": w.extra["enrolled_user"].pk,
                "role": Role.GRID_WORKER,
                "area": w.grid_a1.pk,
                "note": "借调",
            },
        ),
    ),
    (
        "api:user-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            data=lambda w: {"full_name": "丑寅卯辰", "role": Role.VOLUNTEER, "area": w.grid_a1.pk},
        ),
    ),
    (
        "api:user-detail",
        Route(kwargs=_managed, method="patch", api=True, data=lambda w: {"full_name": "壬癸子寅"}),
    ),
]


def _account_import(world: World, *, mode: str = "preview") -> Any:
    """A finished staff-accounts import of community A's officer (made per request: the
    walk's writes roll back after each test): a preview whose upload is gone, or an import
    whose password sheet is still to download."""
    from fangkong.core.imports.uploads import store_upload
    from fangkong.core.models import Job

    result: dict[str, Any] = {
        "rows": 2,
        "created": 1,
        "rejected": 1,
        "written": mode != "preview",
        "errors": [{"row": 3, "column": "姓名", "message": "-", "code": "x", "value": CANARY_NAME}],
    }
    if mode != "preview":
        result["password_sheet"] = store_upload([b"%PDF-1.4 " + CANARY_NAME.encode()])
    return Job.objects.create(
        kind="accounts.import_users",
        user=world.users["officer_a"],
        area_path=world.community_a.path,
        status="completed",
        params={"upload": "0" * 32, "filename": "名单.xlsx", "rows": 2, "mode": mode},
        result=result,
    )


ROUTES.update(
    {
        # The staff-accounts import (import_views.py): administrators' and officers'; an
        # import's pages are its importer's alone (anyone else: 404).
        "accounts:import_start": Route(kind="list"),
        "accounts:import_template": Route(kind="list"),
        "accounts:import_detail": Route(kwargs=lambda w: {"pk": _account_import(w).pk}),
        # The walk's preview keeps no upload: its owner is sent back to it with a note.
        "accounts:import_rejected": Route(kwargs=lambda w: {"pk": _account_import(w).pk}, ok=302),
        "accounts:import_confirm": Route(
            kwargs=lambda w: {"pk": _account_import(w).pk},
            method="post",
            data=lambda w: {"action": "import"},
            ok=302,
        ),
        "accounts:import_sheet": Route(
            kwargs=lambda w: {"pk": _account_import(w, mode="import").pk}
        ),
    }
)
