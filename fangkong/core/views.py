"""Base classes for pages. An app's view declares its model, queryset, form, table, service.

Every object lookup goes through ``restrict()``: outside the user's scope is 404 (never
reveal that a row exists); inside the scope without the right is 403.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from fangkong.core import exports
from fangkong.core.exceptions import ConflictError, PermissionDeniedError
from fangkong.core.filtersets import ObjectChangeFilterSet, bound_numbers
from fangkong.core.models import Job, ObjectChange
from fangkong.core.pagination import CappedPaginator, page_or_last
from fangkong.core.tables import Table


def get_restricted_object(
    queryset: models.QuerySet, user: Any, action: str = "view", **lookup: Any
) -> Any:
    """The object, if ``user`` may see it (else 404) and may ``action`` it (else 403)."""
    obj = get_object_or_404(queryset.restrict(user, "view"), **lookup)
    if action != "view" and not user.has_action(queryset.model, action):
        raise PermissionDenied
    return obj


def require_action(user: Any, model: type[models.Model], action: str) -> None:
    if not user.has_action(model, action):
        raise PermissionDenied


class ObjectListView(ListView):
    """A filtered, searchable, paged list of restricted rows."""

    model: ClassVar[type[models.Model]]
    queryset: models.QuerySet | None = None
    filterset_class: ClassVar[Any] = None
    table_class: ClassVar[type[Table] | None] = None
    template_name = "core/object_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    action = "view"
    title: ClassVar[Any] = None
    #: Why the page shown is not the one asked for (``page=abc``, a page past the last).
    page_notice = ""

    def get_base_queryset(self) -> models.QuerySet:
        qs = self.queryset if self.queryset is not None else self.model.objects.all()
        return qs.restrict(self.request.user, self.action)

    def get_queryset(self) -> models.QuerySet:
        require_action(self.request.user, self.model, self.action)
        qs = self.get_base_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = bound_numbers(self.filterset_class(
                self.get_filter_data() or None, queryset=qs, request=self.request
            ))
            qs = self.filterset.qs if self.filterset.is_bound else qs
        return qs

    def get_filter_data(self) -> Any:
        return self.request.GET

    def paginate_queryset(
        self, queryset: models.QuerySet, page_size: int
    ) -> tuple[Paginator, Any, Any, bool]:
        """Django's ListView answers a page it cannot find with a 404; a person who typed
        ``page=abc`` or followed an old link past the end gets the first or the last page,
        with a line saying so. Counts are capped (``CappedPaginator``): page 1 never counts
        a district's rows."""
        paginator = self.get_paginator(queryset, page_size)
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


class ObjectDetailView(DetailView):
    model: ClassVar[type[models.Model]]
    queryset: models.QuerySet | None = None

    def get_object(self, queryset: models.QuerySet | None = None) -> Any:
        qs = self.queryset if self.queryset is not None else self.model.objects.all()
        return get_restricted_object(qs, self.request.user, "view", pk=self.kwargs["pk"])


class ObjectEditView(FormView):
    """Create or edit one row through a service function, with optimistic locking.

    Subclasses set ``model``, ``form_class`` and implement ``create(form)`` and/or
    ``update(obj, form)`` by calling a service. A ``ValidationError`` from the service lands on
    the form's fields; a ``ConflictError`` re-shows the user's input with a message and the
    current version, so nothing typed is lost.
    """

    model: ClassVar[type[models.Model]]
    queryset: models.QuerySet | None = None
    template_name = "core/object_edit.html"
    object: Any = None
    #: The right an edit of an existing row needs (a deactivation page sets "deactivate").
    edit_action = "change"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Anonymous users never get here: LoginRequiredMiddleware sends them to log in.
        if "pk" in kwargs:
            qs = self.queryset if self.queryset is not None else self.model.objects.all()
            self.object = get_restricted_object(qs, request.user, self.edit_action, pk=kwargs["pk"])
        else:
            self.check_add_permission()
        return super().dispatch(request, *args, **kwargs)

    def check_add_permission(self) -> None:
        require_action(self.request.user, self.model, "add")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(object=self.object, model_name=self.model._meta.verbose_name,
                       cancel_url=self.get_cancel_url())
        return context

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url() if self.object else "/"

    def create(self, form: Any) -> Any:
        raise NotImplementedError

    def update(self, obj: Any, form: Any) -> Any:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            saved = self.update(self.object, form) if self.object else self.create(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            form.data = form.data.copy()
            form.data["version"] = str(exc.current_version)
            return self.form_invalid(form)
        except (PermissionDeniedError, PermissionDenied):
            raise PermissionDenied from None
        except Http404:
            form.add_error(None, _("You can only choose records of your own area."))
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(saved.get_absolute_url())



class AuditLogView(ObjectListView):
    """The change log of the user's area, filtered by person, user, action and date."""

    model = ObjectChange
    filterset_class = ObjectChangeFilterSet
    template_name = "core/audit_list.html"
    title = gettext_lazy("Audit log")

    def get_base_queryset(self) -> models.QuerySet:
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

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.object = self.get_object()
        try:
            handle, filename, fmt = exports.take_export_file(self.object, request.user)
        except LookupError:
            raise Http404 from None
        except exports.ExportGone:
            self.object.refresh_from_db()
            context = self.get_context_data(object=self.object)
            context["gone"] = _("This file has already been downloaded, or has expired, and "
                                "was deleted. Export again to get a new one.")
            return self.render_to_response(context, status=410)
        return exports.download_response(handle, filename, fmt)
