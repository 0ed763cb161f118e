"""How pages show what the audit keeps: ``{{ change.actor_name|actor }}`` (work no user did is
stored as ``system``, shown in the page's language: ``core.audit.actor_label``) and
``{{ value|stored_value }}`` (a stored code or structure shown as code, not as a sentence)."""

from __future__ import annotations

import json
import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from fangkong.core.audit import actor_label

register = template.Library()

#: A value stored as a code (``screening.alert``, ``home``, ``|crowding|``): ASCII, no spaces.
CODE = re.compile(r"^[A-Za-z|][A-Za-z0-9_.:|-]*$")


@register.filter
def actor(name: object) -> str:
    return actor_label(name)


@register.filter
def stored_value(value: object) -> object:
    """A before/after value of the change log: a code or a structure in ``<code>``, so it
    reads as what was stored rather than as words of the page; anything else as it is."""
    if isinstance(value, (dict, list)):
        return format_html("<code>{}</code>", json.dumps(value, ensure_ascii=False))
    if isinstance(value, str) and not isinstance(value, SafeString) and CODE.match(value):
        return format_html("<code>{}</code>", value)
    return value
