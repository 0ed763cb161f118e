"""Questionnaires: the shipped register, and every saved edit as a new version."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.querysets import require
from fangkong.core.services import actor_or_none, check_version, locked
from fangkong.screening import register
from fangkong.screening.models import (
    Question,
    Questionnaire,
    QuestionnaireVersion,
)
from fangkong.screening.questionnaires import (
    QuestionSpec,
    validate_specs,
)
from fangkong.screening.services.checks import require_office

if TYPE_CHECKING:
    from fangkong.accounts.models import User

# --- Questionnaires -------------------------------------------------------------------------


def current_specs(questionnaire: Questionnaire) -> list[QuestionSpec]:
    if questionnaire.current_id is None:
        return []
    return version_specs(questionnaire.current_version)


def version_specs(version: QuestionnaireVersion) -> list[QuestionSpec]:
    cached = getattr(version, "_specs", None)
    if cached is None:
        cached = [QuestionSpec.from_question(q) for q in version.questions.all()]
        version._specs = cached  # type: ignore[attr-defined]
    return cached


def _write_version(
    questionnaire: Questionnaire, specs: Sequence[QuestionSpec], *, by: User | None, note: str
) -> QuestionnaireVersion:
    validate_specs(specs)
    last = questionnaire.versions.aggregate(n=Max("number"))["n"] or 0
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=last + 1, note=note[:200], created_by=actor_or_none(by)
    )
    Question.objects.bulk_create(
        [
            Question(version=version, position=position, **spec.as_fields())
            for position, spec in enumerate(specs, start=1)
        ]
    )
    return version


@transaction.atomic
def do_create_questionnaire(
    *,
    area: Area,
    by: User | None,
    name: str,
    description: str = "",
    specs: Sequence[QuestionSpec] | None = None,
    is_default: bool = False,
) -> Questionnaire:
    """A new questionnaire; without ``specs`` it starts as a copy of the shipped register."""
    require(by, Questionnaire, "add", area)
    require_office(by)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the questionnaire a name.")})
    questionnaire = Questionnaire(
        area=area, name=name[:200], description=description or "", is_default=is_default
    )
    questionnaire.full_clean(exclude=["area", "current"])
    questionnaire.save()
    specs = list(specs) if specs is not None else register.default_questions()
    version = _write_version(questionnaire, specs, by=by, note=_("First version"))
    questionnaire.current = version
    questionnaire.save(update_fields=["current"])
    record_change(ChangeAction.CREATE, questionnaire, actor=by)
    return questionnaire


def default_questionnaire(area: Area, *, by: User | None = None) -> Questionnaire:
    """The area's copy of the shipped screening register (排查登记表), made on first use."""
    existing: Questionnaire | None = Questionnaire.objects.filter(
        area=area, is_default=True
    ).first()
    if existing is not None:
        return existing
    return do_create_questionnaire(
        area=area,
        by=by,
        name=register.NAME,
        description=register.DESCRIPTION,
        is_default=True,
    )


@transaction.atomic
def do_update_questionnaire(
    questionnaire: Questionnaire,
    *,
    by: User,
    expected_version: int | None = None,
    name: str,
    description: str = "",
) -> Questionnaire:
    """Rename or describe a questionnaire (its questions are changed by the functions below)."""
    questionnaire = locked(Questionnaire, questionnaire.pk, "area")
    require(by, Questionnaire, "change", questionnaire)
    require_office(by)
    check_version(questionnaire, expected_version)
    if not (name or "").strip():
        raise ValidationError({"name": _("Give the questionnaire a name.")})
    before = questionnaire.audit_snapshot()
    questionnaire.name, questionnaire.description = name.strip()[:200], description or ""
    questionnaire.version += 1
    questionnaire.save(update_fields=["name", "description", "version", "updated"])
    record_change(ChangeAction.UPDATE, questionnaire, before=before, actor=by)
    return questionnaire


@transaction.atomic
def do_change_questions(
    questionnaire: Questionnaire,
    *,
    by: User,
    expected_version: int | None,
    change: Callable[[list[QuestionSpec]], list[QuestionSpec]],
    note: str,
) -> Questionnaire:
    """Apply one edit to the current questions and save the result as a new version.

    Answers already given keep the version they were given in; campaigns ask the new one
    from now on.
    """
    questionnaire = locked(Questionnaire, questionnaire.pk, "current")
    require(by, Questionnaire, "change", questionnaire)
    require_office(by)
    check_version(questionnaire, expected_version)
    before = questionnaire.audit_snapshot()
    specs = change(copy.deepcopy(current_specs(questionnaire)))
    version = _write_version(questionnaire, specs, by=by, note=note)
    questionnaire.current = version
    questionnaire.version += 1
    questionnaire.save(update_fields=["current", "version", "updated"])
    record_change(ChangeAction.UPDATE, questionnaire, before=before, actor=by)
    return questionnaire


def _index_of(specs: list[QuestionSpec], code: str) -> int:
    for index, spec in enumerate(specs):
        if spec.code == code:
            return index
    raise ValidationError(_("This question is no longer in the questionnaire; reload the page."))


def do_add_question(
    questionnaire: Questionnaire,
    spec: QuestionSpec,
    *,
    by: User,
    expected_version: int | None = None,
) -> Questionnaire:
    def change(specs: list[QuestionSpec]) -> list[QuestionSpec]:
        return [*specs, spec]

    return do_change_questions(
        questionnaire,
        by=by,
        expected_version=expected_version,
        change=change,
        note=_("Added: %(q)s") % {"q": spec.text},
    )


def do_update_question(
    questionnaire: Questionnaire,
    code: str,
    spec: QuestionSpec,
    *,
    by: User,
    expected_version: int | None = None,
) -> Questionnaire:
    def change(specs: list[QuestionSpec]) -> list[QuestionSpec]:
        index = _index_of(specs, code)
        spec.code = code  # answers are stored under the code: it never changes
        specs[index] = spec
        return specs

    return do_change_questions(
        questionnaire,
        by=by,
        expected_version=expected_version,
        change=change,
        note=_("Changed: %(q)s") % {"q": spec.text},
    )


def do_move_question(
    questionnaire: Questionnaire,
    code: str,
    *,
    up: bool,
    by: User,
    expected_version: int | None = None,
) -> Questionnaire:
    def change(specs: list[QuestionSpec]) -> list[QuestionSpec]:
        index = _index_of(specs, code)
        other = index - 1 if up else index + 1
        if 0 <= other < len(specs):
            specs[index], specs[other] = specs[other], specs[index]
        return specs

    text = current_specs(questionnaire)
    label = next((s.text for s in text if s.code == code), code)
    note = (_("Moved up: %(q)s") if up else _("Moved down: %(q)s")) % {"q": label}
    return do_change_questions(
        questionnaire, by=by, expected_version=expected_version, change=change, note=note
    )


def do_remove_question(
    questionnaire: Questionnaire,
    code: str,
    *,
    by: User,
    expected_version: int | None = None,
) -> Questionnaire:
    def change(specs: list[QuestionSpec]) -> list[QuestionSpec]:
        index = _index_of(specs, code)
        dependants = [s.text for s in specs if s.show_if_code == code]
        if dependants:
            raise ValidationError(
                _("“%(q)s” is shown only after this question; change or remove it first.")
                % {"q": dependants[0]}
            )
        del specs[index]
        return specs

    label = next((s.text for s in current_specs(questionnaire) if s.code == code), code)
    return do_change_questions(
        questionnaire,
        by=by,
        expected_version=expected_version,
        change=change,
        note=_("Removed: %(q)s") % {"q": label},
    )
