"""What every health page shares: the form page that calls a service and explains a refusal,
the answer to a status change that applied or waits for approval, and the community a user
works in."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView

from fangkong.areas.models import Area
from fangkong.core.exceptions import ConflictError, PermissionDeniedError
from fangkong.core.views import ObjectListView
from fangkong.health.services.common import health_role_only
from fangkong.health.services.review import FOUR_EYES_LIMIT, ChangeResult

#: Pages changing these change a health status: only the health role may.
STATUS_MODELS = ("case", "quarantine", "statuschange")


def user_community(user: Any) -> Area | None:
    """The community a user works in (their own, or the one their grid belongs to)."""
    return user.community if getattr(user, "area_id", None) else None


def require_community(user: Any) -> Area:
    """Pages that add rows to a community need the user's community (404 above it)."""
    community = user_community(user)
    if community is None:
        raise Http404
    return community


def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    """403 with the service's reason on the page (not Django's bare "Forbidden")."""
    message = str(exc) if str(exc) not in ("", "add", "change", "approve") else _(
        "You do not have permission to do this.")
    return TemplateResponse(request, "health/refused.html",
                            {"title": _("Not allowed"), "message": message}, status=403)


def add_errors(form: Any, exc: ValidationError) -> None:
    """A service's ValidationError on the form's fields (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def change_answer(request: HttpRequest, result: ChangeResult, applied_url: str) -> str:
    """Where to go after a status change, with a message saying what happened."""
    if result.pending:
        messages.warning(request, ngettext(
            "The change waits for approval: more than %(limit)s people in 24 hours need a "
            "user of another role to approve (%(n)s person in this change).",
            "The change waits for approval: more than %(limit)s people in 24 hours need a "
            "user of another role to approve (%(n)s people in this change).",
            result.people) % {"limit": FOUR_EYES_LIMIT, "n": result.people})
        return reverse("health:change_detail", args=[result.changes[0].pk])
    messages.success(request, _("Saved."))
    return applied_url


class ServiceFormView(FormView):
    """A form whose valid input goes to one service call.

    Subclasses find their objects in ``prepare()`` (restricted lookups: 404 outside the
    user's scope), say which right the page needs (``model``, ``action``: 403 without it),
    and implement ``perform(form)`` returning the URL to go to next. A ``ValidationError``
    lands on the form's fields; a refusal of the role is a 403 page with the reason.
    """

    template_name = "health/form.html"
    model: ClassVar[type[models.Model] | None] = None
    action = "change"
    title: Any = ""
    submit_label: Any = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.prepare()
        if self.model is not None and not request.user.has_action(self.model, self.action):
            return forbidden(request, PermissionDeniedError(self.refusal()))
        return super().dispatch(request, *args, **kwargs)

    def prepare(self) -> None:
        """Find the objects the page is about (called before the rights check)."""

    def refusal(self) -> str:
        """Why a user without the right is turned away (status pages say whose it is)."""
        if self.model is not None and self.model._meta.model_name in STATUS_MODELS:
            return health_role_only()
        return ""

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=self.get_title(), submit_label=self.submit_label or _("Save"),
                       cancel_url=self.get_cancel_url())
        return context

    def get_title(self) -> Any:
        return self.title

    def get_cancel_url(self) -> str:
        return reverse("health:today")

    def perform(self, form: Any) -> str:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            url = self.perform(form)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        except (PermissionDeniedError, PermissionDenied) as exc:
            return forbidden(self.request, exc)
        return HttpResponseRedirect(url)

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class HealthListView(ObjectListView):
    """A list of the module's rows, with the module's navigation and an export link."""

    template_name = "health/list.html"
    export_kind: ClassVar[str] = ""
    related: ClassVar[tuple[str, ...]] = ()

    def get_base_queryset(self) -> models.QuerySet:
        qs = super().get_base_queryset()
        return qs.select_related(*self.related) if self.related else qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if self.export_kind and user.has_action(self.model, "export"):
            url = reverse("health:export", args=[self.export_kind])
            context["export_url"] = f"{url}?{context['querystring']}"
        return context
