"""The reports app's forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.input_bounds import BoundedForm


class StoreDayForm(BoundedForm):
    """The day whose figures the officer counts again."""

    day = forms.DateField(label=_("Day"))
