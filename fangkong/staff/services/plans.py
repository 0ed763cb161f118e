"""The prevention plan: every save is a new version; nothing is overwritten."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import ConflictError
from fangkong.staff.models import PlanVersion, PreventionPlan
from fangkong.staff.services.checks import require_community, require_in_area, require_visible

if TYPE_CHECKING:
    from fangkong.accounts.models import User

TEXT_MAX = 200_000


@transaction.atomic
def do_save_plan(
    *,
    community: Area,
    by: User | None,
    title: str,
    text: str,
    summary: str = "",
    expected_number: int | None = None,
) -> PlanVersion:
    """Save a new version of the community's plan (the first save creates the plan).

    ``expected_number`` is the version the writer started from: if someone saved another
    version meanwhile, the save is refused (ConflictError) rather than silently replacing
    their text; the writer compares and saves again.
    """
    require_community(community)
    title, text, summary = (
        (title or "").strip(),
        (text or "").replace("\r\n", "\n"),
        (summary or "").strip(),
    )
    errors = {}
    if not title:
        errors["title"] = _("Give the plan a title.")
    if not text.strip():
        errors["text"] = _("The plan has no text.")
    elif len(text) > TEXT_MAX:
        errors["text"] = _("The plan is too long.")
    if errors:
        raise ValidationError(errors)
    plan = PreventionPlan.objects.select_for_update().filter(community=community).first()
    if plan is None:
        require_in_area(by, PreventionPlan, "add", community)
        plan = PreventionPlan.objects.create(community=community, title=title)
        record_change(ChangeAction.CREATE, plan, actor=by)
    else:
        require_visible(by, plan, "change")
    if expected_number is not None and expected_number != plan.current_number:
        raise ConflictError(
            _(
                "Someone else saved version %(n)s of the plan while you were editing. Your text "
                "is shown again below; compare it with the current version and save again."
            )
            % {"n": plan.current_number},
            current_version=plan.current_number,
        )
    before = plan.audit_snapshot()
    plan.current_number += 1
    plan.title = title
    plan.version += 1
    plan.save(update_fields=["current_number", "title", "version", "updated"])
    version = PlanVersion.objects.create(
        community=community,
        plan=plan,
        number=plan.current_number,
        title=title,
        text=text,
        summary=summary[:200],
        author=by if by is not None else None,
        author_name=by.get_username() if by is not None else "system",
    )
    record_change(ChangeAction.UPDATE, plan, before=before, actor=by)
    record_change(ChangeAction.CREATE, version, actor=by)
    return version
