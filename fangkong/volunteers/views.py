"""Volunteers pages: a community's volunteers (veterans first), one volunteer with their
hours and certificate, veteran residents to add in one step, requests for volunteers with
the people who match them, answers, hours, the veterans' list import and the export."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.models import Area
from fangkong.core.exports import filter_params, start_export
from fangkong.core.imports import flow
from fangkong.core.models import Job
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import (
    LoggedInView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ServiceActionView,
    get_restricted_object,
    require_action,
)
from fangkong.registry.choices import PersonStatus, PersonTag
from fangkong.registry.models import Person
from fangkong.registry.views import get_community
from fangkong.staff.duty_hours import zone_of
from fangkong.volunteers import exports, services
from fangkong.volunteers.certificate import certificate_pdf
from fangkong.volunteers.choices import Answer, RequestStatus, VolunteerGroup
from fangkong.volunteers.filtersets import VolunteerFilterSet, VolunteerRequestFilterSet
from fangkong.volunteers.forms import RequestForm, VolunteerForm
from fangkong.volunteers.imports import HEADERS, MAX_ROWS
from fangkong.volunteers.jobs import IMPORT_KIND
from fangkong.volunteers.matching import matching_volunteers
from fangkong.volunteers.models import Volunteer, VolunteerRequest, VolunteerResponse
from fangkong.volunteers.tables import VolunteerRequestTable, VolunteerTable

#: Matching volunteers shown on a request's page at most (veterans first).
MATCHES_SHOWN = 50


class CommunityMixin:
    """A page of one community (``community_pk``): 404 outside the user's scope, then 403
    without ``action`` on ``model``."""

    action = "view"
    community: Area

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = cast(AuthenticatedRequest, request).user
        self.community = get_community(user, kwargs["community_pk"])
        require_action(user, cast(Any, self).model, self.action)
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response


# --- Volunteers -----------------------------------------------------------------------------


class VolunteerListView(CommunityMixin, ObjectListView):
    """A community's volunteers: veterans first, then their families, then everyone else."""

    model = Volunteer
    queryset = Volunteer.objects.select_related("person", "area")
    filterset_class = VolunteerFilterSet
    table_class = VolunteerTable
    template_name = "volunteers/volunteer_list.html"
    title = gettext_lazy("Volunteers")

    def get_base_queryset(self) -> QuerySet[Any]:
        return super().get_base_queryset().filter(community=self.community)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            community=self.community,
            can_import=user.has_action(Volunteer, "import"),
            can_export=user.has_action(Volunteer, "export"),
            export_query=query.urlencode(),
        )
        return context


class VolunteerExportView(VolunteerListView):
    """The filtered list as .xlsx (phones masked); an export is an access event."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_action(self.request.user, Volunteer, "export")
        data = request.GET.copy()
        data.pop("page", None)
        stamp = timezone.localtime(timezone.now(), zone_of(self.community))
        return start_export(
            self.request,
            exports.VOLUNTEERS.name,
            {
                "format": "xlsx",
                "community": self.community.pk,
                "filters": filter_params(data),
                "at": stamp.replace(tzinfo=None).isoformat(),
            },
        )


class VolunteerDetailView(ObjectDetailView):
    model = Volunteer
    queryset = Volunteer.objects.select_related("person", "area", "community")
    template_name = "volunteers/volunteer_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        volunteer: Volunteer = self.object
        user = self.request.user
        context.update(
            title=volunteer.display_name,
            tz=zone_of(volunteer.community).key,
            responses=volunteer.responses.select_related("request__checkpoint").order_by(
                "-request__start"
            )[:50],
            hours=services.volunteer_hours(volunteer),
            can_change=user.has_action(Volunteer, "change"),
        )
        return context


class VolunteerCreateView(CommunityMixin, ObjectEditView):
    """A volunteer from outside the community (residents: "add as volunteer")."""

    model = Volunteer
    form_class = VolunteerForm
    action = "add"
    title = gettext_lazy("New volunteer")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community}

    def get_cancel_url(self) -> str:
        return reverse("volunteers:volunteer_list", args=[self.community.pk])

    def create(self, form: Any) -> Any:
        return services.do_create_volunteer(
            community=self.community, by=self.request.user, **form.service_data()
        )


class VolunteerEditView(ObjectEditView):
    model = Volunteer
    queryset = Volunteer.objects.select_related("person", "community")
    form_class = VolunteerForm
    title = gettext_lazy("Edit volunteer")

    def update(self, obj: Any, form: Any) -> Any:
        return services.do_update_volunteer(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )


class VeteranResidentsView(CommunityMixin, ObjectListView):
    """Residents tagged veteran who are not volunteers yet, each with "add as volunteer"."""

    model = Volunteer
    action = "add"
    template_name = "volunteers/veteran_residents.html"
    title = gettext_lazy("Veteran residents")

    def get_base_queryset(self) -> QuerySet[Any]:
        return (
            Person.objects.restrict(self.request.user)
            .filter(
                community=self.community,
                status=PersonStatus.ACTIVE,
                tags__contains=f"|{PersonTag.VETERAN}|",
            )
            .exclude(volunteer_records__community=self.community)
            .order_by("name", "id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["community"] = self.community
        return context


class AddResidentView(ServiceActionView):
    """POST: a resident (a veteran, most often) becomes a volunteer, linked not copied."""

    model = Person
    queryset = Person.objects.all()
    success_message = gettext_lazy("The resident is now a volunteer.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.do_add_resident_as_volunteer(obj, by=self.request.user)

    def redirect_to(self, obj: Any, result: Any) -> str:
        if result is not None:
            return str(result.get_absolute_url())
        return reverse("volunteers:veteran_residents", args=[obj.community_id])


class CertificateView(LoggedInView):
    """GET: the volunteer's certificate of service (PDF, Chinese) with their hours."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        volunteer = get_restricted_object(
            Volunteer.objects.select_related("person", "community"),
            cast(AuthenticatedRequest, request).user,
            "view",
            pk=pk,
        )
        data = certificate_pdf(volunteer)
        response = HttpResponse(data, content_type="application/pdf")
        disposition = content_disposition_header(
            False, f"{_('certificate-of-service')}-{volunteer.pk}.pdf"
        )
        if disposition:
            response["Content-Disposition"] = disposition
        return response


# --- Requests -------------------------------------------------------------------------------


class RequestListView(CommunityMixin, ObjectListView):
    model = VolunteerRequest
    queryset = VolunteerRequest.objects.select_related("checkpoint", "community")
    filterset_class = VolunteerRequestFilterSet
    table_class = VolunteerRequestTable
    title = gettext_lazy("Volunteer requests")

    def get_base_queryset(self) -> QuerySet[Any]:
        return super().get_base_queryset().filter(community=self.community)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("volunteers:request_add", args=[self.community.pk])
        return context


class RequestCreateView(CommunityMixin, ObjectEditView):
    model = VolunteerRequest
    form_class = RequestForm
    action = "add"
    title = gettext_lazy("Ask for volunteers")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community}

    def get_cancel_url(self) -> str:
        return reverse("volunteers:request_list", args=[self.community.pk])

    def create(self, form: Any) -> Any:
        data = form.service_data()
        return services.do_create_request(community=self.community, by=self.request.user, **data)


class RequestDetailView(ObjectDetailView):
    """A request: who accepted and declined, and the volunteers who match it (veterans
    first), each with an accept and a decline button."""

    model = VolunteerRequest
    queryset = VolunteerRequest.objects.select_related("checkpoint", "area", "community", "shift")
    template_name = "volunteers/request_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request: VolunteerRequest = self.object
        user = self.request.user
        responses = list(
            request.responses.select_related("volunteer__person", "assignment").order_by(
                "answer", "volunteer__rank", "id"
            )
        )
        accepted = [r for r in responses if r.answer == Answer.ACCEPTED]
        is_open = request.status == RequestStatus.OPEN
        may_answer = user.has_action(VolunteerResponse, "add")
        context.update(
            title=request.place,
            tz=zone_of(request.community).key,
            accepted=accepted,
            declined=[r for r in responses if r.answer == Answer.DECLINED],
            missing=max(request.people_needed - len(accepted), 0),
            matches=matching_volunteers(request, limit=MATCHES_SHOWN)
            if is_open and may_answer
            else [],
            may_answer=may_answer and is_open,
            may_close=user.has_action(VolunteerRequest, "change")
            and request.status in (RequestStatus.OPEN, RequestStatus.FILLED),
            is_over=timezone.now() >= request.end,
        )
        return context


class AnswerForm(forms.Form):
    volunteer = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    answer = forms.ChoiceField(choices=Answer.choices)


class AnswerView(ServiceActionView):
    """POST: a volunteer accepted (onto the roster) or declined the request."""

    model = VolunteerRequest
    form_class = AnswerForm
    success_message = gettext_lazy("The answer is recorded.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        volunteer = get_restricted_object(
            Volunteer.objects.all(), self.request.user, "view", pk=data["volunteer"]
        )
        return services.do_answer_request(
            obj, volunteer, accepted=data["answer"] == Answer.ACCEPTED, by=self.request.user
        )


class CountHoursView(ServiceActionView):
    """POST: the duty is over; count each accepted volunteer's hours and close it."""

    model = VolunteerRequest
    success_message = gettext_lazy("The hours are counted.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.do_count_hours(obj, by=self.request.user)


class CancelRequestView(ServiceActionView):
    model = VolunteerRequest
    success_message = gettext_lazy("The request is cancelled.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.do_cancel_request(obj, by=self.request.user)


# --- Import ---------------------------------------------------------------------------------


class UploadForm(flow.UploadForm):
    file_label = gettext_lazy("Veterans' list")


class _VolunteerImport:
    job_kind = IMPORT_KIND
    sync_rows = 20_000  # bulk writes: a district's list fits in a request
    request: Any

    def detail_url(self, job: Job) -> str:
        return reverse("volunteers:import_detail", args=[job.pk])


class ImportStartView(_VolunteerImport, CommunityMixin, flow.ImportStartView):
    """Upload the veterans' list; it is previewed at once."""

    model = Volunteer
    action = "import"
    template_name = "volunteers/import_start.html"
    form_class = UploadForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Import a veterans' list"),
            form=kwargs.get("form") or UploadForm(),
            recent=self.recent_jobs(community=self.community.pk),
            max_rows=MAX_ROWS,
            community=self.community,
            # The columns' names as the file writes them (Chinese, from the import itself).
            columns={key: names[0] for key, names in HEADERS.items()},
            veteran=VolunteerGroup.VETERAN.label,
        )
        return context

    def job_area(self) -> str:
        return self.community.path

    def job_params(self, form: flow.UploadForm) -> dict[str, Any]:
        return {"community": self.community.pk}


class ImportDetailView(_VolunteerImport, flow.ImportDetailView):
    template_name = "volunteers/import_detail.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = cast(AuthenticatedRequest, request).user
        # Another area's import is not found, whatever the role.
        get_object_or_404(
            Job.objects.restrict(user, "view").filter(kind=IMPORT_KIND), pk=kwargs["pk"]
        )
        require_action(user, Volunteer, "import")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["community_pk"] = context["job"].params.get("community")
        return context


class ImportConfirmView(_VolunteerImport, flow.ImportConfirmView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = cast(AuthenticatedRequest, request).user
        # Another area's import is not found, whatever the role.
        get_object_or_404(
            Job.objects.restrict(user, "view").filter(kind=IMPORT_KIND), pk=kwargs["pk"]
        )
        require_action(user, Volunteer, "import")
        return super().dispatch(request, *args, **kwargs)

    def job_area(self, preview: Job) -> str:
        return preview.area_path

    def cancelled_url(self, preview: Job) -> str:
        return reverse("volunteers:import_start", args=[preview.params.get("community")])


class ImportRejectedView(_VolunteerImport, flow.ImportRejectedView):
    """GET: the preview's refused rows as an .xlsx with a reason column."""

    header_aliases = HEADERS
