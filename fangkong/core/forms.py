"""The base of every page's form: it parses input; the ``do_*`` service checks and saves.

``ServiceForm`` keeps the ``user`` (choices are limited to what they may see), the
``instance`` being edited (its ``instance_fields`` become the initial values) and the
community a row belongs to; carries the row's ``version`` in a hidden field so a stale edit
is refused instead of silently overwriting someone else's work; and puts a service's
``ValidationError`` on the fields it names (``add_service_error``). Labels are the models'
lower-case verbose names, translated; the form shows them as headings (``capfirst``, which
leaves Chinese as it is).

``ServiceFormView`` (``fangkong.core.views``) is the page that drives one.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_noop

from fangkong.core.dates import zone
from fangkong.core.input_bounds import BoundedForm

if TYPE_CHECKING:
    from fangkong.accounts.models import User

# Django 6.1 labels every select's blank choice "- Select an option -" (BLANK_CHOICE_LABEL, a
# lazy string of Django's own catalogue, whose Chinese lacks it). Naming it here keeps it in our
# catalogue, which Django reads before its own (LOCALE_PATHS): one translation for every form.
gettext_noop("- Select an option -")

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the community's zone (``tz``), whatever the server's is.
    ``ServiceForm`` sets ``tz`` from the form's community."""

    widget = DATETIME_INPUT
    tz: ZoneInfo | None = None

    def to_python(self, value: Any) -> dt.datetime | None:
        with timezone.override(self.tz or timezone.get_current_timezone()):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        with timezone.override(self.tz or timezone.get_current_timezone()):
            return super().prepare_value(value)


def field_of[F: forms.Field](form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """``form.fields[name]`` as the kind of field it was declared (``fields`` holds plain
    ``Field``s for a type checker): to set a choice field's ``queryset`` per user, say."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}")
    return field


class ServiceForm(BoundedForm):
    """Base of the pages' forms: ``user``, ``instance``, ``community`` and ``version``."""

    #: Fields copied from the instance into the form's initial values on edit.
    instance_fields: tuple[str, ...] = ()
    #: Fields never passed to the service.
    not_for_service: tuple[str, ...] = ("version",)

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        user: User | None = None,
        instance: Any = None,
        community: Any = None,
        **kwargs: Any,
    ) -> None:
        self.user = user
        self.instance = instance
        if community is not None:
            self.community = community
        if instance is not None:
            initial = {name: getattr(instance, name) for name in self.instance_fields}
            if hasattr(instance, "version"):
                initial["version"] = instance.version
            initial.update(kwargs.get("initial") or {})
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)
        local_fields = [f for f in self.fields.values() if isinstance(f, LocalDateTimeField)]
        if local_fields:
            tz = zone(getattr(self.community, "time_zone", ""))
            for field in local_fields:
                field.tz = tz

    @cached_property
    def community(self) -> Any:
        """The community the row belongs to: the one passed, else the instance's (looked up
        only when a form asks, so a form that never needs it costs no query)."""
        return getattr(self.instance, "community", None) if self.instance is not None else None

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as the service's keyword arguments."""
        return {k: v for k, v in self.cleaned_data.items() if k not in self.not_for_service}

    def add_service_error(self, exc: ValidationError) -> None:
        """A service's ValidationError on the fields it names; the rest (and a message that
        names no field) on top of the form."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


def add_service_error(form: forms.Form, exc: ValidationError) -> None:
    """A service's error on ``form``: its own ``add_service_error`` where it has one (a
    ``ServiceForm``, several forms posted as one), else ``ServiceForm``'s (a formset's form,
    Django's)."""
    own = getattr(form, "add_service_error", None)
    if own is not None:
        own(exc)
    else:
        ServiceForm.add_service_error(form, exc)  # type: ignore[arg-type]
