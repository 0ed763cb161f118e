"""What modules show on a household's own self-service page (issue: residents' pages).

The household page (app ``selfservice``) shows the household, its pass, its quarantine and
its health reports itself; other modules add read-only sections (announcements and guidance
for the household's area, the FAQ, the household's own questions and their answers) without
the self-service app importing them: a module declares ``HOUSEHOLD_SECTIONS`` in its
``household_page.py``, a list of ``HouseholdSection``. The page renders each section's
template with what its ``context(household)`` returns, in ``order``; a section whose context
is ``None`` is left out (nothing to show).

Sections are read by someone holding the household's link, not by staff: a section shows
what concerns that household or its area only, masks every person's data, and never names
staff beyond a role and an office phone.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.functional import Promise

if TYPE_CHECKING:
    from fangkong.registry.models import Household


@dataclass(frozen=True)
class HouseholdSection:
    """One block of the household page contributed by a module."""

    key: str  # unique, "app.what"
    title: str | Promise  # shown as the block's heading (a lazy translation)
    template: str  # rendered with the context below
    context: Callable[[Household], dict[str, Any] | None]
    order: int = 100  # smaller first; the page's own blocks use 0-50


@cache
def sections() -> tuple[HouseholdSection, ...]:
    """Every installed module's ``HOUSEHOLD_SECTIONS``, by ``order`` then key."""
    found: list[HouseholdSection] = []
    for config in apps.get_app_configs():
        name = f"{config.name}.household_page"
        if not config.name.startswith("fangkong.") or importlib.util.find_spec(name) is None:
            continue
        found.extend(getattr(importlib.import_module(name), "HOUSEHOLD_SECTIONS", []))
    return tuple(sorted(found, key=lambda s: (s.order, s.key)))


def rendered_context(household: Household) -> list[tuple[HouseholdSection, dict[str, Any]]]:
    """The sections that have something to show for ``household``, with their contexts."""
    shown = []
    for section in sections():
        context = section.context(household)
        if context is not None:
            shown.append((section, context))
    return shown
