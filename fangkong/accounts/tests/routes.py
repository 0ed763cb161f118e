"""The accounts routes for the access walk (format: fangkong/core/tests/walk.py). Logging in
and out are walked by core's own list; these are two-step login's pages.

``build`` adds a grid worker of grid a1 with a confirmed authenticator app, whom community
A's officer may reset (grid a2's worker and community B's officer get 404), and an API token of
that worker's, described with the canary name: community A's officer lists and revokes it,
outsiders neither see it in their list nor reach it.
"""

from __future__ import annotations

from typing import Any

from fangkong.accounts.choices import Role
from fangkong.accounts.models import AuthenticatorDevice
from fangkong.accounts.services import do_issue_api_token
from fangkong.accounts.tests.factories import UserFactory
from fangkong.core.tests.walk import CANARY_NAME, Route, World


def build(world: World) -> None:
    enrolled = UserFactory(
        username="enrolled_a1", role=Role.GRID_WORKER, area=world.grid_a1, full_name="戊己庚辛"
    )
    AuthenticatorDevice.objects.create(user=enrolled, name="fangkong", confirmed=True)
    world.extra["enrolled_user"] = enrolled
    world.extra["api_token"] = do_issue_api_token(enrolled, by=None, description=CANARY_NAME)[0]


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
    # API tokens: everyone's own, and an officer's area's users' (the canary's token).
    "accounts:api_tokens": Route(kind="list"),
    "accounts:api_token_revoke": Route(
        kwargs=lambda w: {"pk": w.extra["api_token"].pk},
        method="post",
        ok=302,
    ),
}


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
