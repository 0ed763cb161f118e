"""The household's own pages (no login: the link is the key) and the staff's pages.

A household opens its slip's link ``/s/<token>/``: the token is checked, the session keeps
the link's id and the browser goes on to ``/s/home/`` (the token leaves the address bar, the
history and any Referer at once). Every later request checks again that the link is still in
force, so revoking it ends every session opened with it. A phone number and a one-time code
open the same session. Every route is rate-limited per address and per link.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fangkong.core import ratelimit
from fangkong.core.pdf import render_pdf
from fangkong.core.views import (
    ObjectDetailView,
    ObjectListView,
    PageView,
    ServiceActionView,
    get_restricted_object,
    posted_version,
)
from fangkong.registry.models import Household
from fangkong.selfservice import services
from fangkong.selfservice.choices import ActivityKind, CorrectionStatus
from fangkong.selfservice.filtersets import ActivityFilterSet, CorrectionFilterSet
from fangkong.selfservice.forms import (
    AskForm,
    CodeForm,
    CorrectionForm,
    PhoneForm,
    ReasonForm,
    ReportForm,
    RevokeForm,
)
from fangkong.selfservice.models import Activity, Correction, HouseholdLink
from fangkong.selfservice.page import masked_name, page_context
from fangkong.selfservice.tables import ActivityTable, CorrectionTable

SESSION_KEY = "selfservice_link"
PHONE_KEY = "selfservice_phone"
ISSUED_KEY = "selfservice_issued"
LARGE_COOKIE = "fk_large"

#: (uses, seconds) per scope: per address and per link. ``SELFSERVICE_RATE_SCALE`` multiplies
#: the uses (a benchmark on one address raises it; production keeps 1).
LIMITS: dict[str, tuple[int, int]] = {
    "open": (30, 600),  # links tried from one address: the guessing brake
    "page": (300, 3600),
    "report": (40, 3600),
    "correction": (10, 3600),
    "ask": (20, 3600),
    "phone": (10, 3600),
    "code": (20, 3600),
}
PER_LINK: dict[str, tuple[int, int]] = {
    "page": (200, 3600),
    "report": (20, 3600),
    "correction": (5, 3600),
    "ask": (10, 3600),
    "phone": (5, 3600),
    "code": (10, 3600),
}


def _limit(scope: str, key: str | int, table: dict[str, tuple[int, int]]) -> None:
    uses, per = table[scope]
    scale = int(getattr(settings, "SELFSERVICE_RATE_SCALE", 1))
    ratelimit.hit(f"selfservice.{scope}", key, limit=uses * scale, per=per)


def limit_address(request: HttpRequest, scope: str) -> None:
    _limit(scope, ratelimit.address_of(request), LIMITS)


def limit_link(link_id: int | str, scope: str) -> None:
    _limit(scope, link_id, PER_LINK)


def refused(request: HttpRequest, status: int = 404) -> HttpResponse:
    """The one answer for a guessed, revoked, expired or missing link: it says which of
    them to nobody."""
    return render(
        request,
        "selfservice/refused.html",
        {"large": request.COOKIES.get(LARGE_COOKIE) == "1"},
        status=status,
    )


def _no_referrer(response: HttpResponse, policy: str = "same-origin") -> HttpResponse:
    """No other site learns the page's address; the slip's link (``policy="no-referrer"``)
    is never sent anywhere. Pages keep ``same-origin``: a browser sends ``Origin: null``
    with a form posted from a ``no-referrer`` page, which the CSRF check refuses."""
    response["Referrer-Policy"] = policy
    response["Cache-Control"] = "no-store"
    return response


@method_decorator(login_not_required, name="dispatch")
class OpenLinkView(View):
    """``/s/<token>/``: the slip's link."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        limit_address(request, "open")
        link = services.link_for_token(token)
        if link is None:
            return _no_referrer(refused(request), "no-referrer")
        request.session.cycle_key()
        request.session[SESSION_KEY] = link.pk
        services.record_activity(link, ActivityKind.OPENED)
        return _no_referrer(HttpResponseRedirect(reverse("selfservice:home")), "no-referrer")


class HouseholdView(View):
    """A page of the household's session; ``self.link`` is the link in force."""

    scope = "page"
    link: HouseholdLink

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit_address(request, self.scope)
        link_id = request.session.get(SESSION_KEY)
        if not isinstance(link_id, int):
            # No household here yet: sign in with the household's phone (or open the slip).
            return HttpResponseRedirect(reverse("selfservice:phone"))
        link = services.link_in_force(link_id)
        if link is None:  # revoked or expired since it was opened
            request.session.pop(SESSION_KEY, None)
            return _no_referrer(refused(request, 403))
        limit_link(link.pk, self.scope)
        self.link = link
        return _no_referrer(cast(HttpResponse, super().dispatch(request, *args, **kwargs)))

    def render_page(
        self,
        request: HttpRequest,
        status: int = 200,
        error_form: ReportForm | None = None,
        ask_form: AskForm | None = None,
    ) -> HttpResponse:
        """The household page; ``error_form`` is a member's report shown again with its
        errors (on that member's form, or on top when it names no member shown),
        ``ask_form`` a question shown again with its errors."""
        context = page_context(self.link, request)
        context["large"] = request.COOKIES.get(LARGE_COOKIE) == "1"
        context["ask_form"] = ask_form if ask_form is not None else AskForm()
        shown = False
        for member in context["members"]:
            if not member.monitored:
                continue
            prefix = f"p{member.person.pk}"
            # A member who has reported shows no form: the refusal goes on top.
            if (
                error_form is not None
                and error_form.prefix == prefix
                and not member.reported_this_part
            ):
                member.extra["report_form"] = error_form
                shown = True
            else:
                member.extra["report_form"] = ReportForm(
                    initial={"person": member.person.pk}, prefix=prefix
                )
        if error_form is not None and not shown:
            context["page_errors"] = [
                e for errors in error_form.errors.values() for e in errors
            ] or [_("Choose a member of your household.")]
        return render(request, "selfservice/home.html", context, status=status)


@method_decorator(login_not_required, name="dispatch")
class HomeView(HouseholdView):
    def get(self, request: HttpRequest) -> HttpResponse:
        # Views are not logged one by one (a write per look would make the page the
        # database's busiest writer); opening the link, reports and corrections are.
        return self.render_page(request)


@method_decorator(login_not_required, name="dispatch")
class ReportView(HouseholdView):
    """One member's temperature, posted from the member's form on the page."""

    scope = "report"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        person = str(request.POST.get("member", ""))
        prefix = f"p{person}" if person.isdigit() and len(person) < 19 else "p0"
        form = ReportForm(request.POST, prefix=prefix)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_self_report(
                    self.link,
                    person_id=data["person"],
                    temperature=data["temperature"],
                    symptoms=data["symptoms"],
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Report received. Thank you."))
                return HttpResponseRedirect(reverse("selfservice:home"))
        return self.render_page(request, status=400, error_form=form)


@method_decorator(login_not_required, name="dispatch")
class AskView(HouseholdView):
    """The page's "ask a question" form posts here; the answer shows on the page."""

    scope = "ask"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AskForm(request.POST)
        if form.is_valid():
            try:
                services.do_ask_question(
                    self.link,
                    question=form.cleaned_data["question"],
                    category=form.cleaned_data["category"],
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, _("Question sent. The community office's answer shows here.")
                )
                return HttpResponseRedirect(reverse("selfservice:home") + "#ask-h")
        return self.render_page(request, status=400, ask_form=form)


def _member_choices(link: HouseholdLink) -> list[tuple[int, str]]:
    return [(p.pk, masked_name(p.name)) for p in services.members(link.household)]


def _target(link: HouseholdLink, data: dict[str, Any]) -> Household | None:
    """The room a member moved to, looked up in the household's own community only."""
    if not (data.get("building") and data.get("unit") and data.get("room")):
        return None
    return Household.objects.filter(
        community_id=link.community_id,
        building__number=data["building"].strip(),
        unit=data["unit"],
        room=data["room"].strip(),
        is_active=True,
    ).first()


@method_decorator(login_not_required, name="dispatch")
class CorrectionView(HouseholdView):
    """Propose a correction: a form page of its own (the household page stays light)."""

    scope = "correction"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CorrectionForm(members=_member_choices(self.link))
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CorrectionForm(request.POST, members=_member_choices(self.link))
        if form.is_valid():
            data = form.cleaned_data
            target = _target(self.link, data)
            try:
                if data["kind"] == "moved" and target is None:
                    raise ValidationError({"room": _("There is no such room in this community.")})
                services.do_propose_correction(
                    self.link,
                    kind=data["kind"],
                    person_id=data.get("person_id"),
                    phone=data.get("phone") or "",
                    name=data.get("name") or "",
                    sex=data.get("sex") or "",
                    birth_date=data.get("birth_date"),
                    date=data.get("date"),
                    target_household=target,
                    note=data.get("note") or "",
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, _("Sent. Your grid worker will check it; the answer shows here.")
                )
                return HttpResponseRedirect(reverse("selfservice:home"))
        return self._render(request, form, status=400)

    def _render(
        self, request: HttpRequest, form: CorrectionForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "selfservice/correction_form.html",
            {
                "form": form,
                "household": self.link.household,
                "large": request.COOKIES.get(LARGE_COOKIE) == "1",
            },
            status=status,
        )


@method_decorator(login_not_required, name="dispatch")
class TextSizeView(View):
    """The large-text switch: a cookie, set by a form that posts without JavaScript."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        limit_address(request, "page")
        large = request.POST.get("large") == "1"
        back = (
            reverse("selfservice:home")
            if request.session.get(SESSION_KEY)
            else reverse("selfservice:phone")
        )
        response = HttpResponseRedirect(back)
        response.set_cookie(
            LARGE_COOKIE, "1" if large else "0", max_age=365 * 86400, samesite="Lax"
        )
        return response


@method_decorator(login_not_required, name="dispatch")
class PhoneView(View):
    """Sign in with the household's phone: a one-time code is sent by SMS."""

    def get(self, request: HttpRequest) -> HttpResponse:
        limit_address(request, "page")
        return self._render(request, PhoneForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        limit_address(request, "phone")
        form = PhoneForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        number = services.normalised_phone(form.cleaned_data["phone"])
        if number is None:
            form.add_error("phone", _("Enter a mobile or fixed-line number."))
            return self._render(request, form, status=400)
        limit_link(f"phone:{_phone_key(number)}", "phone")
        services.do_send_code(number)
        request.session[PHONE_KEY] = number
        messages.info(
            request, _("If this number belongs to a household here, a code has been sent to it.")
        )
        return HttpResponseRedirect(reverse("selfservice:code"))

    def _render(self, request: HttpRequest, form: PhoneForm, status: int = 200) -> HttpResponse:
        return render(
            request,
            "selfservice/phone.html",
            {"form": form, "large": request.COOKIES.get(LARGE_COOKIE) == "1"},
            status=status,
        )


def _phone_key(number: str) -> str:
    from fangkong.core.personal_data import phone_index

    return phone_index(number)


@method_decorator(login_not_required, name="dispatch")
class CodeView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        limit_address(request, "page")
        if not request.session.get(PHONE_KEY):
            return HttpResponseRedirect(reverse("selfservice:phone"))
        return self._render(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        limit_address(request, "code")
        number = request.session.get(PHONE_KEY)
        if not isinstance(number, str) or not number:
            return HttpResponseRedirect(reverse("selfservice:phone"))
        limit_link(f"phone:{_phone_key(number)}", "code")
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        result = services.do_check_code(number, form.cleaned_data["code"])
        if result.link is None:
            form.add_error(
                "code",
                _("Too many wrong codes: try again in 30 minutes.")
                if result.locked
                else _("This code is wrong or has expired."),
            )
            return self._render(request, form, status=400)
        request.session.cycle_key()
        request.session.pop(PHONE_KEY, None)
        request.session[SESSION_KEY] = result.link.pk
        return HttpResponseRedirect(reverse("selfservice:home"))

    def _render(self, request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
        return render(
            request,
            "selfservice/code.html",
            {"form": form, "large": request.COOKIES.get(LARGE_COOKIE) == "1"},
            status=status,
        )


# --- Staff pages ------------------------------------------------------------------------------


def _household(request: Any, pk: int) -> Household:
    household: Household = get_restricted_object(
        Household.objects.select_related("building", "community"), request.user, "view", pk=pk
    )
    return household


class HouseholdLinkPageView(PageView):
    """A household's link (issue, replace, revoke, print the slip) and its activity."""

    model = HouseholdLink
    template_name = "selfservice/household_link.html"
    title = gettext_lazy("Household self-service link")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        household = _household(self.request, self.kwargs["pk"])
        user = self.request.user
        context.update(
            household=household,
            link=services.current_link(household),
            links=HouseholdLink.objects.filter(household=household).order_by("-created", "-pk")[
                :10
            ],
            activity=Activity.objects.filter(household=household).order_by("-time", "-pk")[:20],
            corrections=Correction.objects.filter(household=household).order_by("-created")[:10],
            can_issue=user.has_action(HouseholdLink, "add"),
            can_revoke=user.has_action(HouseholdLink, "change"),
            revoke_form=RevokeForm(),
        )
        return context


class IssueLinkView(ServiceActionView):
    """Issue (or replace) the household's link; the token is kept in this session only, for
    the page that shows it once and the slip."""

    model = Household

    def get_object(self) -> Any:
        return _household(self.request, self.kwargs["pk"])

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        link, token = services.do_issue_link(obj, by=self.request.user)
        # Only the newest: one slip to print at a time, from the session that issued it.
        self.request.session[ISSUED_KEY] = {str(link.pk): token}
        return link

    def redirect_to(self, obj: Any, result: Any) -> str:
        if result is None:
            return reverse("selfservice:household", args=[obj.pk])
        return reverse("selfservice:issued", args=[result.pk])


class RevokeLinkView(ServiceActionView):
    model = HouseholdLink
    form_class = RevokeForm
    success_message = gettext_lazy("The link no longer opens the household's page.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.do_revoke_link(
            obj,
            by=self.request.user,
            reason=data.get("reason") or "",
            expected_version=data.get("version"),
        )


def _issued_token(request: Any, link: HouseholdLink) -> str:
    token = (request.session.get(ISSUED_KEY) or {}).get(str(link.pk))
    if not token or not link.in_force:
        raise Http404
    return str(token)


def _qr_svg(url: str) -> str:
    import segno

    data: str = segno.make(url, error="m").svg_data_uri(scale=6, border=2)
    return data


def _link_url(request: Any, token: str) -> str:
    return str(request.build_absolute_uri(reverse("selfservice:open", args=[token])))


class IssuedLinkView(PageView):
    """The new link, shown once (it is not stored), with its QR code and the slip."""

    model = HouseholdLink
    action = "add"
    template_name = "selfservice/issued.html"
    title = gettext_lazy("New household link")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        link = get_restricted_object(
            HouseholdLink.objects.select_related("household"),
            self.request.user,
            pk=self.kwargs["pk"],
        )
        token = _issued_token(self.request, link)
        url = _link_url(self.request, token)
        context.update(link=link, url=url, qr=_qr_svg(url))
        return context


class SlipView(PageView):
    """The slip to print and hand to the household: its link as a QR code, in Chinese."""

    model = HouseholdLink
    action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        link = get_restricted_object(
            HouseholdLink.objects.select_related("household__building", "community"),
            self.request.user,
            pk=self.kwargs["pk"],
        )
        token = _issued_token(self.request, link)
        url = _link_url(self.request, token)
        pdf = render_pdf(
            "selfservice/slip.html",
            {
                "link": link,
                "household": link.household,
                "community": link.community,
                "url": url,
                "qr": _qr_svg(url),
                "phone_url": str(request.build_absolute_uri(reverse("selfservice:phone"))),
            },
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="slip-{link.pk}.pdf"'
        response["Cache-Control"] = "no-store"
        return response


class CorrectionListView(ObjectListView):
    model = Correction
    queryset = Correction.objects.select_related("household__building", "person")
    filterset_class = CorrectionFilterSet
    table_class = CorrectionTable
    title = gettext_lazy("Corrections proposed by households")

    def get_filter_data(self) -> Any:
        data = self.request.GET.copy()
        data.setdefault("status", CorrectionStatus.PENDING)
        return data


class CorrectionDetailView(ObjectDetailView):
    model = Correction
    queryset = Correction.objects.select_related(
        "household__building", "person", "target_household__building", "decided_by"
    )
    template_name = "selfservice/correction_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=str(self.object),
            can_decide=self.request.user.has_action(Correction, "change"),
            reject_form=ReasonForm(),
            person_name=masked_name(self.object.person.name) if self.object.person else "",
        )
        return context


class ApproveCorrectionView(ServiceActionView):
    model = Correction
    success_message = gettext_lazy("Approved: the registry has been changed.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.do_approve_correction(
            obj, by=self.request.user, expected_version=posted_version(self.request)
        )


class RejectCorrectionView(ServiceActionView):
    model = Correction
    form_class = ReasonForm
    success_message = gettext_lazy("Rejected: the household reads your reason on its page.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.do_reject_correction(
            obj,
            by=self.request.user,
            reason=data["reason"],
            expected_version=data.get("version"),
        )


class ActivityListView(ObjectListView):
    """The officer's page: recent self-service activity, per household."""

    model = Activity
    queryset = Activity.objects.select_related("household__building")
    filterset_class = ActivityFilterSet
    table_class = ActivityTable
    title = gettext_lazy("Self-service activity")
