"""The questionnaire engine: questions as plain specs, their rules, and answers checked by them.

One place decides what an answer is worth, for the caller's screen, the API and the import:

* ``validate_specs`` — a list of questions that hangs together (conditions point at earlier
  choice questions, alerts at values that exist);
* ``clean_answers`` — raw input (a form, JSON, a spreadsheet row) to stored answers, or a
  ``ValidationError`` naming each question that is wrong: a required answer missing, a
  temperature outside 34.0–43.0 °C, a date in the future, a value not among the choices.
  Questions hidden by their condition are neither required nor kept;
* ``alert_hits`` — which answers raise an alert (a temperature at or above the community's
  fever threshold, a "yes" to contact with a case…).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangkong.core.validators import DATE_MIN, clean_text, validate_temperature
from fangkong.screening.choices import (
    ALERT_RANK,
    CHOICE_KINDS,
    NO,
    YES,
    AlertKind,
    AlertLevel,
    QuestionKind,
)

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_TEXT_ANSWER = 500
#: What people write for yes and no in registers (after NFKC and casefold).
YES_WORDS = frozenset({"yes", "y", "true", "1", "是", "有", "√", "✓"})
NO_WORDS = frozenset({"no", "n", "false", "0", "否", "无", "没有", "×", "✗"})
#: Separators between several choices in one spreadsheet cell.
MULTI_SEPARATORS = re.compile(r"[、,，;；/|\n]+")


def _norm(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


@dataclass
class QuestionSpec:
    """One question, independent of the database row that stores it."""

    code: str
    text: str
    kind: str
    required: bool = False
    help_text: str = ""
    choices: list[dict[str, str]] = field(default_factory=list)
    show_if_code: str = ""
    show_if_values: list[str] = field(default_factory=list)
    alert_values: list[str] = field(default_factory=list)
    alert_kind: str = ""
    alert_level: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None

    @classmethod
    def from_question(cls, question: Any) -> QuestionSpec:
        return cls(
            code=question.code,
            text=question.text,
            kind=question.kind,
            required=question.required,
            help_text=question.help_text,
            choices=list(question.choices or []),
            show_if_code=question.show_if_code,
            show_if_values=list(question.show_if_values or []),
            alert_values=list(question.alert_values or []),
            alert_kind=question.alert_kind,
            alert_level=question.alert_level,
            min_value=question.min_value,
            max_value=question.max_value,
        )

    def as_fields(self) -> dict[str, Any]:
        """Keyword arguments for a ``Question`` row."""
        return asdict(self)

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    def choice_list(self) -> list[tuple[str, str]]:
        """(value, label) pairs; yes/no questions have the two fixed values."""
        if self.kind == QuestionKind.YES_NO:
            return [(YES, _("Yes")), (NO, _("No"))]
        return [(c["value"], c["label"]) for c in self.choices]

    def choice_values(self) -> list[str]:
        return [value for value, _label in self.choice_list()]

    def label_of(self, value: str) -> str:
        return dict(self.choice_list()).get(value, value)

    def display(self, value: Any) -> str:
        """An answer as people read it: labels for choices, text for the rest."""
        if value is None or value == "" or value == []:
            return ""
        if self.kind == QuestionKind.MULTIPLE:
            return "、".join(self.label_of(v) for v in value)
        if self.kind in CHOICE_KINDS:
            return self.label_of(value)
        return str(value)


@dataclass(frozen=True)
class AlertHit:
    code: str
    text: str
    kind: str
    level: str
    answer: str
    #: Each question that raised the alert with its answer, in the questionnaire's order.
    pairs: tuple[tuple[str, str], ...] = ()


# --- Checking a questionnaire ---------------------------------------------------------------


def validate_specs(specs: Sequence[QuestionSpec]) -> None:
    """Refuse a list of questions that does not hang together, naming the question."""
    if not specs:
        raise ValidationError(_("A questionnaire needs at least one question."))
    errors: list[str] = []
    seen: dict[str, QuestionSpec] = {}
    for number, spec in enumerate(specs, start=1):
        where = _("Question %(n)s (%(text)s): ") % {"n": number, "text": spec.text[:30]}
        if not CODE_RE.match(spec.code or ""):
            errors.append(
                where + _("the code must start with a letter and use only a-z, 0-9 and _.")
            )
        elif spec.code in seen:
            errors.append(
                where + _("another question already uses the code %(code)s.") % {"code": spec.code}
            )
        if not (spec.text or "").strip():
            errors.append(where + _("write the question."))
        if spec.kind not in QuestionKind.values:
            errors.append(where + _("choose what kind of answer it takes."))
            continue
        if spec.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            values = [c.get("value", "") for c in spec.choices]
            if len(spec.choices) < 2:
                errors.append(where + _("give at least two choices."))
            elif len(set(values)) != len(values) or not all(
                str(c.get("label", "")).strip() and str(c.get("value", "")).strip()
                for c in spec.choices
            ):
                errors.append(where + _("every choice needs a label, and no two the same."))
        if spec.show_if_code:
            parent = seen.get(spec.show_if_code)
            if parent is None:
                errors.append(where + _("it can only depend on an earlier question."))
            elif not parent.has_choices:
                errors.append(where + _("it can only depend on a yes/no or choice question."))
            elif not spec.show_if_values or not set(spec.show_if_values) <= set(
                parent.choice_values()
            ):
                errors.append(where + _("choose which answers of the earlier question show it."))
        if spec.alert_level:
            if spec.alert_level not in AlertLevel.values or spec.alert_kind not in AlertKind.values:
                errors.append(where + _("an alert needs a kind and a level."))
            elif spec.has_choices:
                if not spec.alert_values or not set(spec.alert_values) <= set(spec.choice_values()):
                    errors.append(where + _("choose which answers raise the alert."))
            elif spec.kind != QuestionKind.TEMPERATURE:
                errors.append(
                    where + _("only yes/no, choice and temperature questions can raise alerts.")
                )
        if (
            spec.min_value is not None
            and spec.max_value is not None
            and spec.min_value > spec.max_value
        ):
            errors.append(where + _("the smallest value is above the largest."))
        seen.setdefault(spec.code, spec)
    if errors:
        raise ValidationError(errors)


# --- Answers --------------------------------------------------------------------------------


def is_shown(spec: QuestionSpec, answers: Mapping[str, Any]) -> bool:
    """Whether a question is asked, given the answers to the questions before it."""
    if not spec.show_if_code:
        return True
    parent = answers.get(spec.show_if_code)
    if parent is None:
        return False
    given = parent if isinstance(parent, list) else [parent]
    return any(value in spec.show_if_values for value in given)


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple)):
        return not [v for v in value if str(v).strip()]
    return not str(value).strip()


def parse_choice(spec: QuestionSpec, value: Any, lenient: bool) -> str:
    text = str(value).strip()
    values = spec.choice_values()
    if text in values:
        return text
    if lenient:
        wanted = _norm(text)
        if spec.kind == QuestionKind.YES_NO:
            if wanted in YES_WORDS:
                return YES
            if wanted in NO_WORDS:
                return NO
        for choice_value, label in spec.choice_list():
            if wanted in (_norm(choice_value), _norm(label)):
                return choice_value
    raise ValidationError(
        _("Choose one of: %(choices)s.")
        % {"choices": "、".join(label for _v, label in spec.choice_list())}
    )


def _clean_one(spec: QuestionSpec, value: Any, *, today: dt.date, lenient: bool) -> Any:
    kind = spec.kind
    if kind in (QuestionKind.YES_NO, QuestionKind.SINGLE):
        if isinstance(value, (list, tuple)):
            value = value[0] if len(value) == 1 else "|".join(map(str, value))
        return parse_choice(spec, value, lenient)
    if kind == QuestionKind.MULTIPLE:
        if isinstance(value, str):
            items = MULTI_SEPARATORS.split(value) if lenient else [value]
        else:
            items = list(value)
        chosen = {parse_choice(spec, item, lenient) for item in items if str(item).strip()}
        return [v for v in spec.choice_values() if v in chosen]  # the questionnaire's order
    if kind == QuestionKind.TEMPERATURE:
        return str(validate_temperature(str(value).strip().rstrip("℃°CcＣ").strip()))
    if kind == QuestionKind.NUMBER:
        try:
            number = Decimal(str(value).strip())
            if not number.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Enter a number.")) from None
        if spec.min_value is not None and number < spec.min_value:
            raise ValidationError(_("The smallest allowed is %(n)s.") % {"n": spec.min_value})
        if spec.max_value is not None and number > spec.max_value:
            raise ValidationError(_("The largest allowed is %(n)s.") % {"n": spec.max_value})
        return format(number.normalize(), "f")
    if kind == QuestionKind.DATE:
        date = parse_date(value)
        if date is None:
            raise ValidationError(_("Enter a date such as 2020-02-13."))
        if date > today:
            raise ValidationError(_("A date cannot be in the future."))
        if date < DATE_MIN:
            raise ValidationError(_("Enter a date such as 2020-02-13."))
        return date.isoformat()
    text = str(value).strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise ValidationError(_("Keep it under %(n)s characters.") % {"n": MAX_TEXT_ANSWER})
    # Typed on a page, sent to the API or read from a register: the same text rules.
    return clean_text(text, multiline=True)


def parse_date(value: Any) -> dt.date | None:
    """A date from an ISO string, a spreadsheet's datetime text, or 2020/2/13, 2020年2月13日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$", text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def clean_answers(
    specs: Sequence[QuestionSpec],
    raw: Mapping[str, Any],
    *,
    today: dt.date,
    lenient: bool = False,
) -> dict[str, Any]:
    """Raw input to stored answers, or a ValidationError keyed by question code.

    ``lenient`` (imports) also accepts choice labels and the ways registers write yes and no.
    """
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in specs:
        if not is_shown(spec, answers):
            continue
        value = raw.get(spec.code)
        if _empty(value):
            if spec.required:
                errors[spec.code] = [_("Answer this question.")]
            continue
        try:
            answers[spec.code] = _clean_one(spec, value, today=today, lenient=lenient)
        except ValidationError as exc:
            errors[spec.code] = exc.messages
    if errors:
        raise ValidationError(errors)
    return answers


def alert_hits(
    specs: Iterable[QuestionSpec], answers: Mapping[str, Any], *, fever_threshold: Decimal
) -> list[AlertHit]:
    """The alerts these answers raise, most serious first: one per kind, so "fever: yes" and
    a temperature of 38.3 make one fever alert naming both answers."""
    by_kind: dict[str, AlertHit] = {}
    for spec in specs:
        if not spec.alert_level or spec.code not in answers:
            continue
        value = answers[spec.code]
        if spec.kind == QuestionKind.TEMPERATURE:
            raised = Decimal(str(value)) >= fever_threshold
        else:
            given = value if isinstance(value, list) else [value]
            raised = any(v in spec.alert_values for v in given)
        if not raised:
            continue
        answer = spec.display(value)
        hit = AlertHit(
            spec.code,
            spec.text,
            spec.alert_kind,
            spec.alert_level,
            answer,
            ((spec.text, answer),),
        )
        earlier = by_kind.get(hit.kind)
        if earlier is not None:
            hit = AlertHit(
                earlier.code,
                f"{earlier.text}；{hit.text}",
                hit.kind,
                highest_level([earlier.level, hit.level]),
                f"{earlier.answer}；{hit.answer}",
                earlier.pairs + hit.pairs,
            )
        by_kind[hit.kind] = hit
    return sorted(by_kind.values(), key=lambda h: -ALERT_RANK[h.level])


def highest_level(levels: Iterable[str]) -> str:
    return max(levels, key=lambda level: ALERT_RANK.get(level, 0), default="")
