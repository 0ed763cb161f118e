"""Helpers for page tests: post a form back as the page showed it."""

from __future__ import annotations

from typing import Any

from django.utils import translation


def form_as_shown(response: Any, **changes: Any) -> dict[str, Any]:
    """The values of the page's ``form`` as its widgets render them (what a browser would
    post unchanged), with ``changes`` on top."""
    form = response.context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        shown = field.widget.format_value(value)
        if shown is None:
            continue
        data[form.add_prefix(name)] = shown
    data.update(changes)
    return data


def zh(message: str) -> str:
    """``message`` as a user reading Chinese (the default) sees it."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


#: What a refusal without a reason says (never the bare action word).
GENERIC_REFUSAL = "You do not have permission to do this."
