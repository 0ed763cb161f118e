"""Checks every staff service makes before it changes a row.

Outside the actor's scope is "not found" (never reveal that a row exists); inside the scope
without the right is a permission error. ``by=None`` is system work (the demo, other modules'
background jobs, management commands) and skips both. Both are asked of
``fangkong.core.querysets.require``, with the staff app's own rule for what a user sees.

Visibility of an existing row is asked of ``Model.objects.restrict(user)`` itself, so a
service and a page never disagree about who sees what (fangkong.staff.querysets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import sees
from fangkong.staff.querysets import sees_area

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def require_visible(user: User | None, obj: models.Model, action: str = "view") -> None:
    """``user`` sees ``obj`` (else 404) and may ``action`` rows of its kind (else 403)."""
    if user is None:
        return
    if not sees(user, obj, "view"):
        raise Http404
    if not user.has_action(type(obj), action):
        raise PermissionDeniedError(action)


def require_in_area(user: User | None, model: type[models.Model], action: str, area: Area) -> None:
    """``user`` works in ``area`` (else 404) and may ``action`` rows of ``model`` (else 403)."""
    if user is None:
        return
    if not sees_area(user, area):
        raise Http404
    if not user.has_action(model, action):
        raise PermissionDeniedError(action)


def clean_constraints(obj: models.Model, exclude: list[str] | None = None) -> None:
    """Field validation and the model's named constraints, with their own messages."""
    obj.full_clean(exclude=exclude or [], validate_unique=True, validate_constraints=True)


def require_community(community: Area) -> None:
    """Rows of the staff app belong to a community (not a street, not a grid)."""
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Choose a community."))


def in_community(area: Area | None, community: Area) -> bool:
    """Whether ``area`` is the community or lies inside it."""
    return area is not None and area.lies_in(community)
