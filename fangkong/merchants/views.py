"""Merchants' pages: the registry, a shop's page, inspections, notices, complaints, the
overview, the restricted register search; and the two pages anyone with a link opens: a
shop's sign-in page (from its QR poster) and its owner's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.exports import filter_params, start_export
from fangkong.core.forms import add_service_error
from fangkong.core.pdf import render_pdf
from fangkong.core.querysets import may
from fangkong.core.ratelimit import hit, hit_address
from fangkong.core.views import (
    LoggedInView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    PageView,
    ServiceActionView,
    ServiceFormView,
    get_restricted_object,
)
from fangkong.merchants import services
from fangkong.merchants.choices import CheckResult, EntrySource
from fangkong.merchants.exports import MERCHANTS
from fangkong.merchants.filtersets import (
    ComplaintFilterSet,
    InspectionFilterSet,
    MerchantFilterSet,
)
from fangkong.merchants.forms import (
    CloseForm,
    ComplaintCloseForm,
    ComplaintForm,
    InspectionForm,
    MerchantForm,
    NoticeForm,
    NoticeTemplateForm,
    RegisterSearchForm,
    SignInForm,
    StatusForm,
)
from fangkong.merchants.models import (
    Complaint,
    Inspection,
    InspectionCheck,
    Merchant,
    Notice,
    NoticeTemplate,
    RegisterEntry,
)
from fangkong.merchants.overview import overview_rows
from fangkong.merchants.tables import ComplaintTable, InspectionTable, MerchantTable
from fangkong.staff.choices import OPEN_STATUSES as TASK_OPEN

PDF = "application/pdf"


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _user_community(user: Any) -> Area:
    area: Area | None = user.area
    if area is None:
        raise Http404
    community: Area | None = area if area.level == AreaLevel.COMMUNITY else area.community
    if community is None or area.level not in (AreaLevel.COMMUNITY, AreaLevel.GRID):
        raise Http404
    return community


# --- The registry ---------------------------------------------------------------------------


class MerchantListView(ObjectListView):
    model = Merchant
    filterset_class = MerchantFilterSet
    table_class = MerchantTable
    title = gettext_lazy("Merchants")
    template_name = "merchants/merchant_list.html"


class MerchantDetailView(ObjectDetailView):
    model = Merchant
    template_name = "merchants/merchant_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        merchant: Merchant = self.object
        user = self.request.user
        last = services.last_inspection(merchant)
        open_ids = set(
            services.open_checks(InspectionCheck.objects.filter(merchant=merchant)).values_list(
                "pk", flat=True
            )
        )
        checks = (
            InspectionCheck.objects.filter(merchant=merchant, result=CheckResult.FAIL)
            .select_related("follow_up", "inspection")
            .order_by("-inspection__visited_on", "id")
        )
        context.update(
            history=merchant.status_changes.order_by("-on", "-id")[:20],
            last=last,
            failed_last_time=services.failed_last_time(merchant),
            open_checks=[c for c in checks if c.pk in open_ids],
            inspections=merchant.inspections.order_by("-visited_on", "-id")[:10],
            notices=merchant.notices.order_by("-delivered_on", "-id")[:10],
            complaints=merchant.complaints.filter(closed_at__isnull=True).select_related("task"),
            may_change=may(user, Merchant, "change", merchant, seen=True),
            may_inspect=may(user, Inspection, "add", merchant, seen=True),
            may_complain=may(user, Complaint, "add", merchant, seen=True),
            may_close=may(user, InspectionCheck, "change", merchant, seen=True),
            may_close_complaint=may(user, Complaint, "change", merchant, seen=True),
            may_search=user.has_action(RegisterEntry, "search"),
        )
        return context


class MerchantEditView(ObjectEditView):
    model = Merchant
    form_class = MerchantForm

    def create(self, form: MerchantForm) -> Merchant:
        data = form.service_data()
        area = data.pop("area", None) or _user_community(self.request.user)
        return services.do_create_merchant(area, data, by=self.request.user)

    def update(self, obj: Merchant, form: MerchantForm) -> Merchant:
        return services.do_update_merchant(
            obj, form.service_data(), expected_version=form.expected_version, by=self.request.user
        )


class _MerchantFormView(ServiceFormView):
    """A form about one shop (found restricted: 404 outside the user's scope)."""

    merchant: Merchant

    def prepare(self) -> None:
        self.merchant = get_restricted_object(
            Merchant.objects.select_related("community"), self.request.user, pk=self.kwargs["pk"]
        )

    def get_cancel_url(self) -> str:
        return self.merchant.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["merchant"] = self.merchant
        return context


class MerchantStatusView(_MerchantFormView):
    model = Merchant
    action = "change"
    form_class = StatusForm
    title = gettext_lazy("Change the shop's status")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.merchant}

    def perform(self, form: StatusForm) -> str:
        data = form.service_data()
        services.do_change_status(
            self.merchant,
            status=data["status"],
            on=data.get("on"),
            reason=data.get("reason", ""),
            expected_version=form.expected_version,
            by=self.request.user,
        )
        return self.merchant.get_absolute_url()


# --- Inspections ----------------------------------------------------------------------------


class InspectionAddView(_MerchantFormView):
    model = Inspection
    action = "add"
    form_class = InspectionForm
    template_name = "merchants/inspection_form.html"
    title = gettext_lazy("Record an inspection")
    invalid_status = 200

    def refusal(self) -> str:
        return _("Your role does not record inspections.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failed_last_time"] = services.failed_last_time(self.merchant)
        return context

    def perform(self, form: InspectionForm) -> str:
        inspection = services.do_record_inspection(
            self.merchant, form.service_data(), by=self.request.user
        )
        if inspection.failed_count:
            from django.contrib import messages

            messages.warning(
                self.request,
                _("%(n)s failed items: a follow-up task was raised for each.")
                % {"n": inspection.failed_count},
            )
        return inspection.get_absolute_url()


class InspectionListView(ObjectListView):
    model = Inspection
    queryset = Inspection.objects.select_related("merchant")
    filterset_class = InspectionFilterSet
    table_class = InspectionTable
    title = gettext_lazy("Inspections")


class InspectionDetailView(ObjectDetailView):
    model = Inspection
    queryset = Inspection.objects.select_related("merchant", "recorded_by")
    template_name = "merchants/inspection_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["checks"] = self.object.checks.select_related("follow_up").order_by("id")
        context["open_statuses"] = [str(s) for s in TASK_OPEN]
        context["may_close"] = may(
            self.request.user, InspectionCheck, "change", self.object, seen=True
        )
        return context


class FollowUpCloseView(ServiceFormView):
    model = InspectionCheck
    action = "change"
    form_class = CloseForm
    title = gettext_lazy("Close a follow-up")
    check: InspectionCheck

    def prepare(self) -> None:
        self.check = get_restricted_object(
            InspectionCheck.objects.select_related("inspection", "merchant"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.check}

    def get_cancel_url(self) -> str:
        return self.check.get_absolute_url()

    def get_title(self) -> Any:
        return f"{self.title} · {self.check.merchant} · {self.check.get_item_display()}"

    def perform(self, form: CloseForm) -> str:
        services.do_close_follow_up(
            self.check,
            note=form.cleaned_data["note"],
            expected_version=form.expected_version,
            by=self.request.user,
        )
        return self.check.merchant.get_absolute_url()


# --- Notices --------------------------------------------------------------------------------


class NoticeTemplateView(ServiceFormView):
    model = NoticeTemplate
    action = "change"
    form_class = NoticeTemplateForm
    title = gettext_lazy("The prevention notice")
    template_name = "merchants/notice_template.html"

    def prepare(self) -> None:
        self.community = _user_community(self.request.user)
        self.template = services.notice_template(self.community)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.template}

    def get_cancel_url(self) -> str:
        return reverse("merchants:merchant_list")

    def perform(self, form: NoticeTemplateForm) -> str:
        services.do_save_notice_template(
            self.community,
            form.service_data(),
            expected_version=form.expected_version if self.template.pk else None,
            by=self.request.user,
        )
        return reverse("merchants:notice_template")


class NoticePdfView(LoggedInView):
    """The prevention notice for one shop, printed from the community's template."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        merchant = get_restricted_object(
            Merchant.objects.select_related("community"), self.request.user, pk=pk
        )
        template = services.notice_template(merchant.community)
        day = merchant.community.local_today()
        data = render_pdf(
            "merchants/notice_pdf.html",
            {
                "title": template.title,
                "text": services.notice_text(template, merchant, day),
                "merchant": merchant,
            },
        )
        return _pdf(data, f"notice-{merchant.pk}.pdf")


class NoticeAddView(_MerchantFormView):
    model = Notice
    action = "add"
    form_class = NoticeForm
    title = gettext_lazy("Record a notice delivered")

    def perform(self, form: NoticeForm) -> str:
        data = form.service_data()
        services.do_record_notice(
            self.merchant,
            delivered_on=data.get("delivered_on"),
            signed_by=data["signed_by"],
            with_book=data.get("with_book", False),
            by=self.request.user,
        )
        return self.merchant.get_absolute_url()


# --- The poster and the owner's link --------------------------------------------------------


def qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=4))


def poster_pdf(request: HttpRequest, merchant: Merchant) -> bytes:
    url = request.build_absolute_uri(services.poster_url(merchant))
    return render_pdf(
        "merchants/poster_pdf.html",
        {
            "merchant": merchant,
            "qr": qr_data_uri(url),
            "takes_temperature": merchant.takes_temperature,
        },
    )


class PosterPdfView(LoggedInView):
    """The shop's register poster: its QR code (a link holding an opaque token only)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        merchant = get_restricted_object(
            Merchant.objects.select_related("community"), self.request.user, pk=pk
        )
        if not merchant.is_open:
            raise PermissionDeniedError("view", _("Only an open shop gets a register poster."))
        return _pdf(poster_pdf(request, merchant), f"poster-{merchant.pk}.pdf")


class OwnerLinkIssueView(ServiceActionView):
    """Issue (or replace) the owner's private link; shown once, on the page answered here."""

    model = Merchant

    def perform(self) -> str | HttpResponse:
        token = services.do_issue_owner_link(self.object, by=self.request.user)
        url = self.request.build_absolute_uri(reverse("merchants:owner_page", args=[token]))
        return render(
            self.request,
            "merchants/owner_link.html",
            {"merchant": self.object, "url": url, "qr": qr_data_uri(url)},
        )


class OwnerLinkRevokeView(ServiceActionView):
    model = Merchant
    success_message = gettext_lazy("The owner's link no longer opens anything.")

    def act(self, obj: Merchant, data: dict[str, Any]) -> Any:
        return services.do_revoke_owner_link(obj, by=self.request.user)


class PosterReplaceView(ServiceActionView):
    model = Merchant
    success_message = gettext_lazy("A new poster: the old one's QR code no longer works.")

    def act(self, obj: Merchant, data: dict[str, Any]) -> Any:
        return services.do_replace_poster(obj, by=self.request.user)


# --- Complaints -----------------------------------------------------------------------------


class ComplaintAddView(_MerchantFormView):
    model = Complaint
    action = "add"
    form_class = ComplaintForm
    title = gettext_lazy("Record a complaint")

    def perform(self, form: ComplaintForm) -> str:
        services.do_record_complaint(self.merchant, form.service_data(), by=self.request.user)
        return self.merchant.get_absolute_url()


class ComplaintListView(ObjectListView):
    model = Complaint
    queryset = Complaint.objects.select_related("merchant")
    filterset_class = ComplaintFilterSet
    table_class = ComplaintTable
    title = gettext_lazy("Complaints")


class ComplaintCloseView(ServiceFormView):
    model = Complaint
    action = "change"
    form_class = ComplaintCloseForm
    title = gettext_lazy("Close a complaint")
    complaint: Complaint

    def prepare(self) -> None:
        self.complaint = get_restricted_object(
            Complaint.objects.select_related("merchant"), self.request.user, pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.complaint}

    def get_cancel_url(self) -> str:
        return self.complaint.get_absolute_url()

    def perform(self, form: ComplaintCloseForm) -> str:
        services.do_close_complaint(
            self.complaint,
            outcome=form.cleaned_data["outcome"],
            expected_version=form.expected_version,
            by=self.request.user,
        )
        return self.complaint.get_absolute_url()


# --- The overview ---------------------------------------------------------------------------


class OverviewView(PageView):
    """Per street and community: shops of all, visited, open, notices and books delivered,
    failed checks still open."""

    model = Merchant
    title = gettext_lazy("Shops at a glance")
    template_name = "merchants/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["streets"], context["total"] = overview_rows(self.request.user)
        return context


class OverviewExportView(LoggedInView):
    """The overview as .xlsx (figures only: no person in it)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.request.user.has_action(Merchant, "view"):
            raise PermissionDeniedError("view")
        from fangkong.merchants.overview import overview_xlsx

        response = HttpResponse(
            overview_xlsx(self.request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="merchants-overview.xlsx"'
        return response


class MerchantExportView(LoggedInView):
    """The shops as .xlsx (phones masked; formulas neutralised): ``merchants.exports``."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = self.request.user
        if not user.has_action(Merchant, "export"):
            raise PermissionDeniedError("export", _("Your role does not export shops."))
        data = request.GET.copy()
        data.pop("page", None)
        stamp = timezone.localtime(timezone.now())
        return start_export(
            self.request,
            MERCHANTS.name,
            {
                "format": "xlsx",
                "filters": filter_params(data),
                "at": stamp.replace(tzinfo=None).isoformat(),
            },
        )


# --- The register search (health role) ------------------------------------------------------


class RegisterSearchView(ServiceFormView):
    model = RegisterEntry
    action = "search"
    form_class = RegisterSearchForm
    title = gettext_lazy("Search a shop's register")
    template_name = "merchants/register_search.html"
    submit_label = gettext_lazy("Search")
    success_message = ""

    def refusal(self) -> str:
        return _("Only the health officer searches a shop's register.")

    def get_cancel_url(self) -> str:
        return reverse("merchants:merchant_list")

    def perform(self, form: RegisterSearchForm) -> HttpResponse:
        data = form.cleaned_data
        entries = services.search_register(
            data["merchant"],
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
            by=self.request.user,
        )
        context = self.get_context_data(form=form)
        context.update(entries=entries, searched=data["merchant"])
        return self.render_to_response(context)


# --- Public pages: a shop's sign-in page and its owner's page -------------------------------


# No login: anyone at the shop's door. No CSRF token either: nobody is logged in here, so
# there is no session a forged request could ride on, and an old phone that refuses cookies
# must still sign in; the token in the URL and the rate limits are what hold.
@method_decorator([login_not_required, csrf_exempt], name="dispatch")
class SignInView(View):
    """A shop's sign-in page, opened from its QR poster: name and phone (and a temperature
    where the shop takes them). Works without JavaScript; nothing but the shop's name shows."""

    template_name = "merchants/sign_in.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = kwargs["token"]
        hit_address(
            request, "merchants.signin.page", limit=settings.MERCHANT_SIGNINS_PER_ADDRESS, per=60
        )
        merchant = services.merchant_of_register_token(token)
        if merchant is None:
            raise Http404
        self.merchant = merchant
        return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._page(request, SignInForm(merchant=self.merchant))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        hit("merchants.signin", self.merchant.pk, limit=settings.MERCHANT_SIGNINS_PER_SHOP, per=60)
        form = SignInForm(request.POST, merchant=self.merchant)
        if form.is_valid():
            try:
                services.do_sign_in(self.merchant, form.cleaned_data, source=EntrySource.QR)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                return self._page(request, None, done=True)
        return self._page(request, form, status=400)

    def _page(
        self,
        request: HttpRequest,
        form: SignInForm | None,
        *,
        done: bool = False,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "merchant": self.merchant,
            "form": form,
            "done": done,
            "title": self.merchant.name,
            "days": services.register_days(),
        }
        response = render(request, self.template_name, context, status=status)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response


@method_decorator(login_not_required, name="dispatch")
class OwnerPageView(View):
    """The shop owner's page (private link, no login): the poster to print, the shop's own
    register within the retention period, visits entered by hand, the notices received and
    the last inspection's failed items. Nothing of another shop is reachable from here."""

    template_name = "merchants/owner_page.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        hit_address(request, "merchants.owner.address", limit=120, per=60)
        merchant = services.merchant_of_owner_token(kwargs["token"])
        if merchant is None:
            raise Http404
        hit("merchants.owner", merchant.pk, limit=120, per=60)
        self.merchant = merchant
        return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._page(request, token, SignInForm(merchant=self.merchant))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        form = SignInForm(request.POST, merchant=self.merchant)
        if form.is_valid():
            try:
                services.do_sign_in(self.merchant, form.cleaned_data, source=EntrySource.OWNER)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                from django.http import HttpResponseRedirect

                return HttpResponseRedirect(reverse("merchants:owner_page", args=[token]))
        return self._page(request, token, form, status=400)

    def _page(
        self, request: HttpRequest, token: str, form: SignInForm, status: int = 200
    ) -> HttpResponse:
        merchant = self.merchant
        since = services.register_since()
        entries = RegisterEntry.objects.filter(merchant=merchant, at__gte=since).order_by(
            "-at", "-id"
        )
        last = services.last_inspection(merchant)
        failed = (
            [c for c in last.checks.all() if c.result == CheckResult.FAIL]
            if last is not None
            else []
        )
        today = timezone.localtime(timezone.now(), merchant.community.zone).date()
        context = {
            "merchant": merchant,
            "token": token,
            "form": form,
            "entries": entries[:200],
            "entry_count": entries.count(),
            "today_count": entries.filter(at__gte=timezone.now() - dt.timedelta(hours=24)).count(),
            "notices": Notice.objects.filter(merchant=merchant).order_by("-delivered_on")[:20],
            "last": last,
            "failed": failed,
            "open_statuses": [str(s) for s in TASK_OPEN],
            "days": services.register_days(),
            "title": merchant.name,
            "today": today,
        }
        response = render(request, self.template_name, context, status=status)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response


@method_decorator(login_not_required, name="dispatch")
class OwnerPosterView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        hit_address(request, "merchants.owner.address", limit=120, per=60)
        merchant = services.merchant_of_owner_token(token)
        if merchant is None:
            raise Http404
        hit("merchants.owner", merchant.pk, limit=120, per=60)
        if not merchant.is_open:
            raise PermissionDeniedError("view", _("Only an open shop gets a register poster."))
        return _pdf(poster_pdf(request, merchant), "poster.pdf")
