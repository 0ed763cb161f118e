"""Counselling pages: the cases, one case (its sessions' dates, never their notes), the
notes page (counsellor and community officer only; each visit logged), and the forms."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.querysets import may
from fangkong.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ServiceActionView,
    ServiceFormView,
    get_restricted_object,
    posted_version,
)
from fangkong.counselling import exports
from fangkong.counselling.filtersets import CaseFilterSet
from fangkong.counselling.forms import CaseEditForm, CaseOpenForm, ReferForm, SessionForm
from fangkong.counselling.models import CounsellingCase
from fangkong.counselling.services import (
    do_close_case,
    do_open_case,
    do_record_session,
    do_refer_case,
    do_update_case,
    may_read_notes,
    read_notes,
)
from fangkong.counselling.tables import CaseTable
from fangkong.inquiries.pickers import found_people
from fangkong.inquiries.views import export_response, own_community

CASES = CounsellingCase.objects.select_related("person", "counsellor", "community")


class CaseListView(ObjectListView):
    model = CounsellingCase
    queryset = CASES
    filterset_class = CaseFilterSet
    table_class = CaseTable
    template_name = "counselling/case_list.html"
    title = gettext_lazy("Counselling cases")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_add"] = self.request.user.has_action(CounsellingCase, "add")
        context["may_export"] = self.request.user.has_action(CounsellingCase, "export")
        return context


class CaseExportView(CaseListView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return export_response(self, exports.CASES.name, CounsellingCase)


class CaseCreateView(ServiceFormView):
    form_class = CaseOpenForm
    model = CounsellingCase
    action = "add"
    template_name = "counselling/case_form.html"
    title = gettext_lazy("New counselling case")
    submit_label = gettext_lazy("Open the case")
    success_message = gettext_lazy("The case is opened.")

    def prepare(self) -> None:
        self.community = own_community(self.request.user, self.refusal())
        self.search_text = self.request.GET.get("q", "")[:50]
        self.found, self.search_error = found_people(
            self.request.user, self.community, self.search_text
        )

    def refusal(self) -> str:
        return _("Your role does not open counselling cases.")

    def get_initial(self) -> dict[str, Any]:
        initial = dict(super().get_initial())
        initial["counsellor"] = self.request.user.pk
        return initial

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community, "found": self.found}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(search_text=self.search_text, search_error=self.search_error)
        return context

    def get_cancel_url(self) -> str:
        return reverse("counselling:case_list")

    def perform(self, form: Any) -> str | HttpResponse:
        data = form.service_data()
        case = do_open_case(data.pop("person"), by=self.request.user, **data)
        return case.get_absolute_url()


class CaseDetailView(ObjectDetailView):
    """That the case exists, its risk and referral, and when sessions were held: what
    everyone with the view right sees. The notes are one link further, for those allowed."""

    model = CounsellingCase
    queryset = CASES
    template_name = "counselling/case_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case: CounsellingCase = self.object
        user = self.request.user
        context.update(
            sessions=list(case.sessions.only("pk", "held_at", "mode", "follow_up_on", "case_id")),
            may_read_notes=may_read_notes(user, case),
            may_change=may(user, CounsellingCase, "change", case, seen=True),
        )
        return context


class NotesView(ObjectDetailView):
    """The sessions with their notes. Each visit is an access event (``reveal``)."""

    model = CounsellingCase
    queryset = CASES
    template_name = "counselling/case_notes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sessions"] = read_notes(self.object, by=self.request.user, via="page")
        return context


class CaseEditView(ObjectEditView):
    model = CounsellingCase
    form_class = CaseEditForm

    def update(self, obj: Any, form: Any) -> Any:
        return do_update_case(
            obj, form.service_data(), expected_version=form.expected_version, by=self.request.user
        )


class _CaseFormView(ServiceFormView):
    model = CounsellingCase
    action = "change"
    template_name = "core/object_edit.html"

    def prepare(self) -> None:
        self.case: CounsellingCase = get_restricted_object(
            CASES, self.request.user, "view", pk=self.kwargs["pk"]
        )

    def refusal(self) -> str:
        return _("Your role does not change counselling cases.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.case}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(object=self.case, model_name=self.get_title())
        return context

    def get_cancel_url(self) -> str:
        return self.case.get_absolute_url()


class ReferView(_CaseFormView):
    form_class = ReferForm
    title = gettext_lazy("Refer to a professional")
    submit_label = gettext_lazy("Refer")
    success_message = gettext_lazy("The referral is recorded.")

    def perform(self, form: Any) -> str | HttpResponse:
        do_refer_case(
            self.case,
            referral_to=form.cleaned_data["referral_to"],
            referred_on=form.cleaned_data["referred_on"],
            expected_version=form.expected_version,
            by=self.request.user,
        )
        return self.case.get_absolute_url()


class SessionCreateView(_CaseFormView):
    form_class = SessionForm
    template_name = "counselling/session_form.html"
    title = gettext_lazy("Record a session")
    submit_label = gettext_lazy("Save the session")
    success_message = gettext_lazy("The session is recorded.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": None, "community": self.case.community}

    def perform(self, form: Any) -> str | HttpResponse:
        do_record_session(self.case, by=self.request.user, **form.service_data())
        return self.case.get_absolute_url()


class CloseView(ServiceActionView):
    model = CounsellingCase
    success_message = gettext_lazy("The case is closed.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return do_close_case(
            obj, expected_version=posted_version(self.request), by=self.request.user
        )
