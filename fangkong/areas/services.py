"""State changes of the jurisdiction tree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction

if TYPE_CHECKING:
    from fangkong.accounts.models import User


@transaction.atomic
def do_create_area(
    *,
    level: AreaLevel | str,
    name: str,
    code: str,
    parent: Area | None,
    by: User | None,
    **extra: Any,
) -> Area:
    area = Area(level=level, name=name, code=code, parent=parent, path="", **extra)
    area.full_clean(exclude=["path"])
    # The path needs the primary key: save with a unique placeholder, then set it.
    area.path = f"?{code}"
    area.save()
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.save(update_fields=["path"])
    record_change(ChangeAction.CREATE, area, actor=by)
    return area
