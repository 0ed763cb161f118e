"""Bounds on every input field of every form and API serializer, applied in one place.

A field that declares no bound of its own gets the project's (``fangkong.core.validators``):

* text: a maximum length (a line 200 characters, free text 2,000) and no control or
  invisible formatting characters; the value is normalised to NFC;
* whole numbers: the database integer's range (ids: 64 bits, and a whole number: ``1.5`` is
  not household 1);
* dates and times: 1900–2100;
* lists: at most 500 items.

Forms inherit ``BoundedForm``; serializers inherit ``fangkong.core.api``'s ``Serializer`` or
``ModelSerializer``, which call ``bound_serializer_fields``. Tighter bounds a field declares
(``max_length=20``, ``max_value=99``, a model's ``MaxValueValidator``) are kept: these only
fill the gaps, so "no limit" is never the default.

Read-only serializer fields are made to say what they really send: a nullable model column
is ``null`` when empty (``allow_null``) and a blank choice ``""`` (``allow_blank``), so the
OpenAPI schema documents both.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core import validators as django_validators
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import fields as drf_fields
from rest_framework import relations as drf_relations

from fangkong.core.validators import (
    ID_MAX,
    INT_MAX,
    INT_MIN,
    LINE_MAX_LENGTH,
    LIST_MAX_ITEMS,
    TEXT_MAX_LENGTH,
    TextValidator,
    validate_date_in_range,
)


def nfc(value: Any) -> Any:
    """Strings NFC-normalised (lists of strings too); anything else unchanged."""
    if isinstance(value, str):
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(item) for item in value]
    return value


def _bound_text(field: Any, *, multiline: bool) -> None:
    """A form's or a serializer's text field: a length where it declares none, no control
    or invisible characters (the two kinds of field keep these in the same attributes)."""
    if field.max_length is None:
        field.max_length = TEXT_MAX_LENGTH if multiline else LINE_MAX_LENGTH
        field.validators.append(django_validators.MaxLengthValidator(field.max_length))
    field.validators.append(TextValidator(multiline=multiline))


def _bound_whole_number(field: Any) -> None:
    """A form's or a serializer's whole number: the database integer's range where unset."""
    if field.max_value is None:
        field.max_value = INT_MAX
        field.validators.append(django_validators.MaxValueValidator(INT_MAX))
    if field.min_value is None:
        field.min_value = INT_MIN
        field.validators.append(django_validators.MinValueValidator(INT_MIN))


# --- Forms ----------------------------------------------------------------------------------


def bound_form_field(field: forms.Field) -> None:
    """Give a form field the project's bounds where it declares none."""
    if isinstance(field, forms.CharField):
        _bound_text(field, multiline=isinstance(field.widget, forms.Textarea))
        field.widget.attrs.setdefault("maxlength", str(field.max_length))
    elif isinstance(field, forms.IntegerField):
        _bound_whole_number(field)
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        field.validators.append(validate_date_in_range)
    elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        field.validators.append(django_validators.MaxLengthValidator(LIST_MAX_ITEMS))


class BoundedForm(forms.Form):
    """A form whose every field is bounded (see the module) and whose text is NFC."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            bound_form_field(field)

    def full_clean(self) -> None:
        super().full_clean()
        cleaned = getattr(self, "cleaned_data", None)
        if cleaned:
            for name, value in cleaned.items():
                cleaned[name] = nfc(value)


# --- API serializers ------------------------------------------------------------------------


def _model_field(model: type[models.Model] | None, source: str) -> models.Field[Any, Any] | None:
    """The model column a serializer field reads (``outcome``, ``follow_up_id``), if any."""
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        found = model._meta.get_field(source)
    except FieldDoesNotExist:
        pass
    else:
        # A reverse relation is no column (callers looked for a Field alone).
        return found if isinstance(found, models.Field) else None
    for field in model._meta.concrete_fields:
        if field.attname == source:
            return field
    return None


def _bound_input_field(field: drf_fields.Field[Any, Any, Any, Any]) -> None:
    if isinstance(field, drf_fields.CharField):
        _bound_text(field, multiline=field.style.get("base_template") == "textarea.html")
    elif isinstance(field, drf_fields.IntegerField):
        _bound_whole_number(field)
    elif isinstance(field, drf_fields.DateField | drf_fields.DateTimeField):
        field.validators.append(validate_date_in_range)
    elif isinstance(field, drf_fields.ListField | drf_fields.MultipleChoiceField):
        if getattr(field, "max_length", None) is None:
            # ListField's own bound; a MultipleChoiceField (which has none) gets it alike.
            setattr(field, "max_length", LIST_MAX_ITEMS)  # noqa: B010
            field.validators.append(django_validators.MaxLengthValidator(LIST_MAX_ITEMS))
        child = getattr(field, "child", None)
        if child is not None:
            _bound_input_field(child)
    elif isinstance(field, drf_relations.ManyRelatedField):
        field.validators.append(django_validators.MaxLengthValidator(LIST_MAX_ITEMS))
        _bound_input_field(field.child_relation)
    elif isinstance(field, drf_relations.PrimaryKeyRelatedField) and field.pk_field is None:
        # A row's id is a whole number: without this, 1.5 (or true) would name row 1.
        field.pk_field = drf_fields.IntegerField(min_value=1, max_value=ID_MAX)


def _say_what_is_sent(
    field: drf_fields.Field[Any, Any, Any, Any], name: str, model: type[models.Model] | None
) -> None:
    """A read-only field documents the empty value its column really holds."""
    column = _model_field(model, field.source or name)
    if not isinstance(column, models.Field):
        return
    if column.null and not isinstance(field, drf_fields.BooleanField):
        field.allow_null = True
    if column.blank and isinstance(field, drf_fields.ChoiceField | drf_fields.CharField):
        field.allow_blank = True


def bound_serializer_fields(
    fields: dict[str, drf_fields.Field[Any, Any, Any, Any]], model: type[models.Model] | None
) -> dict[str, drf_fields.Field[Any, Any, Any, Any]]:
    """Bounds for a serializer's writable fields; honest emptiness for its read-only ones."""
    for name, field in fields.items():
        if field.read_only:
            _say_what_is_sent(field, name, model)
        else:
            _bound_input_field(field)
    return fields
