"""What other modules do when a patrol records a finding.

A module that acts on a finding (supplies opens a supply request for a checkpoint whose
supplies are short) registers a handler here from its ``AppConfig.ready``; the patrol's
service calls the handlers of the visit's findings in its own transaction. Staff thereby
never imports the modules that react (they import staff), and a refused handler refuses the
whole visit: nothing is half recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.staff.models import PatrolVisit

Handler = Callable[["PatrolVisit", "User | None"], object]

_handlers: dict[str, list[Handler]] = {}


def register(finding: str, handler: Handler) -> None:
    """Call ``handler(visit, by)`` for each visit recorded with ``finding`` (once)."""
    handlers = _handlers.setdefault(finding, [])
    if handler not in handlers:
        handlers.append(handler)


def react(visit: PatrolVisit, findings: list[str], by: User | None) -> None:
    """Run the handlers of ``findings`` for ``visit`` (in the caller's transaction)."""
    for finding in findings:
        for handler in _handlers.get(finding, ()):
            handler(visit, by)
