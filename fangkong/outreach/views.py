"""Outreach pages: today's publicity (the building grid of today's rounds), announcements
(and the current ones of an area, and a poster), broadcast scripts with their audio, rounds,
the notification script library (versions, proposal, recommendation, a notification run)
and health guidance (and its poster)."""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core import speech
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.exports import filter_params, start_export
from fangkong.core.imports import flow
from fangkong.core.models import Job
from fangkong.core.pdf import render_pdf
from fangkong.core.querysets import covers, may
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import (
    LoggedInView,
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
from fangkong.outreach import exports, services
from fangkong.outreach.choices import SCRIPT_FIELDS, ScriptStatus
from fangkong.outreach.filtersets import (
    AnnouncementFilterSet,
    BroadcastRoundFilterSet,
    BroadcastScriptFilterSet,
    GuidanceFilterSet,
    NotificationScriptFilterSet,
)
from fangkong.outreach.forms import (
    AnnouncementForm,
    BroadcastScriptForm,
    GuidanceForm,
    RoundForm,
    RunForm,
    ScriptForm,
)
from fangkong.outreach.imports import ALL_HEADERS, KINDS, MAX_ROWS, ImportKind
from fangkong.outreach.jobs import IMPORT_KIND
from fangkong.outreach.models import (
    Announcement,
    BroadcastAudio,
    BroadcastRound,
    BroadcastScript,
    Guidance,
    NotificationScript,
)
from fangkong.outreach.stats import today_coverage
from fangkong.outreach.tables import (
    AnnouncementTable,
    BroadcastRoundTable,
    BroadcastScriptTable,
    GuidanceTable,
    NotificationScriptTable,
)


def own_area(user: Any, *levels: str) -> Area:
    """The area new rows go to: the user's own (a community, or a street for scripts)."""
    area: Area | None = user.area if getattr(user, "area_id", None) else None
    if area is None or (levels and area.level not in levels):
        raise PermissionDeniedError(
            "add", _("Outreach is written by a community's office (scripts also by a street's).")
        )
    return area


def own_community(user: Any) -> Area:
    return own_area(user, AreaLevel.COMMUNITY)


# --- Today ----------------------------------------------------------------------------------


class HomeView(PageView):
    """Today's publicity in the user's community: the buildings the rounds covered (a grid
    of tiles), the rounds, and the announcements in force."""

    template_name = "outreach/home.html"
    model = BroadcastRound
    title = gettext_lazy("Publicity today")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area = user.area if user.area_id else None
        community = area.community if area is not None else None
        if community is not None and covers(user, community):
            context.update(today_coverage(community, user))
        context.update(
            community=community,
            can_add_round=community is not None and may(user, BroadcastRound, "add", community),
        )
        return context


# --- Announcements --------------------------------------------------------------------------


class AnnouncementListView(ObjectListView):
    model = Announcement
    queryset = Announcement.objects.select_related("area")
    filterset_class = AnnouncementFilterSet
    table_class = AnnouncementTable
    title = gettext_lazy("Announcements")
    template_name = "outreach/object_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            **transfer_links(self.request, Announcement, "announcements", "announcements"),
            "add_url": reverse("outreach:announcement_add"),
        }


class AnnouncementDetailView(ObjectDetailView):
    template_name = "outreach/announcement_detail.html"
    model = Announcement
    queryset = Announcement.objects.select_related("area")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        obj = self.object
        context.update(
            title=obj.title,
            buildings=list(obj.buildings.all()),
            can_change=may(self.request.user, Announcement, "change", obj, seen=True),
            current=obj.is_current(obj.area.local_today()),
        )
        return context


class AnnouncementEditView(ObjectEditView):
    model = Announcement
    form_class = AnnouncementForm
    queryset = Announcement.objects.select_related("area")
    area: Area | None = None

    def check_add_permission(self) -> None:
        super().check_add_permission()
        self.area = own_area(self.request.user, AreaLevel.COMMUNITY, AreaLevel.GRID)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "area": self.area or self.object.area}

    def get_title(self) -> Any:
        return _("Edit %(name)s") % {"name": self.object} if self.object else _("New announcement")

    def get_cancel_url(self) -> str:
        return super().get_cancel_url() if self.object else reverse("outreach:announcement_list")

    def create(self, form: AnnouncementForm) -> Announcement:
        assert self.area is not None
        return services.do_create_announcement(
            area=self.area, by=self.request.user, **form.service_data()
        )

    def update(self, obj: Announcement, form: AnnouncementForm) -> Announcement:
        return services.do_update_announcement(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )


class CurrentAnnouncementsView(PageView):
    """The announcements in force in one area: its own and those of the areas above it
    (a street's reach every community), newest first."""

    template_name = "outreach/current.html"
    model = Announcement

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        area = get_restricted_object(Area.objects.all(), self.request.user, pk=self.kwargs["pk"])
        today = area.local_today()
        places = area.ancestor_ids()
        announcements = (
            Announcement.objects.restrict(self.request.user)
            .filter(area_id__in=places, valid_from__lte=today, valid_until__gte=today)
            .select_related("area")
            .prefetch_related("buildings")
            .order_by("-valid_from", "-id")
        )
        context.update(
            title=_("Current announcements of %(area)s") % {"area": area.name},
            area=area,
            today=today,
            announcements=announcements,
        )
        return context


class AnnouncementPosterView(ObjectDetailView):
    """The notice-board poster of an announcement, as a PDF (Chinese, A4)."""

    model = Announcement
    queryset = Announcement.objects.select_related("area")

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        obj = self.object
        pdf = render_pdf(
            "outreach/poster.pdf.html",
            {
                "heading": obj.title,
                "paragraphs": [p for p in obj.body.splitlines() if p.strip()],
                "signed": obj.area.name,
                "dated": obj.valid_from,
            },
        )
        return _pdf_response(pdf, f"announcement-{obj.pk}.pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- Broadcast scripts and audio ------------------------------------------------------------


class BroadcastListView(ObjectListView):
    model = BroadcastScript
    queryset = BroadcastScript.objects.select_related("community")
    filterset_class = BroadcastScriptFilterSet
    table_class = BroadcastScriptTable
    title = gettext_lazy("Broadcast scripts")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "add_url": reverse("outreach:broadcast_add")}


class BroadcastDetailView(ObjectDetailView):
    template_name = "outreach/broadcast_detail.html"
    model = BroadcastScript
    queryset = BroadcastScript.objects.select_related("community")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        obj = self.object
        context.update(
            title=obj.title,
            speech_available=speech.available(),
            can_change=may(self.request.user, BroadcastScript, "change", obj, seen=True),
            rounds=obj.rounds.order_by("-at", "-id")[:10],
        )
        return context


class BroadcastEditView(ObjectEditView):
    model = BroadcastScript
    form_class = BroadcastScriptForm
    area: Area | None = None

    def check_add_permission(self) -> None:
        super().check_add_permission()
        self.area = own_community(self.request.user)

    def get_title(self) -> Any:
        return (
            _("Edit %(name)s") % {"name": self.object} if self.object else _("New broadcast script")
        )

    def get_cancel_url(self) -> str:
        return super().get_cancel_url() if self.object else reverse("outreach:broadcast_list")

    def create(self, form: BroadcastScriptForm) -> BroadcastScript:
        assert self.area is not None
        return services.do_create_broadcast_script(
            community=self.area, by=self.request.user, **form.service_data()
        )

    def update(self, obj: BroadcastScript, form: BroadcastScriptForm) -> BroadcastScript:
        return services.do_update_broadcast_script(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )


class BroadcastAudioMakeView(ServiceActionView):
    """POST: make the script's audio (a background job); refused, with the reason, where
    espeak-ng is not installed."""

    model = BroadcastScript
    success_message = gettext_lazy("The audio is being made; this page shows it when ready.")

    def act(self, obj: BroadcastScript, data: dict[str, Any]) -> Any:
        return services.do_request_audio(
            obj, by=self.request.user, expected_version=posted_version(self.request)
        )


class BroadcastAudioView(ObjectDetailView):
    """The script's WAV, to play on the page or download for the loudspeaker."""

    model = BroadcastScript

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        audio = BroadcastAudio.objects.filter(script=self.object).first()
        if audio is None:
            raise Http404
        response = HttpResponse(bytes(audio.wav), content_type="audio/wav")
        disposition = "attachment" if self.request.GET.get("download") else "inline"
        response["Content-Disposition"] = (
            f'{disposition}; filename="broadcast-{self.object.pk}.wav"'
        )
        return response


# --- Rounds ---------------------------------------------------------------------------------


class RoundListView(ObjectListView):
    model = BroadcastRound
    queryset = BroadcastRound.objects.select_related("script")
    filterset_class = BroadcastRoundFilterSet
    table_class = BroadcastRoundTable
    title = gettext_lazy("Broadcast rounds")
    template_name = "outreach/object_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            **transfer_links(self.request, BroadcastRound, "rounds", None),
            "add_url": reverse("outreach:round_add"),
        }


class RoundDetailView(ObjectDetailView):
    template_name = "outreach/round_detail.html"
    model = BroadcastRound
    queryset = BroadcastRound.objects.select_related("script", "community")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Broadcast round"),
            buildings=list(self.object.buildings.all()),
            grids=list(self.object.grids.all()),
        )
        return context


class RoundAddView(ServiceFormView):
    """Record a round: the script, when, who, and the buildings or grids it covered."""

    model = BroadcastRound
    action = "add"
    form_class = RoundForm
    title = gettext_lazy("Record a broadcast round")
    submit_label = gettext_lazy("Record the round")
    success_message = gettext_lazy("The round is recorded.")

    def prepare(self) -> None:
        self.community = own_community(self.request.user)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community}

    def get_cancel_url(self) -> str:
        return reverse("outreach:home")

    def perform(self, form: RoundForm) -> str:
        data = form.service_data()
        round_ = services.do_record_round(community=self.community, by=self.request.user, **data)
        return round_.get_absolute_url()


# --- Notification scripts -------------------------------------------------------------------


class ScriptListView(ObjectListView):
    """The script library: the scripts usable in the user's area, each with its origin."""

    model = NotificationScript
    queryset = NotificationScript.objects.select_related("area", "reach", "current")
    filterset_class = NotificationScriptFilterSet
    table_class = NotificationScriptTable
    title = gettext_lazy("Notification scripts")
    template_name = "outreach/object_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            **transfer_links(self.request, NotificationScript, "scripts", "scripts"),
            "add_url": reverse("outreach:script_add"),
        }


class ScriptDetailView(ObjectDetailView):
    template_name = "outreach/script_detail.html"
    model = NotificationScript
    queryset = NotificationScript.objects.select_related("area", "reach", "current")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        obj = self.object
        area = user.area if user.area_id else None
        context.update(
            title=obj.title,
            versions=obj.versions.select_related("created_by").order_by("-number"),
            fields=SCRIPT_FIELDS,
            can_change=obj.status != ScriptStatus.RECOMMENDED
            and may(user, NotificationScript, "change", obj),
            can_propose=obj.status == ScriptStatus.OWN
            and obj.area.level == AreaLevel.COMMUNITY
            and may(user, NotificationScript, "propose", obj),
            can_recommend=obj.status != ScriptStatus.RECOMMENDED
            and may(user, NotificationScript, "recommend", obj),
            can_run=area is not None
            and area.level == AreaLevel.COMMUNITY
            and obj.current_id is not None
            and user.has_action("screening.campaign", "add"),
            from_elsewhere=area is not None and obj.area_id != area.pk,
        )
        return context


class ScriptAddView(ServiceFormView):
    model = NotificationScript
    action = "add"
    form_class = ScriptForm
    title = gettext_lazy("New notification script")

    def prepare(self) -> None:
        self.area = own_area(self.request.user, AreaLevel.COMMUNITY, AreaLevel.STREET)

    def get_cancel_url(self) -> str:
        return reverse("outreach:script_list")

    def perform(self, form: ScriptForm) -> str:
        data = form.service_data()
        script = services.do_create_script(area=self.area, by=self.request.user, **data)
        return script.get_absolute_url()


class ScriptReviseView(ServiceFormView):
    """Edit a script: saving makes a new version; the old ones stay."""

    model = NotificationScript
    action = "change"
    form_class = ScriptForm
    submit_label = gettext_lazy("Save as a new version")
    success_message = gettext_lazy("Saved as a new version.")
    invalid_status = 200

    def prepare(self) -> None:
        self.object = get_restricted_object(
            NotificationScript.objects.select_related("current", "reach"),
            self.request.user,
            "change",
            pk=self.kwargs["pk"],
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_title(self) -> Any:
        return _("Edit %(name)s") % {"name": self.object}

    def get_cancel_url(self) -> str:
        return str(self.object.get_absolute_url())

    def perform(self, form: ScriptForm) -> str:
        script = services.do_revise_script(
            self.object,
            by=self.request.user,
            expected_version=form.expected_version,
            **form.service_data(),
        )
        return script.get_absolute_url()


class ScriptProposeView(ServiceActionView):
    model = NotificationScript
    success_message = gettext_lazy("Proposed to the street.")

    def act(self, obj: NotificationScript, data: dict[str, Any]) -> Any:
        return services.do_propose_script(
            obj, by=self.request.user, expected_version=posted_version(self.request)
        )


class ScriptRecommendView(ServiceActionView):
    model = NotificationScript
    success_message = gettext_lazy("Recommended: every community of the street finds it now.")

    def act(self, obj: NotificationScript, data: dict[str, Any]) -> Any:
        return services.do_recommend_script(
            obj, by=self.request.user, expected_version=posted_version(self.request)
        )


class ScriptRunView(ServiceFormView):
    """Start a notification run with the script's current version: screening's call list
    over the community's households (or some grids or buildings)."""

    model = NotificationScript
    action = "view"
    form_class = RunForm
    submit_label = gettext_lazy("Start the run")
    success_message = gettext_lazy("The run is under way: the callers find it on their call lists.")

    def prepare(self) -> None:
        self.object = get_restricted_object(
            NotificationScript.objects.select_related("current"),
            self.request.user,
            pk=self.kwargs["pk"],
        )
        self.area = own_community(self.request.user)
        if self.object.current is None:
            raise Http404

    def check_permission(self) -> None:
        super().check_permission()
        if not self.request.user.has_action("screening.campaign", "add"):
            raise PermissionDeniedError("add", _("Notification runs are started by the office."))

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            **kwargs["initial"],
            "name": _("Notification: %(title)s") % {"title": self.object.title},
        }
        return {**kwargs, "area": self.area}

    def get_title(self) -> Any:
        return _("Notification run: %(name)s") % {"name": self.object.title}

    def get_cancel_url(self) -> str:
        return str(self.object.get_absolute_url())

    def perform(self, form: RunForm) -> str:
        campaign = services.do_start_notification_run(
            area=self.area,
            version=self.object.current,
            by=self.request.user,
            **form.service_data(),
        )
        return campaign.get_absolute_url()


# --- Guidance -------------------------------------------------------------------------------


class GuidanceListView(ObjectListView):
    model = Guidance
    queryset = Guidance.objects.select_related("area")
    filterset_class = GuidanceFilterSet
    table_class = GuidanceTable
    title = gettext_lazy("Health guidance")
    template_name = "outreach/guidance_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            **transfer_links(self.request, Guidance, "guidance", "guidance"),
            "add_url": reverse("outreach:guidance_add"),
            "standard": services.standard_advice_lines(),
        }


class GuidanceDetailView(ObjectDetailView):
    template_name = "outreach/guidance_detail.html"
    model = Guidance
    queryset = Guidance.objects.select_related("area")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.object.title,
            can_change=may(self.request.user, Guidance, "change", self.object, seen=True),
        )
        return context


class GuidanceEditView(ObjectEditView):
    model = Guidance
    form_class = GuidanceForm
    area: Area | None = None

    def check_add_permission(self) -> None:
        super().check_add_permission()
        self.area = own_community(self.request.user)

    def get_title(self) -> Any:
        return _("Edit %(name)s") % {"name": self.object} if self.object else _("New guidance")

    def get_cancel_url(self) -> str:
        return super().get_cancel_url() if self.object else reverse("outreach:guidance_list")

    def create(self, form: GuidanceForm) -> Guidance:
        assert self.area is not None
        return services.do_create_guidance(
            area=self.area, by=self.request.user, **form.service_data()
        )

    def update(self, obj: Guidance, form: GuidanceForm) -> Guidance:
        return services.do_update_guidance(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )


class GuidancePosterView(ObjectDetailView):
    """A guidance block as a poster (PDF): one line of advice per paragraph."""

    model = Guidance
    queryset = Guidance.objects.select_related("area")

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        obj = self.object
        lines = [p.strip() for p in obj.body.replace("、", "\n").splitlines() if p.strip()]
        pdf = render_pdf(
            "outreach/poster.pdf.html",
            {"heading": obj.title, "paragraphs": lines, "signed": obj.area.name, "big": True},
        )
        return _pdf_response(pdf, f"guidance-{obj.pk}.pdf")


# --- Import and export ----------------------------------------------------------------------


def transfer_links(request: Any, model: type[Any], export: str, kind: str | None) -> dict[str, Any]:
    """The list page's buttons: export what the list shows (filters kept), import a file."""
    user = request.user
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    links: dict[str, Any] = {}
    if user.has_action(model, "export"):
        url = reverse("outreach:export", args=[export])
        links["export_xlsx"] = f"{url}?{encoded}" if encoded else url
        query["format"] = "csv"
        links["export_csv"] = f"{url}?{query.urlencode()}"
    if kind is not None and user.has_action(model, "import"):
        links["import_url"] = reverse("outreach:import_start", args=[kind])
    return {"transfer": links}


class ExportView(LoggedInView):
    """GET: a list as .xlsx (or .csv with ``format=csv``), filtered as its page; an export
    is an access event, and needs the ``export`` right on what it holds."""

    def get(self, request: HttpRequest, what: str) -> HttpResponse:
        sheet = exports.SHEETS.get(what)
        if sheet is None:
            raise Http404
        require_action(self.request.user, sheet.model, "export")
        data = request.GET.copy()
        data.pop("page", None)
        fmt = "csv" if data.pop("format", [""])[-1] == "csv" else "xlsx"
        return start_export(
            self.request,
            sheet.name,
            {
                "format": fmt,
                "filters": filter_params(data),
                "at": timezone.localtime().replace(tzinfo=None).isoformat(),
            },
        )


class _OutreachImport:
    job_kind = IMPORT_KIND
    sync_rows = MAX_ROWS  # an area's notices and scripts: always within the request
    request: Any

    def detail_url(self, job: Job) -> str:
        return reverse("outreach:import_detail", args=[job.pk])


def _kind(key: str) -> ImportKind:
    kind = KINDS.get(key)
    if kind is None:
        raise Http404
    return kind


def _import_job(request: HttpRequest, pk: int) -> Job:
    """An outreach import the user may see and may still import (404, then 403)."""
    user = cast(AuthenticatedRequest, request).user
    job: Job = get_object_or_404(Job.objects.restrict(user, "view").filter(kind=IMPORT_KIND), pk=pk)
    require_action(user, _kind(str(job.params.get("kind"))).model, "import")
    return job


class ImportStartView(_OutreachImport, flow.ImportStartView):
    """Upload a file of announcements, guidance or scripts; it is checked at once."""

    template_name = "outreach/import_start.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.kind = _kind(kwargs["kind"])
        user = cast(AuthenticatedRequest, request).user
        require_action(user, self.kind.model, "import")
        self.area = own_area(user, *self.kind.levels)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Import: %(what)s") % {"what": self.kind.label},
            form=kwargs.get("form") or flow.UploadForm(),
            recent=self.recent_jobs(kind=self.kind.key),
            max_rows=MAX_ROWS,
            area=self.area,
            kind=self.kind.key,
            required=[self.kind.headers[key][0] for key in self.kind.required],
            optional=[
                names[0]
                for key, names in self.kind.headers.items()
                if key not in self.kind.required
            ],
            fields="、".join(f"{{{name}}}" for name in SCRIPT_FIELDS),
        )
        return context

    def job_area(self) -> str:
        return self.area.path

    def job_params(self, form: flow.UploadForm) -> dict[str, Any]:
        return {"kind": self.kind.key, "area": self.area.pk}


class ImportDetailView(_OutreachImport, flow.ImportDetailView):
    template_name = "core/import_detail.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _import_job(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        pk, kind = self.kwargs["pk"], context["job"].params.get("kind")
        context.update(
            start_url=reverse("outreach:import_start", args=[kind]) if kind else "",
            confirm_url=reverse("outreach:import_confirm", args=[pk]),
            rejected_url=reverse("outreach:import_rejected", args=[pk]),
        )
        return context


class ImportConfirmView(_OutreachImport, flow.ImportConfirmView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _import_job(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def job_area(self, preview: Job) -> str:
        return preview.area_path

    def cancelled_url(self, preview: Job) -> str:
        return reverse("outreach:import_start", args=[preview.params.get("kind")])


class ImportRejectedView(_OutreachImport, flow.ImportRejectedView):
    """GET: the preview's refused rows as an .xlsx with a reason column."""

    # Only to find the header row of the upload again: every kind's column names.
    header_aliases = ALL_HEADERS

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _import_job(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)
