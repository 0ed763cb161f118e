"""The rights check every health status change makes, the refusal it gives, and the
evidence it asks for.

The community's clock is ``fangkong.health.clock``, its policy ``services.policy``, who to
call and the tasks raised ``services.tasks``; the version check and the row lock are core's
(``fangkong.core.services``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.db import models
from django.utils.translation import gettext as _

from fangkong.core.querysets import require

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: The access module's source code for the health module's suspensions.
PASS_SOURCE = "health"  # noqa: S105 - a source code, not a password


class EvidenceFields(TypedDict):
    """A status change's evidence as the services' keyword arguments (a page's form, an
    imported row)."""

    reason: str
    evidence_kind: str
    evidence_ref: str
    note: str


def require_health_role(user: User | None, model: type[models.Model], at: Any) -> None:
    """Health status, cases and quarantines change only through the health role. ``at``: the
    row changed, or the row or area a new one belongs to (``core.querysets.require``). No
    user: system work, not checked."""
    require(user, model, "change", at, reason=health_role_only())


def health_role_only() -> str:
    """The refusal every status change gives a role other than the health officer."""
    return _("Only the health officer may change a health status or a quarantine.")
