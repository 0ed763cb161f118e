"""``core.forms.field_of``: a form's field as the kind it was declared, for a type checker."""

from __future__ import annotations

import pytest
from django import forms

from fangkong.core.forms import field_of


class _PlaceForm(forms.Form):
    place = forms.ChoiceField(choices=[("gate", "Gate")])
    note = forms.CharField()


def test_it_gives_the_forms_own_copy_of_the_field() -> None:
    form = _PlaceForm()

    field = field_of(form, "place", forms.ChoiceField)
    field.choices = [("office", "Office")]

    assert form.fields["place"] is field
    assert _PlaceForm.base_fields["place"] is not field


def test_it_refuses_a_field_of_another_kind() -> None:
    with pytest.raises(TypeError, match="note is not a ChoiceField"):
        field_of(_PlaceForm(), "note", forms.ChoiceField)
