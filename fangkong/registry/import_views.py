"""Pages of the resident import and of registry exports.

The import is core's flow (``core.imports.flow``), each step a ``core.Job`` of kind
``registry.import_residents``: upload → *preview* (counts and every rejected row) → *import
the valid rows* or *import none*. Files up to ``SYNC_ROWS`` data rows are handled within
the request; larger ones run on the worker and the page shows progress (read from the
uploads store, where the running job writes it).

Exports take the people list's filters from the query string and answer a POST with the
file: an export is an access event, so a link or a prefetch never makes one. More than
``core.exports.INLINE_ROWS`` rows run as a job whose page offers the file once.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.models import Area
from fangkong.core import exports as core_exports
from fangkong.core.exports import Exporter, filter_params, start_export
from fangkong.core.imports import flow
from fangkong.core.imports.uploads import read_progress
from fangkong.core.models import Job
from fangkong.core.views import LoggedInView, PageView, require_action
from fangkong.registry.exports import (
    CONTENT_TYPES,
    HOUSEHOLDS_EXPORT,
    PEOPLE_EXPORT,
    households_for_export,
    is_demo_community,
    people_for_export,
    write_sample_register,
    write_template,
)
from fangkong.registry.filtersets import is_sensitive_query
from fangkong.registry.import_columns import HEADERS
from fangkong.registry.jobs import IMPORT_KIND
from fangkong.registry.models import Household, Person
from fangkong.registry.views import breadcrumbs, get_community

if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.core.requests import AuthenticatedRequest

#: Files with more data rows than this run as a background job with a progress page.
SYNC_ROWS = 5000


# --- Helpers --------------------------------------------------------------------------------


def _job_area(user: User, community: Area) -> str:
    """The area a job is filed under: the user's own grid when narrower than the community,
    so that whoever started it can open its page."""
    area = user.area
    if area is not None and area.lies_in(community):
        return area.path
    return community.path


def _download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    add_never_cache_headers(response)  # personal data: never kept by a browser or proxy
    return response


# --- The import (core.imports.flow) ---------------------------------------------------------


class UploadForm(flow.UploadForm):
    file_label = gettext_lazy("Register file")


class _ResidentImport:
    job_kind = IMPORT_KIND
    sync_rows = SYNC_ROWS

    def detail_url(self, job: Job) -> str:
        return reverse("registry:import_detail", args=[job.pk])


class ImportStartView(_ResidentImport, flow.ImportStartView):
    """Upload a register; small files are previewed at once, large ones as a job."""

    template_name = "registry/import_start.html"
    form_class = UploadForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.community = get_community(self.request.user, kwargs["community_pk"])
        require_action(self.request.user, Person, "import")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Import residents"),
            community=self.community,
            breadcrumbs=breadcrumbs(community=self.community),
            form=kwargs.get("form") or UploadForm(),
            recent=self.recent_jobs(community=self.community.pk),
            sample=is_demo_community(self.community),
            sync_rows=SYNC_ROWS,
        )
        return context

    def job_area(self) -> str:
        return _job_area(self.request.user, self.community)

    def job_params(self, form: flow.UploadForm) -> dict[str, Any]:
        return {"community": self.community.pk}


class ImportDetailView(_ResidentImport, flow.ImportDetailView):
    """A preview or an import: progress while it runs, then counts and every rejected row."""

    template_name = "registry/import_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job, result = context["job"], context["result"]
        community = get_community(self.request.user, job.params.get("community"))
        percent = job.percent
        if not job.is_finished:
            # Written by the running job beside the upload: its own row shows nothing until
            # the import's transaction commits.
            seen = read_progress(job.params.get("upload", ""))
            if seen and seen[1]:
                percent = max(percent, min(99, seen[0] * 100 // seen[1]))
        context.update(
            community=community,
            breadcrumbs=breadcrumbs(community=community),
            valid_rows=result.get("created", 0) + result.get("updated", 0),
            percent=percent,
            # The import's job number once the preview was confirmed.
            import_job=_job_number(job.params.get("confirmed")),
            preview_job=_job_number(job.params.get("preview_job")),
        )
        return context


def _job_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class ImportConfirmView(_ResidentImport, flow.ImportConfirmView):
    """POST: import the previewed file's valid rows, or import none and forget the file."""

    import_params = {"all_or_nothing": False}

    def check_decision(self, preview: Job) -> None:
        self.community = get_community(self.request.user, preview.params.get("community"))
        require_action(self.request.user, Person, "import")

    def job_area(self, preview: Job) -> str:
        return _job_area(self.request.user, self.community)

    def cancelled_url(self, preview: Job) -> str:
        return reverse("registry:import_start", args=[self.community.pk])


class ImportRejectedView(_ResidentImport, flow.ImportRejectedView):
    """GET: the preview's rejected rows as an .xlsx with a reason column, to fix and upload."""

    header_aliases = HEADERS

    def check_download(self, preview: Job) -> None:
        get_community(self.request.user, preview.params.get("community"))
        require_action(self.request.user, Person, "import")


class TemplateDownloadView(LoggedInView):
    """The blank register (.xlsx): headers, an example row, and a sheet explaining them."""

    def get(self, request: HttpRequest, community_pk: int) -> HttpResponse:
        community = get_community(self.request.user, community_pk)
        require_action(self.request.user, Person, "import")
        out = io.BytesIO()
        write_template(out, user=self.request.user, community=community)
        return _download(out.getvalue(), _("resident-register-template") + ".xlsx", "xlsx")


class SampleRegisterView(LoggedInView):
    """The demo's sample register, with a few bad rows to see explained (demo only)."""

    def get(self, request: HttpRequest, community_pk: int) -> HttpResponse:
        community = get_community(self.request.user, community_pk)
        require_action(self.request.user, Person, "import")
        if not is_demo_community(community):
            raise Http404  # real communities have no invented residents to offer
        out = io.BytesIO()
        write_sample_register(out, user=self.request.user, community=community)
        return _download(out.getvalue(), _("sample-register") + ".xlsx", "xlsx")


# --- Exports --------------------------------------------------------------------------------


class ExportForm(forms.Form):
    FORMATS = (
        ("xlsx", gettext_lazy("Excel workbook (.xlsx)")),
        ("csv", gettext_lazy("CSV for Excel (GB18030)")),
        ("csv-utf8", gettext_lazy("CSV in UTF-8")),
    )

    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=FORMATS, initial="xlsx", widget=forms.RadioSelect
    )
    reveal = forms.BooleanField(
        label=gettext_lazy("Full ID numbers, phones and birth dates"),
        required=False,
        help_text=gettext_lazy("Exports are masked. Unmasked exports are logged with your reason."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=300)

    def __init__(self, *args: Any, can_reveal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_reveal:
            del self.fields["reveal"]
            del self.fields["reason"]

    def clean(self) -> dict[str, Any]:
        # Form.clean returns cleaned_data (the stubs allow None, for subclasses that do).
        super().clean()
        data = self.cleaned_data
        if data.get("reveal") and len((data.get("reason") or "").strip()) < 2:
            self.add_error("reason", _("Say why you need the full numbers."))
        return data

    def choice(self) -> tuple[str, str]:
        """(file format, CSV encoding)."""
        value = self.cleaned_data["format"]
        return ("csv", "utf-8") if value == "csv-utf8" else (value, "gb18030")


class ExportView(PageView):
    """GET: what will be exported, and the choices; POST: the file."""

    template_name = "registry/export.html"
    model: type = Person

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_action(self.request.user, self.model, "export")
        return super().dispatch(request, *args, **kwargs)

    def filters(self) -> QueryDict:
        data = self.request.GET.copy()
        data.pop("page", None)
        if is_sensitive_query(data.get("q", "")):
            data.pop("q")  # never carried in a URL or a log; search on the list instead
        return data

    exporter: Exporter

    def queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def can_reveal(self) -> bool:
        return self.model is Person and self.request.user.has_action(Person, "reveal")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = self.filters()
        community = self.request.user.community if self.request.user.area_id else None
        context.update(
            title=(_("Export people") if self.model is Person else _("Export households")),
            count=self.queryset().count(),
            querystring=filters.urlencode(),
            inline_rows=core_exports.INLINE_ROWS,
            form=kwargs.get("form") or ExportForm(can_reveal=self.can_reveal()),
            back=self.back_url(filters, community),
            breadcrumbs=breadcrumbs(community=community) if community is not None else [],
        )
        return context

    def back_url(self, filters: QueryDict, community: Area | None) -> str:
        if self.model is Person:
            url = reverse("registry:person_list")
            return f"{url}?{filters.urlencode()}" if filters else url
        if building_pk := filters.get("building"):
            return reverse("registry:building_detail", args=[_int(building_pk)])
        if community is not None:
            return reverse("registry:community", args=[community.pk])
        return reverse("reports:home")

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The file at once when it is small; else a job whose page shows the progress and
        offers the file once (``core.exports``)."""
        form = ExportForm(request.POST, can_reveal=self.can_reveal())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        fmt, encoding = form.choice()
        params: dict[str, Any] = {
            "format": fmt,
            "encoding": encoding,
            "filters": filter_params(self.filters()),
        }
        if form.cleaned_data.get("reveal"):
            params.update(reveal=True, reason=form.cleaned_data.get("reason") or "")
        return start_export(request, self.exporter.name, params)


class PersonExportView(ExportView):
    model = Person
    exporter = PEOPLE_EXPORT

    def queryset(self) -> QuerySet[Person]:
        return people_for_export(self.request.user, self.filters())


class HouseholdExportView(ExportView):
    model = Household
    exporter = HOUSEHOLDS_EXPORT

    def queryset(self) -> QuerySet[Household]:
        return households_for_export(self.request.user, self.filters())


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None
