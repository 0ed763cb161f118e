"""Shared pieces of the access walk (see test_access_walk.py).

Each app lists its routes in ``fangkong/<app>/tests/routes.py``::

    from fangkong.core.tests.walk import Route, World

    def build(world: World) -> None:
        # Rows of the first community, grid a1, that this app's routes point at.
        world.extra["task"] = TaskFactory(community=world.community_a, ...)

    ROUTES = {
        "staff:task_detail": Route(kwargs=lambda w: {"pk": w.extra["task"].pk}),
        "api:task-list": Route(kind="list", api=True),
    }

The walk merges every app's ``ROUTES``, calls every ``build`` once per test, and requests each
route as anonymous, as an officer of the other community, as a grid worker of the other grid,
and as the permitted persona.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openpyxl

#: A marker in the first community's data that must never show to outsiders.
CANARY_NAME = "甲乙丙丁"


@dataclass
class World:
    """The rows the walk's routes point at. ``users`` maps persona names to users."""

    community_a: Any
    grid_a1: Any
    building: Any
    household: Any
    person: Any
    job: Any
    users: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """How to call one route and what each persona gets.

    ``kind``: ``object`` routes point at a row of grid a1 (outsiders get 404); ``community``
    routes at the first community itself; ``list`` routes show rows (outsiders get a page
    without the first community's rows, or 403); ``create`` routes add a row referring to
    rows of grid a1 (outsiders are refused: 400 as if those rows did not exist, or 403);
    ``public`` routes need no login.
    Writes through the API at the name of a list or detail route go in the module's
    ``API_WRITES`` list of ``(name, Route)`` pairs instead of ``ROUTES``.
    ``permitted`` names the persona that may use the route (see the root conftest:
    officer_a, grid_worker_a1, health_a, checkpoint_a, volunteer_a, ...). ``api`` routes
    answer anonymous users 401 instead of a redirect to the login page.
    """

    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    kind: str = "object"
    permitted: str = "officer_a"
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    ok: int = 200
    grid_scoped: bool = True  # the other grid's worker is an outsider too (unless ``row`` says)
    #: The row an object route is about, where its view does not name its model: the walk
    #: then asks ``restrict()`` whether an outsider sees it.
    row: Callable[[World], Any] | None = None
    api: bool = False


def response_text(response: Any) -> str:
    """What a person would read in a response: a page, JSON, or a spreadsheet's cells."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if "csv" in content_type:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return body.decode(encoding)
            except UnicodeDecodeError:
                continue
    if content_type.startswith("application/pdf"):
        return body.decode("latin-1")  # text in PDFs is checked by their own tests
    return body.decode("utf-8", errors="replace")
