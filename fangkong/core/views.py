"""Base classes for pages. An app's view declares its model, queryset, form, table, service.

Every object lookup goes through ``restrict()``: outside the user's scope is 404 (never
reveal that a row exists); inside the scope without the right is 403.

Pages that change something call one ``do_*`` service and translate its errors in one place
(``service_errors``):

* ``ServiceFormView``: a form; its valid input goes to ``perform(form)``. A service's
  ``ValidationError`` lands on the fields it names, a ``ConflictError`` on top of the form
  with the current version, a ``PermissionDeniedError`` on top of the form with its reason
  (status 403). Without the page's right (``model``/``action``) the page is refused before
  the form: a 403 page with the reason (``refusal()``).
* ``ServiceActionView``: a button (POST only); ``perform()`` calls the service. A validation
  error or a conflict goes back to the page with the message on top; a refusal is the 403
  page with its reason.
* ``ObjectEditView``: ``ServiceFormView`` for "new" and "edit" of one row.

A refusal is always a 403 page (core's ``error.html``, through ``handler403``: raise the
``PermissionDeniedError``) or the form with the reason at the top; never a bare "Forbidden".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from fangkong.core import exports
from fangkong.core.exceptions import ConflictError, PermissionDeniedError
from fangkong.core.filtersets import ObjectChangeFilterSet, bound_numbers
from fangkong.core.forms import add_service_error
from fangkong.core.models import Job, ObjectChange
from fangkong.core.pagination import CappedPaginator, page_or_last
from fangkong.core.querysets import may, restrict
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.tables import Table

if TYPE_CHECKING:
    from django.core.paginator import _SupportsPagination

    from fangkong.accounts.models import User


# Django's generic views are generic in the stubs alone (not subscriptable at run time).
class PageFormView(FormView):  # type: ignore[type-arg]  # generic in the stubs alone
    """A form page behind the login that does not go through ``ServiceFormView``."""

    request: AuthenticatedRequest


class LoggedInView(View):
    """A bare view behind the login (downloads, redirects)."""

    request: AuthenticatedRequest


def get_restricted_object(
    queryset: models.QuerySet[Any], user: User, action: str = "view", **lookup: Any
) -> Any:
    """The object, if ``user`` may see it (else 404) and may ``action`` it (else 403)."""
    obj = get_object_or_404(restrict(queryset, user, "view"), **lookup)
    # Rights per assignment: the action's areas must hold the row (no query when they are
    # all of the user's areas, the usual case).
    if action != "view" and not may(user, queryset.model, action, obj, seen=True):
        raise PermissionDenied
    return obj


def require_action(user: User, model: type[models.Model], action: str) -> None:
    if not user.has_action(model, action):
        raise PermissionDenied


class ObjectListView(ListView):  # type: ignore[type-arg]  # generic in the stubs alone
    """A filtered, searchable, paged list of restricted rows."""

    request: AuthenticatedRequest
    model: type[models.Model]
    queryset: models.QuerySet[Any] | None = None
    filterset_class: ClassVar[Any] = None
    table_class: ClassVar[type[Table] | None] = None
    template_name = "core/object_list.html"
    paginate_by: int | None = 50  # None: one page (capped) for the short lists
    paginator_class = CappedPaginator
    action = "view"
    title: ClassVar[Any] = None
    #: Why the page shown is not the one asked for (``page=abc``, a page past the last).
    page_notice = ""

    def get_base_queryset(self) -> models.QuerySet[Any]:
        qs = self.queryset if self.queryset is not None else self.model
        return restrict(qs, self.request.user, self.action)

    def get_queryset(self) -> models.QuerySet[Any]:
        require_action(self.request.user, self.model, self.action)
        qs = self.get_base_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = bound_numbers(
                self.filterset_class(
                    self.get_filter_data() or None, queryset=qs, request=self.request, page=True
                )
            )
            qs = self.filterset.qs if self.filterset.is_bound else qs
        return qs

    def get_filter_data(self) -> Any:
        return self.request.GET

    def paginate_queryset(
        self, queryset: _SupportsPagination[Any], page_size: int
    ) -> tuple[Paginator[Any], Any, Any, bool]:
        """Django's ListView answers a page it cannot find with a 404; a person who typed
        ``page=abc`` or followed an old link past the end gets the first or the last page,
        with a line saying so. Counts are capped (``CappedPaginator``): page 1 never counts
        a district's rows."""
        # paginator_class above: a CappedPaginator.
        paginator = cast(CappedPaginator, self.get_paginator(queryset, page_size))
        page, self.page_notice = page_or_last(paginator, self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        rows = page if page is not None else context["object_list"]
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=self.title or self.model._meta.verbose_name_plural,
            filterset=self.filterset,
            table=self.table_class(rows) if self.table_class else None,
            querystring=query.urlencode(),
            can_add=self.request.user.has_action(self.model, "add"),
            page_notice=self.page_notice,
        )
        return context


class ObjectDetailView(DetailView):  # type: ignore[type-arg]  # generic in the stubs alone
    """One restricted row (404 outside the user's scope)."""

    request: AuthenticatedRequest
    model: type[models.Model]
    queryset: models.QuerySet[Any] | None = None
    #: True: a user without the model's ``view`` right is refused (403) before the lookup,
    #: as a list page refuses them; False: they find nothing (404).
    refuse_without_right: ClassVar[bool] = False

    def get_object(self, queryset: models.QuerySet[Any] | None = None) -> Any:
        if self.refuse_without_right:
            require_action(self.request.user, self.model, "view")
        qs = self.queryset if self.queryset is not None else self.model._default_manager.all()
        return get_restricted_object(qs, self.request.user, "view", pk=self.kwargs["pk"])


class PageView(TemplateView):
    """A page that is neither one row nor a list of one model's rows (a home page, a call
    list built by a query of its own): the right it needs (``model``, ``action``) is checked
    first, and a user without it gets the 403 page with ``refusal()``. Subclasses add what
    they show in ``get_context_data``; ``title`` is in the context. Without ``model`` it is
    any page behind the login."""

    request: AuthenticatedRequest
    model: type[models.Model] | str | None = None
    action = "view"
    title: Any = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.check_permission()
        # The stubs type dispatch() as any HttpResponseBase; these pages answer HttpResponse.
        return cast(HttpResponse, super().dispatch(request, *args, **kwargs))

    def check_permission(self) -> None:
        if self.model is not None and not self.request.user.has_action(self.model, self.action):
            raise PermissionDeniedError(self.action, self.refusal())

    def refusal(self) -> str:
        """Why a user without the page's right is turned away (empty: the generic words)."""
        return ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.title:
            context.setdefault("title", self.title)
        return context


class TelRedirect(HttpResponseRedirect):
    """A redirect to ``tel:`` (the phone's dialler), which Django's redirect refuses by
    default. Never cached: the number is in the ``Location``."""

    allowed_schemes = ["tel"]


def posted_version(request: AuthenticatedRequest) -> int | None:
    """The ``version`` a button's form carried (None when absent or not a number)."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


class ServiceFormView(FormView):  # type: ignore[type-arg]  # generic in the stubs alone
    """A form whose valid input goes to one service call.

    Subclasses find their objects in ``prepare()`` (restricted lookups: 404 outside the
    user's scope), say which right the page needs (``model``, ``action``: a 403 page with
    ``refusal()`` without it) and implement ``perform(form)`` returning the URL to go to
    next (or a response). Errors of the service are shown as the module docstring says.
    """

    template_name = "core/object_edit.html"
    request: AuthenticatedRequest
    model: ClassVar[type[models.Model] | None] = None
    action = "change"
    title: Any = ""
    submit_label: Any = None
    #: The message after a save; empty for none (``perform`` may add its own).
    success_message: Any = gettext_lazy("Saved.")
    #: The status of a form shown again with errors (``ObjectEditView``'s pages answer 200).
    invalid_status = 400
    #: The status of a form shown again after a ``ConflictError`` (None: ``invalid_status``).
    conflict_status: ClassVar[int | None] = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.prepare()
        self.check_permission()
        # The stubs type dispatch() as any HttpResponseBase; these pages answer HttpResponse.
        return cast(HttpResponse, super().dispatch(request, *args, **kwargs))

    def prepare(self) -> None:
        """Find the objects the page is about (called before the rights check)."""

    def check_permission(self) -> None:
        if self.model is not None and not self.request.user.has_action(self.model, self.action):
            raise PermissionDeniedError(self.action, self.refusal())

    def refusal(self) -> str:
        """Why a user without the page's right is turned away (empty: the generic words)."""
        return ""

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.get_title(),
            submit_label=self.submit_label or _("Save"),
            cancel_url=self.get_cancel_url(),
        )
        return context

    def get_title(self) -> Any:
        return self.title

    def get_cancel_url(self) -> str:
        return "/"

    def perform(self, form: Any) -> str | HttpResponse:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        status = self.invalid_status
        try:
            result = self.perform(form)
        except ValidationError as exc:
            add_service_error(form, exc)
        except ConflictError as exc:
            self.show_conflict(form, exc)
            status = self.conflict_status or status
        except PermissionDeniedError as exc:
            form.add_error(None, exc.message)
            status = 403
        else:
            if isinstance(result, HttpResponse):
                return result
            if self.success_message:
                messages.success(self.request, self.success_message)
            return HttpResponseRedirect(result)
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def show_conflict(self, form: Any, exc: ConflictError) -> None:
        """The user's input again, with the current version: saving once more is a
        deliberate overwrite, not a silent one. (A page may show the current row too.)"""
        form.add_error(None, exc.message)
        if exc.current_version is not None:
            form.data = form.data.copy()
            form.data[form.add_prefix("version")] = str(exc.current_version)

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=self.invalid_status)


class ServiceActionView(View):
    """A button: POST only, one service call, then back to a page.

    The common case is one row and one service: set ``model`` (and ``queryset``), implement
    ``act(obj, data)``; the row is found restricted (404 outside the user's scope) and the
    row's page comes next (``redirect_to``). Otherwise find the objects in ``prepare()`` and
    implement ``perform()`` returning the URL to go to (or a response) and
    ``get_back_url()``. ``form_class`` is the button's short form (a reason, a note).

    Invalid input, a service's ``ValidationError`` or a ``ConflictError`` go back to the
    page with the messages on top (nothing typed is lost: a button and at most one short
    field); a ``PermissionDeniedError`` is the 403 page with its reason.
    """

    http_method_names = ["post"]
    request: AuthenticatedRequest
    model: ClassVar[type[models.Model] | None] = None
    queryset: models.QuerySet[Any] | None = None
    form_class: Any = None
    success_message: Any = ""
    object: Any = None
    data: dict[str, Any]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.prepare()
        self.data = {}
        if self.form_class is not None:
            form = self.form_class(request.POST, request.FILES, **self.get_form_kwargs())
            if not form.is_valid():
                return self.go_back([e for errors in form.errors.values() for e in errors])
            self.data = form.cleaned_data
        try:
            result = self.perform()
        except ValidationError as exc:
            return self.go_back(exc.messages)
        except ConflictError as exc:
            return self.go_back([exc.message])
        if isinstance(result, HttpResponse):
            return result
        if self.success_message:
            messages.success(request, self.success_message)
        return HttpResponseRedirect(result)

    def get_form_kwargs(self) -> dict[str, Any]:
        """More arguments for the button's form (the row it chooses among)."""
        return {}

    def go_back(self, errors: list[str]) -> HttpResponse:
        for error in errors:
            messages.error(self.request, error)
        return HttpResponseRedirect(self.get_back_url())

    def prepare(self) -> None:
        """Find the objects the button acts on (restricted: 404 or 403 here)."""
        if self.model is not None:
            self.object = self.get_object()

    def get_object(self) -> Any:
        assert self.model is not None
        queryset = self.queryset if self.queryset is not None else self.model._default_manager.all()
        return get_restricted_object(queryset, self.request.user, "view", pk=self.kwargs["pk"])

    def perform(self) -> str | HttpResponse:
        result = self.act(self.object, self.data)
        return self.redirect_to(self.object, result)

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        """The service call on ``obj`` with the form's ``data``."""
        raise NotImplementedError

    def redirect_to(self, obj: Any, result: Any) -> str:
        """Where to go after ``act`` (``result`` is None when going back refused)."""
        url: str = obj.get_absolute_url()
        return url

    def get_back_url(self) -> str:
        return self.redirect_to(self.object, None)


class ObjectEditView(ServiceFormView):
    """Create or edit one row through a service function, with optimistic locking.

    Subclasses set ``model``, ``form_class`` and implement ``create(form)`` and/or
    ``update(obj, form)`` by calling a service; the saved row's page comes next. Errors as
    ``ServiceFormView``; a lookup of another area's row inside the service (``Http404``, a
    tampered choice) is a message on the form.
    """

    model: ClassVar[type[models.Model]]
    queryset: models.QuerySet[Any] | None = None
    object: Any = None
    #: The right an edit of an existing row needs (a deactivation page sets "deactivate").
    edit_action = "change"
    invalid_status = 200

    def prepare(self) -> None:
        # Anonymous users never get here: LoginRequiredMiddleware sends them to log in.
        if "pk" in self.kwargs:
            qs = self.queryset if self.queryset is not None else self.model._default_manager.all()
            self.object = get_restricted_object(
                qs, self.request.user, self.edit_action, pk=self.kwargs["pk"]
            )

    def check_permission(self) -> None:
        if self.object is None:
            self.check_add_permission()

    def check_add_permission(self) -> None:
        require_action(self.request.user, self.model, "add")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(object=self.object, model_name=self.model._meta.verbose_name)
        return context

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url() if self.object else "/"

    def create(self, form: Any) -> Any:
        raise NotImplementedError

    def update(self, obj: Any, form: Any) -> Any:
        raise NotImplementedError

    def perform(self, form: Any) -> str:
        try:
            saved = self.update(self.object, form) if self.object else self.create(form)
        except Http404:
            raise ValidationError(_("You can only choose records of your own area.")) from None
        url: str = saved.get_absolute_url()
        return url


class AuditLogView(ObjectListView):
    """The change log of the user's area, filtered by person, user, action and date."""

    model = ObjectChange
    filterset_class = ObjectChangeFilterSet
    template_name = "core/audit_list.html"
    title = gettext_lazy("Audit log")

    def get_base_queryset(self) -> models.QuerySet[Any]:
        return super().get_base_queryset().select_related("content_type")


class JobDetailView(ObjectDetailView):
    """A job's status, progress and log; the page reloads itself while the job runs. An
    export's page offers its file, once, to whoever asked for it."""

    model = Job
    template_name = "core/job_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.object.kind == exports.EXPORT_KIND:
            context["export"] = exports.describe(self.object, self.request.user)
        return context


class JobDownloadView(JobDetailView):
    """POST: an export's file, once, for the user who asked (a link or a prefetch never
    takes it). Someone else's export is not found; a second download is refused (410)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
        self.object = self.get_object()
        try:
            handle, filename, fmt = exports.take_export_file(self.object, self.request.user)
        except LookupError:
            raise Http404 from None
        except exports.ExportGone:
            self.object.refresh_from_db()
            context = self.get_context_data(object=self.object)
            context["gone"] = _(
                "This file has already been downloaded, or has expired, and "
                "was deleted. Export again to get a new one."
            )
            return self.render_to_response(context, status=410)
        return exports.download_response(handle, filename, fmt)
