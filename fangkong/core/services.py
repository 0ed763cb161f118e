"""Small pieces every app's ``do_*`` services share: the version check, the row lock, a save
that turns a database constraint into a message, the actor an audit row names, and the
community's officer.

One copy each, here: the apps had grown five ``check_version``, four ``locked`` and two
``save_checked`` of their own, and a fix to one never reached the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from fangkong.core.exceptions import ConflictError

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: The role whose holder runs a community (``accounts.choices.Role.COMMUNITY_OFFICER``;
#: core sits below accounts and names it by its value).
COMMUNITY_OFFICER = "community_officer"


def check_version(obj: Any, expected: int | None, message: str | None = None) -> None:
    """Refuse a change made from a stale read (optimistic locking). ``expected=None``: the
    caller read nothing (an API call without ``version``, system work) and is not checked."""
    if expected is not None and obj.version != expected:
        raise ConflictError(
            message
            or _(
                "Someone else changed this record while you were editing it. Your "
                "input is shown again below; check the current values and save "
                "again."
            ),
            current_version=obj.version,
        )


def locked(model: type[models.Model], pk: int, *related: str) -> Any:
    """The row, locked for this transaction.

    ``select_for_update`` serialises writers on PostgreSQL; SQLite's IMMEDIATE transaction
    already holds the write lock. With ``related`` rows joined, only the row itself is locked
    (``FOR UPDATE OF``): PostgreSQL refuses to lock the nullable side of an outer join.
    """
    qs = model._default_manager.all()
    if related:
        return qs.select_for_update(of=("self",)).select_related(*related).get(pk=pk)
    return qs.select_for_update().get(pk=pk)


def save_checked(obj: models.Model, **kwargs: Any) -> None:
    """Save, turning a constraint the database enforces into the model's own message."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError(_("This record conflicts with one that already exists.")) from exc


def actor_or_none(by: User | None) -> Any:
    """The user to name as a row's author: ``None`` for system work and anonymous callers."""
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def officer_of(community: Any, role: str = COMMUNITY_OFFICER) -> Any:
    """The community's officer of ``role`` (the longest-standing active account), or None:
    who gets the task a service raises on someone else's behalf."""
    return (
        get_user_model()
        .objects.filter(role=role, area=community, is_active=True)
        .order_by("pk")
        .first()
    )
