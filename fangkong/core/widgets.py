"""Form widgets every app shares.

``ProtectedValueInput`` is the one input for a full ID number or phone on any page (registry
people and households, health contacts, visitors at the gate, staff members). A form shown
again after an error renders what the user typed; for these values that would put the whole
number back into the page, where a shared phone's history, the browser's cache or a
screenshot keeps it. The input comes back empty, with the mask of what was typed as its
placeholder (``110101********1234``), so the user sees that a number was given and types it
again. Nothing stored is ever put into it either: forms show the stored mask as help text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from fangkong.core.personal_data import mask_id_number, mask_phone


class ProtectedValueInput(forms.TextInput):
    """A text input that never renders its value; a typed value shows as its mask."""

    def __init__(self, mask: Callable[[str], str], attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.mask = mask

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, None, attrs)
        typed = value.strip() if isinstance(value, str) else ""
        masked = self.mask(typed) if typed else ""
        if masked:
            context["widget"]["attrs"]["placeholder"] = masked
        return context


def id_number_input(**attrs: Any) -> ProtectedValueInput:
    """The input of a full ID number (capitals on phones' keyboards: the final X)."""
    return ProtectedValueInput(mask_id_number, {"autocapitalize": "characters", **attrs})


def phone_input(**attrs: Any) -> ProtectedValueInput:
    """The input of a full phone number (the phone's dial pad)."""
    return ProtectedValueInput(mask_phone, {"inputmode": "tel", **attrs})
