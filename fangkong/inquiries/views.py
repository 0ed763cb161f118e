"""Inquiry and FAQ pages: a handler's queue (their own first), every inquiry, the week's most
frequent questions, one inquiry with its answer, call-back and close buttons, and the FAQ
that staff search and residents read."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.exports import filter_params, start_export
from fangkong.core.imports import flow
from fangkong.core.models import Job
from fangkong.core.querysets import may
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    PageView,
    ServiceActionView,
    ServiceFormView,
    get_restricted_object,
    posted_version,
    require_action,
)
from fangkong.inquiries import exports, stats
from fangkong.inquiries.filtersets import FaqFilterSet, InquiryFilterSet
from fangkong.inquiries.forms import (
    AnswerForm,
    FaqForm,
    FollowUpForm,
    InquiryEditForm,
    InquiryForm,
)
from fangkong.inquiries.imports import (
    FAQ_HEADERS,
    INQUIRY_HEADERS,
    MAX_ROWS,
    faq_area,
    inquiry_community,
)
from fangkong.inquiries.jobs import FAQ_IMPORT_KIND, INQUIRY_IMPORT_KIND
from fangkong.inquiries.models import FaqEntry, Inquiry
from fangkong.inquiries.pickers import found_people
from fangkong.inquiries.services import (
    do_answer_inquiry,
    do_close_inquiry,
    do_create_faq_entry,
    do_faq_from_inquiry,
    do_follow_up_inquiry,
    do_record_inquiry,
    do_update_faq_entry,
    do_update_inquiry,
)
from fangkong.inquiries.tables import FaqTable, InquiryTable

INQUIRIES = Inquiry.objects.select_related("handler", "community")


def own_community(user: Any, refusal: str) -> Area:
    """The community the user records in (its own, or the one its grid lies in)."""
    area: Area | None = user.area
    community = area.community if area is not None else None
    if community is None:
        raise PermissionDeniedError("add", refusal)
    return community


class QueueView(PageView):
    """What waits for an answer: the user's own queue first (overdue at the top), then every
    handler's open and overdue counts."""

    model = Inquiry
    template_name = "inquiries/queue.html"
    title = gettext_lazy("Inquiries waiting")

    def refusal(self) -> str:
        return _("Your role does not handle inquiries.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            mine=stats.queue_of(user),
            handlers=stats.per_handler(user),
            may_add=user.has_action(Inquiry, "add"),
            may_export=user.has_action(Inquiry, "export"),
            may_import=user.has_action(Inquiry, "import") and inquiry_community(user) is not None,
        )
        return context


class InquiryListView(ObjectListView):
    model = Inquiry
    queryset = INQUIRIES
    filterset_class = InquiryFilterSet
    table_class = InquiryTable
    title = gettext_lazy("All inquiries")


class FrequentView(PageView):
    """The week's questions by category, and the questions asked more than once."""

    model = Inquiry
    template_name = "inquiries/frequent.html"
    title = gettext_lazy("Frequent questions this week")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(stats.frequent_this_week(self.request.user))
        return context


class InquiryCreateView(ServiceFormView):
    """A question taken down: who asked is found by name or room (optional)."""

    form_class = InquiryForm
    model = Inquiry
    action = "add"
    template_name = "inquiries/inquiry_form.html"
    title = gettext_lazy("New inquiry")
    submit_label = gettext_lazy("Save the inquiry")
    success_message = gettext_lazy("The inquiry is recorded.")

    def prepare(self) -> None:
        self.community = own_community(self.request.user, self.refusal())
        self.search_text = self.request.GET.get("q", "")[:50]
        self.found, self.search_error = found_people(
            self.request.user, self.community, self.search_text
        )

    def refusal(self) -> str:
        return _("Your role does not record inquiries.")

    def get_initial(self) -> dict[str, Any]:
        initial = dict(super().get_initial())
        for name in ("household", "person"):
            value = self.request.GET.get(name, "")
            if value.isdigit() and len(value) < 19:
                initial[name] = value
        return initial

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community, "found": self.found}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(search_text=self.search_text, search_error=self.search_error)
        return context

    def get_cancel_url(self) -> str:
        return reverse("inquiries:queue")

    def perform(self, form: Any) -> str | HttpResponse:
        inquiry = do_record_inquiry(self.community, by=self.request.user, **form.service_data())
        return inquiry.get_absolute_url()


class InquiryDetailView(ObjectDetailView):
    model = Inquiry
    queryset = Inquiry.objects.select_related(
        "handler", "answered_by", "household__building", "person", "community"
    )
    template_name = "inquiries/inquiry_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        inquiry: Inquiry = self.object
        user = self.request.user
        may_change = may(user, Inquiry, "change", inquiry, seen=True)
        context.update(
            may_change=may_change,
            may_faq=bool(inquiry.answer) and may(user, FaqEntry, "add", inquiry.community),
            faq_entries=list(FaqEntry.objects.restrict(user).filter(source=inquiry)),
            answer_form=AnswerForm(user=user, instance=inquiry) if may_change else None,
            follow_up_form=FollowUpForm(user=user, instance=inquiry) if may_change else None,
        )
        return context


class InquiryEditView(ObjectEditView):
    model = Inquiry
    form_class = InquiryEditForm

    def update(self, obj: Any, form: Any) -> Any:
        return do_update_inquiry(
            obj, form.service_data(), expected_version=form.expected_version, by=self.request.user
        )


class _InquiryFormView(ServiceFormView):
    model = Inquiry
    action = "change"

    def prepare(self) -> None:
        self.inquiry: Inquiry = get_restricted_object(
            INQUIRIES, self.request.user, "view", pk=self.kwargs["pk"]
        )

    def refusal(self) -> str:
        return _("Your role does not handle inquiries.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.inquiry}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["inquiry"] = self.inquiry
        return context

    def get_cancel_url(self) -> str:
        return self.inquiry.get_absolute_url()


class AnswerView(_InquiryFormView):
    form_class = AnswerForm
    template_name = "inquiries/inquiry_step.html"
    title = gettext_lazy("Answer")
    submit_label = gettext_lazy("Save the answer")
    success_message = gettext_lazy("The answer is saved.")

    def perform(self, form: Any) -> str | HttpResponse:
        do_answer_inquiry(
            self.inquiry,
            answer=form.cleaned_data["answer"],
            expected_version=form.expected_version,
            by=self.request.user,
        )
        return self.inquiry.get_absolute_url()


class FollowUpView(_InquiryFormView):
    form_class = FollowUpForm
    template_name = "inquiries/inquiry_step.html"
    title = gettext_lazy("Call back later")
    submit_label = gettext_lazy("Plan the call back")
    success_message = gettext_lazy("The call back is planned; a task is on the handler's list.")

    def perform(self, form: Any) -> str | HttpResponse:
        do_follow_up_inquiry(
            self.inquiry,
            follow_up_on=form.cleaned_data["follow_up_on"],
            note=form.cleaned_data["note"],
            expected_version=form.expected_version,
            by=self.request.user,
        )
        return self.inquiry.get_absolute_url()


class CloseView(ServiceActionView):
    model = Inquiry
    success_message = gettext_lazy("The inquiry is closed.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return do_close_inquiry(
            obj, expected_version=posted_version(self.request), by=self.request.user
        )


class FaqFromInquiryView(ServiceActionView):
    """One click: the answered inquiry as an FAQ entry (unpublished), opened for editing."""

    model = Inquiry
    success_message = gettext_lazy(
        "The FAQ entry is made, names and numbers taken out. Check it, then publish it."
    )

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return do_faq_from_inquiry(obj, by=self.request.user)

    def redirect_to(self, obj: Any, result: Any) -> str:
        if result is None:
            return str(obj.get_absolute_url())
        return reverse("inquiries:faq_edit", args=[result.pk])


# --- FAQ ------------------------------------------------------------------------------------


class FaqListView(ObjectListView):
    """The FAQ staff answer from: the community's entries and its street's, searchable."""

    model = FaqEntry
    queryset = FaqEntry.objects.select_related("area")
    filterset_class = FaqFilterSet
    table_class = FaqTable
    template_name = "inquiries/faq_list.html"
    title = gettext_lazy("FAQ")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_add"] = self.request.user.has_action(FaqEntry, "add")
        context["may_export"] = self.request.user.has_action(FaqEntry, "export")
        context["may_import"] = (
            self.request.user.has_action(FaqEntry, "import")
            and faq_area(self.request.user) is not None
        )
        return context


class FaqDetailView(ObjectDetailView):
    model = FaqEntry
    queryset = FaqEntry.objects.select_related("area", "source")
    template_name = "inquiries/faq_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_change"] = may(self.request.user, FaqEntry, "change", self.object, seen=True)
        return context


class FaqEditView(ObjectEditView):
    """A new entry of the user's own community or street, or an edit."""

    model = FaqEntry
    form_class = FaqForm

    def create(self, form: Any) -> Any:
        area = self.request.user.area
        if area is not None and area.level == AreaLevel.GRID:
            area = area.parent
        if area is None:
            raise PermissionDeniedError("add", _("Your role does not write the FAQ."))
        return do_create_faq_entry(area, by=self.request.user, **form.service_data())

    def update(self, obj: Any, form: Any) -> Any:
        return do_update_faq_entry(
            obj, form.service_data(), expected_version=form.expected_version, by=self.request.user
        )

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url() if self.object else reverse("inquiries:faq_list")


def export_response(view: Any, name: str, model: Any) -> HttpResponse:
    """The list as the page filters it, as .xlsx (a job past ``INLINE_ROWS``)."""
    user = view.request.user
    require_action(user, model, "export")
    data = view.request.GET.copy()
    data.pop("page", None)
    zone = user.area.zone if user.area is not None else None
    stamp = timezone.localtime(timezone.now(), zone)
    return start_export(
        view.request,
        name,
        {
            "format": "xlsx",
            "filters": filter_params(data),
            "at": stamp.replace(tzinfo=None).isoformat(),
        },
    )


class InquiryExportView(InquiryListView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return export_response(self, exports.INQUIRIES.name, Inquiry)


class FaqExportView(FaqListView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return export_response(self, exports.FAQ.name, FaqEntry)


# --- Imports --------------------------------------------------------------------------------


class _Import:
    """What the FAQ's and the inquiries' import pages declare: the job kind, the model whose
    ``import`` right they need, the area parameter, and their URL names' prefix."""

    job_kind: ClassVar[str]
    import_model: ClassVar[type[Any]]
    area_param: ClassVar[str]
    prefix: ClassVar[str]
    sync_rows = 2_000
    request: Any

    def detail_url(self, job: Job) -> str:
        return reverse(f"inquiries:{self.prefix}_import_detail", args=[job.pk])

    def guard(self, request: HttpRequest, pk: int) -> None:
        """Another area's import is not found, whatever the role; one's own needs the right."""
        user = cast(AuthenticatedRequest, request).user
        get_object_or_404(Job.objects.restrict(user, "view").filter(kind=self.job_kind), pk=pk)
        require_action(user, self.import_model, "import")


class _FaqImport(_Import):
    job_kind = FAQ_IMPORT_KIND
    import_model = FaqEntry
    area_param = "area"
    prefix = "faq"


class _InquiryImport(_Import):
    job_kind = INQUIRY_IMPORT_KIND
    import_model = Inquiry
    area_param = "community"
    prefix = "inquiry"


class _ImportStart(flow.ImportStartView):
    """Upload a list into the user's own area; it is previewed at once."""

    template_name = "inquiries/import_start.html"
    action = "import"
    prefix: ClassVar[str]
    area_param: ClassVar[str]
    headers: ClassVar[dict[str, tuple[str, ...]]]
    required: ClassVar[tuple[str, ...]]
    help_text: ClassVar[Any]
    rerun_text: ClassVar[Any]

    def target(self) -> Area | None:
        raise NotImplementedError

    def area(self) -> Area:
        area = self.target()
        if area is None:
            raise PermissionDeniedError("import", self.refusal())
        return area

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        area = self.area()
        context.update(
            form=kwargs.get("form") or self.form_class(),
            recent=self.recent_jobs(**{self.area_param: area.pk}),
            max_rows=MAX_ROWS,
            area=area,
            required=[self.headers[k][0] for k in self.required],
            optional=[names[0] for k, names in self.headers.items() if k not in self.required],
            help_text=self.help_text,
            rerun_text=self.rerun_text,
            list_url=reverse(f"inquiries:{self.prefix}_list"),
            detail_name=f"inquiries:{self.prefix}_import_detail",
        )
        return context

    def job_area(self) -> str:
        return self.area().path

    def job_params(self, form: flow.UploadForm) -> dict[str, Any]:
        return {self.area_param: self.area().pk}


class FaqImportStartView(_FaqImport, _ImportStart):
    model = FaqEntry
    title = gettext_lazy("Import FAQ entries")
    headers = FAQ_HEADERS
    required = ("question", "answer")
    help_text = gettext_lazy(
        "Add FAQ entries to your community or street from a list. A question or answer "
        "holding an ID number or a phone is refused. You first see every row that cannot be "
        "read, with the reason; nothing is written until you choose to import the valid rows."
    )
    rerun_text = gettext_lazy(
        "Importing the same file again adds nothing twice: a question already in the FAQ of "
        "your area is left as it is."
    )

    def refusal(self) -> str:
        return _("Your role does not write the FAQ.")

    def target(self) -> Area | None:
        return faq_area(self.request.user)


class InquiryImportStartView(_InquiryImport, _ImportStart):
    model = Inquiry
    title = gettext_lazy("Import inquiries")
    headers = INQUIRY_HEADERS
    required = ("received_at", "question")
    help_text = gettext_lazy(
        "Add inquiries to your community from a log typed into a spreadsheet (the hotline's "
        "paper log, for instance). The room is found among your community's households, the "
        "handler by username. A closed row needs an answer. You first see every row that "
        "cannot be read, with the reason; nothing is written until you choose to import the "
        "valid rows."
    )
    rerun_text = gettext_lazy(
        "Importing the same file again adds nothing twice: a question received at the same "
        "time is left as it is."
    )

    def refusal(self) -> str:
        return _("Your role does not record inquiries.")

    def target(self) -> Area | None:
        return inquiry_community(self.request.user)


class _ImportDetail(flow.ImportDetailView):
    template_name = "core/import_detail.html"
    prefix: ClassVar[str]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cast(_Import, self).guard(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            start_url=reverse(f"inquiries:{self.prefix}_import_start"),
            confirm_url=reverse(
                f"inquiries:{self.prefix}_import_confirm", args=[context["job"].pk]
            ),
            rejected_url=reverse(
                f"inquiries:{self.prefix}_import_rejected", args=[context["job"].pk]
            ),
            list_url=reverse(f"inquiries:{self.prefix}_list"),
        )
        return context


class FaqImportDetailView(_FaqImport, _ImportDetail):
    pass


class InquiryImportDetailView(_InquiryImport, _ImportDetail):
    pass


class _ImportConfirm(flow.ImportConfirmView):
    prefix: ClassVar[str]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        cast(_Import, self).guard(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def job_area(self, preview: Job) -> str:
        return preview.area_path

    def cancelled_url(self, preview: Job) -> str:
        return reverse(f"inquiries:{self.prefix}_import_start")


class FaqImportConfirmView(_FaqImport, _ImportConfirm):
    pass


class InquiryImportConfirmView(_InquiryImport, _ImportConfirm):
    pass


class _ImportRejected(flow.ImportRejectedView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        cast(_Import, self).guard(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class FaqImportRejectedView(_FaqImport, _ImportRejected):
    header_aliases = FAQ_HEADERS


class InquiryImportRejectedView(_InquiryImport, _ImportRejected):
    header_aliases = INQUIRY_HEADERS
