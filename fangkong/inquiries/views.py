"""Inquiry and FAQ pages: a handler's queue (their own first), every inquiry, the week's most
frequent questions, one inquiry with its answer, call-back and close buttons, and the FAQ
that staff search and residents read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.exports import filter_params, start_export
from fangkong.core.querysets import may
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
