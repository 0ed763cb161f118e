"""Scope is decided in one place: no module outside core and areas filters rows on area
paths (a ``LIKE`` no index serves, and a second rule beside ``restrict()``)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

#: Where tree paths may be read: the tree itself, and core's resolution of a user's scope.
ALLOWED = ("areas/", "core/scope.py")
#: Lookups that filter on a materialised path, and the old per-app rules.
FORBIDDEN = re.compile(
    r"path__startswith|path__istartswith|path__contains|scope_paths\(|scope_q\(|"
    r"COMMUNITY_DEPTH|visible_campaigns|visible_questionnaires|StaffQuerySet"
)


def test_no_module_outside_core_and_areas_filters_on_area_paths() -> None:
    root = Path(settings.BASE_DIR) / "fangkong"
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative.startswith(ALLOWED):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_every_scoped_model_declares_its_rule_on_indexed_ids() -> None:
    from django.apps import apps

    from fangkong.core.scope import ScopeRule

    for model in apps.get_models():
        rule = getattr(model, "scope_rule", None)
        if not isinstance(rule, ScopeRule):
            continue
        for lookup in (rule.community, rule.grid, rule.area):
            # Every lookup ends in an id column (a foreign key's, or the key itself).
            assert lookup is None or lookup == "id" or lookup.endswith("_id"), (
                model.__name__,
                lookup,
            )
