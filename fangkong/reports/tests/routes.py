"""The dashboards' routes for the access walk (core's walk_routes.py lists the reports app's
older routes: the home page, the daily figures and their API)."""

from __future__ import annotations

from fangkong.core.tests.walk import Route

ROUTES = {
    # The first community's dashboard: not found by an officer of the other community (the
    # user's own area at /dashboard/ is the same view: reports/tests/test_dashboard.py).
    "reports:dashboard": Route(
        kwargs=lambda w: {"pk": w.community_a.pk}, row=lambda w: w.community_a
    ),
}
