"""axe-core over every page of the access walk, opened in Chromium at 360×740 in Chinese by the
persona each page is for: no serious or critical violation (contrast, names and labels,
landmarks, a page that reloads itself).

axe is vendored for the tests (vendor/axe-core/README.md: version, hash, licence) and put into
each page through the DevTools protocol, so the site's CSP (scripts from itself only) stays on
and no CDN is asked. The walk's world is built once per persona's test.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from fangkong.core.tests.browser import NEEDS_CHROMIUM, log_in
from fangkong.core.tests.walk import Route
from fangkong.core.tests.walk_routes import WALK, build_world

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
#: What fails the test; "moderate" and "minor" findings are left to judgement.
FAILING = {"serious", "critical"}
#: Pages that are not the site's own: the API's reference is drawn by a third-party viewer.
NOT_OURS = {"api:docs"}

PAGES_BY_PERSONA: dict[str, list[tuple[str, Route]]] = defaultdict(list)
for _id, _name, _route in WALK:
    if (
        _route.method == "get"
        and not _route.api
        and _route.kind != "public"
        and _name not in NOT_OURS
    ):
        PAGES_BY_PERSONA[_route.permitted].append((_name, _route))
PAGES_BY_PERSONA["anonymous"] = [
    (n, r) for _i, n, r in WALK if r.kind == "public" and r.method == "get"
]

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(
      n => n.target.join(" ") + " :: " + n.failureSummary.split("\\n")[1])
  }));
}"""


def violations(page: Any) -> list[dict[str, Any]]:
    page.evaluate(AXE)
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in FAILING]


@pytest.mark.parametrize("persona", sorted(PAGES_BY_PERSONA))
def test_every_page_of_the_walk_passes_axe_for(phone: Any, persona: str) -> None:
    # Given the walk's world, and the persona logged in
    world = build_world()
    if persona != "anonymous":
        log_in(phone, world.users[persona].username)
    failures = []
    for name, route in PAGES_BY_PERSONA[persona]:
        # When they open each of their pages
        url = reverse(name, kwargs=route.kwargs(world))
        try:
            response = phone.goto(phone.base_url + url)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue  # a file, not a page
            raise
        if (
            response is None
            or response.status != 200
            or "html" not in (response.headers.get("content-type", ""))
        ):
            continue
        # Then axe finds nothing serious or critical
        for v in violations(phone):
            failures.append(f"{name} [{v['impact']}] {v['id']}: {v['help']} {v['nodes']}")
    assert not failures, "\n".join(failures)
