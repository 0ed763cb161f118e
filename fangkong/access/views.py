"""Access pages: the gate scanner (online and offline), passes, policy, exemptions,
suspensions, the gate log and its reports, visitors.

Views parse, call a service, render. Every row comes through ``restrict()`` (outside the
user's scope: 404; inside without the right: 403).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from fangkong.access import exports, services, stats
from fangkong.access.cards import MAX_CARDS, CJKFontMissing, render_cards_pdf
from fangkong.access.choices import Direction, PassScope, PassStatus, ReasonCode
from fangkong.access.filtersets import (
    ExemptionFilterSet,
    GateEventFilterSet,
    PassFilterSet,
    VisitorFilterSet,
)
from fangkong.access.forms import (
    ConfirmForm,
    ExemptionForm,
    IssueForm,
    PolicyForm,
    ReasonForm,
    ReportForm,
    SuspendForm,
    VisitorForm,
)
from fangkong.access.models import (
    Exemption,
    GateEvent,
    Pass,
    PassPolicy,
    Suspension,
    Visitor,
    fever_threshold_of,
)
from fangkong.access.pass_policy import local_day
from fangkong.access.tables import ExemptionTable, GateEventTable, PassTable, VisitorTable
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import ConflictError, PermissionDeniedError
from fangkong.core.exports import start_export
from fangkong.core.querysets import covers, works_in
from fangkong.core.views import (
    ObjectDetailView,
    ObjectListView,
    get_restricted_object,
    require_action,
)
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Household

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static" / "access"

# --- Shared helpers -------------------------------------------------------------------------


def community_for(request: HttpRequest) -> Area:
    """The community a page is about: ``?community=`` for users above one, else their own."""
    user = request.user
    pk = request.GET.get("community") or request.POST.get("community")
    if pk:
        if not str(pk).isdigit():
            raise Http404
        community = get_object_or_404(Area, pk=pk, level=AreaLevel.COMMUNITY)
        if not works_in(user, community.pk):
            raise Http404
        return community
    community = user.community if getattr(user, "area_id", None) else None
    if community is None:
        first = Area.objects.restrict(user).filter(level=AreaLevel.COMMUNITY).first()
        if first is None:
            raise Http404
        return first
    return community


def _service_call(request: HttpRequest, call: Any) -> Any:
    """Run a service for a POST; errors become messages (or 403/404)."""
    try:
        return call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except ConflictError as exc:
        messages.error(request, exc.message)
    except PermissionDeniedError:
        raise PermissionDenied from None
    return None


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def _api_url(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # the API router is wired by fangkong/api_urls.py
        return fallback


def _roster_url(checkpoint: Any) -> str:
    """The checkpoint's duty roster in the staff module."""
    try:
        return checkpoint.get_absolute_url()
    except NoReverseMatch:  # the staff module's pages are not mounted
        return ""


class TelRedirect(HttpResponseRedirect):
    """A redirect to the phone's dialler."""

    allowed_schemes = ["tel"]


# --- Overview -------------------------------------------------------------------------------


class IndexView(TemplateView):
    """The access overview: figures, who is out, links to every page of the module."""

    template_name = "access/index.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.has_action(Pass, "view") or user.has_action(GateEvent, "add")):
            raise PermissionDenied
        if user.has_action(GateEvent, "add") and not user.has_action(Pass, "change"):
            return HttpResponseRedirect(reverse("access:gate"))  # checkpoint staff: scan
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        figures = stats.access_figures(user)
        context.update(
            title=_("Passes and gates"),
            figures=figures,
            out=figures.get("out") or stats.out_now(Pass.objects.none()),
            can_scan=user.has_action(GateEvent, "add"),
            can_issue=user.has_action(Pass, "add"),
            can_policy=user.has_action(PassPolicy, "view"),
        )
        return context


# --- The gate scanner -----------------------------------------------------------------------


def _gate_strings() -> dict[str, str]:
    """The scanner's words, translated here: JavaScript carries no text of its own."""
    return {
        "allow": _("Allowed"), "deny": _("Refused"), "offline": _("Offline"),
        "online": _("Online"), "queued": _("Waiting to upload: %(n)s"),
        "uploaded": _("Uploaded"), "cameraUnavailable": _(
            "This browser cannot read QR codes with the camera; type the serial."),
        "cameraDenied": _("The camera is not available; type the serial."),
        "unknownOffline": _("Not in this phone's list: check when back online."),
        "loginAgain": _("Log in again to upload the waiting scans."),
        "room": _("Room"), "size": _("Household size"), "left": _("Outings left"),
        "unlimited": _("Exempt"), "nextAt": _("Next outing from %(time)s"),
        "recordOut": _("Record exit"), "recordIn": _("Record entry"),
        "needTemperature": _("Enter the temperature first."),
        "badTemperature": _("A body temperature must be between 34.0 and 43.0 °C."),
        "recorded": _("Recorded"), "recordedOffline": _("Recorded on this phone; it uploads "
                                                         "when the network is back."),
        "dataAge": _("Pass list from %(time)s"), "noData": _(
            "No pass list on this phone yet: connect once to download it."),
        "choose": _("Choose your gate"),
        **{f"reason_{code}": str(label) for code, label in ReasonCode.choices},
        "reason_ok": _("Valid"),
        "reason_quota_used": _("Already out this period"),
        "reason_suspended": _("Suspended: please contact the community"),
        "reason_void": _("Invalid pass"),
        "reason_replaced": _("Invalid pass: it has been replaced"),
        "reason_overdue": _("Overdue return: please contact the community"),
        "reason_fever": _("Temperature above the threshold: please measure again"),
        "reason_gate_closed": _("This gate is closed now"),
        "reason_unknown_pass": _("Unknown pass"),
    }


class GateView(TemplateView):
    """The scanner for checkpoint staff on a phone: camera or typed serial, a large green or
    red answer with a neutral reason, then exit or entry with the temperature in one tap."""

    template_name = "access/gate.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_action(request.user, GateEvent, "add")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        checkpoints = list(services.checkpoints_for(user).order_by("community", "name", "pk"))
        config = {
            "scanUrl": _api_url("api:gatescan-list", "/api/v1/gate/scans/"),
            "dataUrl": reverse("access:gate_data"),
            "checkUrl": reverse("access:gate_check"),
            "swUrl": reverse("access:gate_sw"),
            "scope": reverse("access:gate"),
            "checkpoints": [{"id": c.pk, "name": c.name, "community": c.community_id}
                            for c in checkpoints],
            "strings": _gate_strings(),
        }
        context.update(
            title=_("Gate scanner"), config=config, checkpoints=checkpoints,
            out=stats.out_now(Pass.objects.restrict(user)),
            visitors=stats.visitors_inside_now(Visitor.objects.restrict(user)),
            roster_urls=[(c, _roster_url(c)) for c in checkpoints],
            can_register_visitors=user.has_action(Visitor, "add"),
        )
        return context


def _static_text(name: str) -> str:
    path = finders.find(f"access/{name}")
    return Path(path).read_text() if path else (STATIC_DIR / name).read_text()


@method_decorator(login_not_required, name="dispatch")
class GateServiceWorkerView(View):
    """The service worker, served from the scanner's own path so that its scope is the
    scanner (``/access/gate/``). It holds no data, so it needs no login (an expired session
    must not break its updates)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(_static_text("sw.js"), content_type="application/javascript")
        response["Cache-Control"] = "no-cache"
        return response


@method_decorator(login_not_required, name="dispatch")
class GateManifestView(View):
    """The web app manifest that makes the scanner installable on a phone's home screen."""

    def get(self, request: HttpRequest) -> JsonResponse:
        from django.templatetags.static import static

        manifest = {
            "name": _("fangkong gate scanner"), "short_name": _("Gate"),
            "start_url": reverse("access:gate"), "scope": reverse("access:gate"),
            "display": "standalone", "background_color": "#f5f6f8", "theme_color": "#b3261e",
            "icons": [{"src": static("core/icon.svg"), "sizes": "any",
                       "type": "image/svg+xml"}],
        }
        return JsonResponse(manifest, content_type="application/manifest+json")


def _gate_checkpoint(request: HttpRequest, value: str | None) -> Any:
    if not value or not str(value).isdigit():
        raise Http404
    return get_object_or_404(services.checkpoints_for(request.user), pk=value)


class GateDataView(View):
    """What the scanner caches to decide offline: the community's policy, gates and passes
    (serial, a hash of the token, state, room, household size, exemption, recent exits)."""

    def get(self, request: HttpRequest) -> JsonResponse:
        require_action(request.user, GateEvent, "add")
        checkpoint = _gate_checkpoint(request, request.GET.get("checkpoint"))
        community = checkpoint.community
        policy = services.policy_for(community)
        rules = services.rules_for(policy, community)
        now = timezone.now()
        today = local_day(now, rules.time_zone)
        passes = list(
            Pass.objects.filter(community=community)
            .exclude(status__in=[PassStatus.VOID, PassStatus.REPLACED])
            .select_related("household__building")
            .annotate(size=Count("household__members",
                                 filter=Q(household__members__status=PersonStatus.ACTIVE)))
        )
        exempt = dict(
            Exemption.objects.filter(community=community, revoked_at__isnull=True,
                                     starts_on__lte=today, ends_on__gte=today)
            .values_list("household_id", "ends_on")
        )
        since = now - dt.timedelta(days=rules.window_days + 1)
        exits: dict[str, list[str]] = {}
        for household_id, person_id, time in GateEvent.objects.filter(
            community=community, direction=Direction.OUT, passed=True, time__gte=since
        ).values_list("household_id", "pass_obj__person_id", "time"):
            key = f"p{person_id}" if policy.pass_scope == PassScope.PERSON and person_id else (
                f"h{household_id}")
            exits.setdefault(key, []).append(time.isoformat())
        gates = services.checkpoints_for(request.user).filter(community=community)
        data = {
            "generated_at": now.isoformat(),
            "community": {"id": community.pk, "name": community.name,
                          "time_zone": rules.time_zone,
                          "fever_threshold": str(rules.fever_threshold)},
            "policy": {"outings": rules.outings, "window_days": rules.window_days,
                       "max_minutes": rules.max_minutes, "pass_scope": policy.pass_scope},
            "checkpoints": [{"id": c.pk, "name": c.name, "is_open": c.is_open,
                             "opens": c.opens.strftime("%H:%M") if c.opens else None,
                             "closes": c.closes.strftime("%H:%M") if c.closes else None}
                            for c in gates],
            "passes": [
                {"id": p.pk, "serial": p.serial, "digest": p.digest, "status": p.status,
                 "suspended_until": p.suspended_until.isoformat() if p.suspended_until
                 else None, "household": p.household_id, "person": p.person_id,
                 "room": p.household.label, "size": p.size,
                 "exempt": p.household_id in exempt,
                 "out_since": p.out_since.isoformat() if p.out_since else None}
                for p in passes
            ],
            "exits": exits,
        }
        response = JsonResponse(data)
        add_never_cache_headers(response)
        return response


class GateCheckView(View):
    """The scanner's preview of a scan: the decision and the room, nothing recorded."""

    def get(self, request: HttpRequest) -> JsonResponse:
        require_action(request.user, GateEvent, "add")
        checkpoint = _gate_checkpoint(request, request.GET.get("checkpoint"))
        code = request.GET.get("code", "")[:200]
        now = timezone.now()
        direction = request.GET.get("direction")
        item = services.find_pass(checkpoint.community, code)
        if direction not in Direction.values:
            direction = Direction.IN if item is not None and item.out_since else Direction.OUT
        item, outcome = services.evaluate(checkpoint, code, direction, None, now,
                                          with_household=True)
        body: dict[str, Any] = {
            "direction": direction, "decision": outcome.decision,
            "reason_code": outcome.reason_code,
            "reason": services.reason_text(outcome.reason_code, outcome.next_allowed_at,
                                           checkpoint.community),
            "quota_left": outcome.quota_left,
            "next_allowed_at": (outcome.next_allowed_at.isoformat()
                                if outcome.next_allowed_at else None),
            "pass": None,
        }
        if item is not None:
            size = item.household.members.filter(status=PersonStatus.ACTIVE).count()
            body["pass"] = {"serial": item.serial, "room": item.household.label, "size": size,
                            "out_since": item.out_since.isoformat() if item.out_since else None}
        response = JsonResponse(body)
        add_never_cache_headers(response)
        return response


class OutNowView(TemplateView):
    """Who is out now and who is overdue; visitors still inside (and past closing time)."""

    template_name = "access/out_now.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_action(Pass, "view"):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        # Both lists bounded and their rows' gates and communities joined: a fixed number
        # of queries however many are out or inside.
        context.update(title=_("Who is out"), out=stats.out_now(Pass.objects.restrict(user), now),
                       visitors=stats.visitors_inside_now(Visitor.objects.restrict(user), now))
        return context


# --- Policy ---------------------------------------------------------------------------------


class PolicyView(TemplateView):
    """A community's pass policy: shown to whoever may see passes, changed by its officer."""

    template_name = "access/policy.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_action(request.user, PassPolicy, "view")
        self.community = community_for(request)
        self.policy = services.policy_for(self.community)
        self.can_change = (request.user.has_action(PassPolicy, "change")
                           and covers(request.user, self.community))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or PolicyForm(user=self.request.user, instance=self.policy)
        context.update(title=_("Pass policy"), community=self.community, policy=self.policy,
                       fever_threshold=fever_threshold_of(self.community), form=form,
                       can_change=self.can_change)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.can_change:
            raise PermissionDenied
        form = PolicyForm(request.POST, user=request.user, instance=self.policy)
        if form.is_valid():
            data = form.service_data()
            try:
                services.do_update_policy(self.community, by=request.user,
                                          expected_version=form.expected_version, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            except ConflictError as exc:
                form.add_error(None, exc.message)
            except PermissionDeniedError:
                raise PermissionDenied from None
            else:
                messages.success(request, _("Saved. The policy applies from the next scan."))
                return HttpResponseRedirect(reverse("access:policy") + (
                    f"?community={self.community.pk}" if request.GET.get("community") else ""))
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- Passes ---------------------------------------------------------------------------------


class PassListView(ObjectListView):
    model = Pass
    filterset_class = PassFilterSet
    table_class = PassTable
    title = gettext_lazy("Passes")
    template_name = "access/pass_list.html"

    def get_base_queryset(self) -> QuerySet[Pass]:
        return super().get_base_queryset().select_related("household__building")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(can_issue=user.has_action(Pass, "add"),
                       can_print=user.has_action(Pass, "print"),
                       print_query=self.request.GET.urlencode())
        return context


class PassDetailView(ObjectDetailView):
    model = Pass
    queryset = Pass.objects.select_related("household__building", "community", "person",
                                           "replaced_by")
    template_name = "access/pass_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, item = self.request.user, self.object
        household = item.household
        context.update(
            title=str(item),
            events=GateEvent.objects.restrict(user).filter(household=household)
            .select_related("checkpoint", "pass_obj")[:20],
            suspensions=Suspension.objects.restrict(user).filter(household=household)[:20],
            exemptions=Exemption.objects.restrict(user).filter(household=household)[:20],
            household_size=household.members.filter(status=PersonStatus.ACTIVE).count(),
            can_change=user.has_action(Pass, "change"),
            can_print=user.has_action(Pass, "print"),
            can_void=user.has_action(Pass, "deactivate"),
            can_suspend=user.has_action(Suspension, "add"),
            can_lift=user.has_action(Suspension, "change"),
            can_exempt=user.has_action(Exemption, "add"),
            reason_form=ReasonForm(user=user),
            works=item.status in (PassStatus.ACTIVE, PassStatus.SUSPENDED),
        )
        return context


class PassIssueView(TemplateView):
    """Issue passes for a building or the whole community at once."""

    template_name = "access/pass_issue.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_action(request.user, Pass, "add")
        self.community = community_for(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Issue passes"), community=self.community,
            policy=services.policy_for(self.community),
            form=kwargs.get("form") or IssueForm(user=self.request.user,
                                                 community=self.community),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = IssueForm(request.POST, user=request.user, community=self.community)
        if form.is_valid():
            building = form.cleaned_data.get("building")
            result = _service_call(request, lambda: services.do_issue_passes(
                community=self.community, building=building, by=request.user))
            if result is not None:
                messages.success(request, _(
                    "%(n)s passes issued; %(skipped)s already held one.")
                    % {"n": len(result.passes), "skipped": result.skipped})
                query = f"?building={building.pk}" if building else ""
                return HttpResponseRedirect(reverse("access:pass_list") + query)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PassPrintView(View):
    """The cards of the passes listed (the pass list's filters, or one pass) as a PDF.

    Printing is its own right (``print``, the community officer's): a card shows every
    member's name and the token the gate scans. A pass named outside the caller's scope is
    404 first, as on every page; then, without the right, 403 and no PDF is made.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        queryset = (Pass.objects.restrict(user)
                    .filter(status__in=[PassStatus.ACTIVE, PassStatus.SUSPENDED])
                    .select_related("household__building", "community", "person"))
        named = request.GET.get("pass")
        if named:
            queryset = queryset.filter(pk=named if named.isdigit() else 0)
            if not queryset.exists():
                raise Http404
        require_action(user, Pass, "print")
        if not named:
            filterset = PassFilterSet(request.GET or None, queryset=queryset, request=request)
            queryset = filterset.qs if filterset.is_bound else queryset
        passes = list(queryset.order_by("household__building__sort_key",
                                        "household__building__number", "household__unit",
                                        "household__room", "serial")[:MAX_CARDS + 1])
        if not passes:
            raise Http404
        if len(passes) > MAX_CARDS:
            messages.error(request, _("More than %(n)s cards: print them building by building.")
                           % {"n": MAX_CARDS})
            return HttpResponseRedirect(reverse("access:pass_list") + "?" + request.GET.urlencode())
        try:
            pdf = render_cards_pdf(passes)
        except CJKFontMissing:
            # The server's set-up, not the officer's doing: say so on the page (the log has
            # what to install) rather than print cards of empty boxes or answer 500.
            logger.exception("Pass cards cannot be printed")
            messages.error(request, _("Cards cannot be printed: the server has no Chinese "
                                      "font. Ask the administrator to install one."))
            return HttpResponseRedirect(reverse("access:pass_list") + "?" + request.GET.urlencode())
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="passes.pdf"'
        add_never_cache_headers(response)
        return response


class PassReplaceView(View):
    """A lost pass: the old card stops at once and a new one is issued."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_restricted_object(Pass.objects.all(), request.user, "change", pk=pk)
        form = ReasonForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Give a reason."))
            return HttpResponseRedirect(item.get_absolute_url())
        new = _service_call(request, lambda: services.do_replace_pass(
            item, by=request.user, reason=form.cleaned_data["reason"]))
        if new is None:
            return HttpResponseRedirect(item.get_absolute_url())
        messages.success(request, _("Pass %(old)s replaced by %(new)s; print the new card.")
                         % {"old": item.serial, "new": new.serial})
        return HttpResponseRedirect(new.get_absolute_url())


class PassVoidView(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_restricted_object(Pass.objects.all(), request.user, "deactivate", pk=pk)
        form = ReasonForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Give a reason."))
        elif _service_call(request, lambda: services.do_void_pass(
                item, by=request.user, reason=form.cleaned_data["reason"])) is not None:
            messages.success(request, _("The pass is void."))
        return HttpResponseRedirect(item.get_absolute_url())


# --- Suspensions and exemptions -------------------------------------------------------------


def _household(request: HttpRequest, pk: int, action: str, model: type) -> Household:
    household = get_restricted_object(
        Household.objects.select_related("building"), request.user, "view", pk=pk
    )
    require_action(request.user, model, action)
    return household


class SuspendView(TemplateView):
    """The office suspends a household's passes (source "office"), with a reason."""

    template_name = "core/object_edit.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.household = _household(request, kwargs["household_pk"], "add", Suspension)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=_("Suspend the passes of %(household)s")
                       % {"household": self.household.label},
                       model_name=_("suspension"), cancel_url=reverse("access:pass_list"),
                       form=kwargs.get("form") or SuspendForm(user=self.request.user))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SuspendForm(request.POST, user=request.user)
        if form.is_valid():
            result = _service_call(request, lambda: services.do_suspend_household_passes(
                self.household, source="office", reason=form.cleaned_data["reason"],
                until=form.cleaned_data.get("until"), by=request.user))
            if result is not None:
                messages.success(request, _("The household's passes are suspended."))
                return HttpResponseRedirect(reverse("access:suspension_list"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SuspensionListView(ObjectListView):
    model = Suspension
    title = gettext_lazy("Suspensions")
    template_name = "access/suspension_list.html"

    def get_base_queryset(self) -> QuerySet[Suspension]:
        return super().get_base_queryset().select_related("household__building")

    def get_queryset(self) -> QuerySet[Suspension]:
        queryset = super().get_queryset()
        if self.request.GET.get("all") != "1":
            queryset = queryset.filter(lifted_at__isnull=True)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_lift"] = self.request.user.has_action(Suspension, "change")
        return context


class SuspensionLiftView(View):
    """Lift one source's suspension; the passes work again when no other remains."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        suspension = get_restricted_object(
            Suspension.objects.select_related("household__building"), request.user, "change",
            pk=pk,
        )
        if _service_call(request, lambda: services.do_lift_suspension(
                suspension.household, source=suspension.source, by=request.user)) is not None:
            messages.success(request, _("Suspension lifted."))
        return HttpResponseRedirect(_next_url(request, reverse("access:suspension_list")))


class ExemptionListView(ObjectListView):
    model = Exemption
    filterset_class = ExemptionFilterSet
    table_class = ExemptionTable
    title = gettext_lazy("Exemptions")
    template_name = "access/exemption_list.html"

    def get_base_queryset(self) -> QuerySet[Exemption]:
        return super().get_base_queryset().select_related("household__building")


class ExemptionAddView(TemplateView):
    template_name = "core/object_edit.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.household = _household(request, kwargs["household_pk"], "add", Exemption)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Exemption for %(household)s") % {"household": self.household.label},
            model_name=_("exemption"), cancel_url=reverse("access:exemption_list"),
            form=kwargs.get("form") or ExemptionForm(user=self.request.user,
                                                     household=self.household),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ExemptionForm(request.POST, user=request.user, household=self.household)
        if form.is_valid():
            try:
                services.do_create_exemption(household=self.household, by=request.user,
                                             **form.service_data())
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            except PermissionDeniedError:
                raise PermissionDenied from None
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("access:exemption_list"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ExemptionRevokeView(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        exemption = get_restricted_object(
            Exemption.objects.select_related("household__building"), request.user, "change",
            pk=pk,
        )
        if _service_call(request, lambda: services.do_revoke_exemption(
                exemption, by=request.user)) is not None:
            messages.success(request, _("Exemption revoked."))
        return HttpResponseRedirect(reverse("access:exemption_list"))


# --- Gate log and reports -------------------------------------------------------------------


class GateEventListView(ObjectListView):
    model = GateEvent
    filterset_class = GateEventFilterSet
    table_class = GateEventTable
    title = gettext_lazy("Gate log")

    def get_base_queryset(self) -> QuerySet[GateEvent]:
        return super().get_base_queryset().select_related(
            "checkpoint", "pass_obj", "household__building"
        )


class GateEventDetailView(ObjectDetailView):
    model = GateEvent
    queryset = GateEvent.objects.select_related("checkpoint", "pass_obj", "household__building",
                                                "recorded_by")
    template_name = "access/event_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        event = self.object
        context.update(
            title=str(event),
            reason=services.reason_text(event.reason_code, event.next_allowed_at,
                                        event.community),
            can_review=bool(event.flag) and event.reviewed_at is None
            and self.request.user.has_action(GateEvent, "change"),
        )
        return context


class GateEventReviewView(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = get_restricted_object(GateEvent.objects.all(), request.user, "change", pk=pk)
        _service_call(request, lambda: services.do_review_event(event, by=request.user))
        return HttpResponseRedirect(event.get_absolute_url())


def _report_range(request: HttpRequest, time_zone: str) -> tuple[ReportForm, dt.date, dt.date]:
    form = ReportForm(request.GET or None, user=request.user)
    today = local_day(timezone.now(), time_zone)
    since, until = today - dt.timedelta(days=6), today
    if form.is_bound and form.is_valid():
        since = form.cleaned_data.get("since") or since
        until = form.cleaned_data.get("until") or until
    if until < since:
        since, until = until, since
    until = min(until, since + dt.timedelta(days=92))
    return form, since, until


class ReportView(TemplateView):
    """Entries and exits per day, per gate and per hour; outings per household; refusals."""

    template_name = "access/report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, GateEvent, "view")
        community = community_for(self.request)
        context = super().get_context_data(**kwargs)
        form, since, until = _report_range(self.request, community.time_zone)
        events = GateEvent.objects.restrict(user).filter(community=community)
        report = stats.gate_report(events, community.time_zone, since, until)
        context.update(title=_("Gate reports"), community=community, form=form, report=report,
                       top_households=report["per_household"][:30],
                       can_export=user.has_action(GateEvent, "export"),
                       query=self.request.GET.urlencode())
        return context


class ReportExportView(View):
    """The report and the gate log of the period as .xlsx: masked (no names, no numbers),
    formula-looking cells neutralised, the export written to the access log. A long period's
    log runs to tens of thousands of rows: more than ``INLINE_ROWS`` go to a job whose page
    offers the file once (``fangkong.access.exports``, ``core.exports``)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        require_action(user, GateEvent, "export")
        community = community_for(request)
        _form, since, until = _report_range(request, community.time_zone)
        return start_export(request, exports.GATE_REPORT.name, {
            "community": community.pk, "since": since.isoformat(),
            "until": until.isoformat(), "format": "xlsx"})


# --- Visitors -------------------------------------------------------------------------------


class VisitorListView(ObjectListView):
    model = Visitor
    filterset_class = VisitorFilterSet
    table_class = VisitorTable
    title = gettext_lazy("Visitors")
    template_name = "access/visitor_list.html"

    def get_base_queryset(self) -> QuerySet[Visitor]:
        return super().get_base_queryset().select_related("household__building", "checkpoint")


class VisitorAddView(TemplateView):
    template_name = "core/object_edit.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_action(request.user, Visitor, "add")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=_("Register a visitor"), model_name=_("visitor"),
                       cancel_url=reverse("access:visitor_list"),
                       form=kwargs.get("form") or VisitorForm(user=self.request.user))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = VisitorForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                visitor = services.do_register_visitor(
                    checkpoint=data["checkpoint"], household=data["household"],
                    by=request.user, name=data["name"], purpose=data["purpose"],
                    temperature=data["temperature"], phone=data.get("phone") or "",
                    id_number=data.get("id_number") or "", plate=data.get("plate") or "",
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            except (PermissionDeniedError, Http404):
                form.add_error(None, _("You can only choose records of your own area."))
            else:
                messages.success(request, _("Registered. Call the household to confirm."))
                return HttpResponseRedirect(visitor.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class VisitorDetailView(ObjectDetailView):
    model = Visitor
    queryset = Visitor.objects.select_related("household__building", "checkpoint", "community")
    template_name = "access/visitor_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=self.object.name,
                       can_change=self.request.user.has_action(Visitor, "change"),
                       confirm_form=ConfirmForm(user=self.request.user),
                       reason_form=ReasonForm(user=self.request.user))
        return context


class VisitorCallView(View):
    """The logged call route: the call is an access event, then the phone dials."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visitor = get_restricted_object(
            Visitor.objects.select_related("household__building"), request.user, "change",
            pk=pk,
        )
        number = _service_call(request, lambda: services.call_household_for_visitor(
            visitor, by=request.user))
        if not number:
            return HttpResponseRedirect(visitor.get_absolute_url())
        response = TelRedirect("tel:" + number.replace("-", ""))
        add_never_cache_headers(response)
        return response


class VisitorConfirmView(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visitor = get_restricted_object(
            Visitor.objects.select_related("household__building"), request.user, "change",
            pk=pk,
        )
        form = ConfirmForm(request.POST, user=request.user)
        if form.is_valid():
            if _service_call(request, lambda: services.do_confirm_visitor(
                    visitor, by=request.user,
                    confirmed_by=form.cleaned_data["confirmed_by"])) is not None:
                messages.success(request, _("Confirmed: the visitor may go in."))
        else:
            messages.error(request, _("Who in the household confirmed?"))
        return HttpResponseRedirect(visitor.get_absolute_url())


class VisitorRefuseView(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visitor = get_restricted_object(
            Visitor.objects.select_related("household__building"), request.user, "change",
            pk=pk,
        )
        form = ReasonForm(request.POST, user=request.user)
        if form.is_valid():
            if _service_call(request, lambda: services.do_refuse_visitor(
                    visitor, by=request.user, reason=form.cleaned_data["reason"])) is not None:
                messages.success(request, _("Refused."))
        else:
            messages.error(request, _("Give a reason."))
        return HttpResponseRedirect(visitor.get_absolute_url())


class VisitorLeaveView(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visitor = get_restricted_object(
            Visitor.objects.select_related("household__building"), request.user, "change",
            pk=pk,
        )
        if _service_call(request, lambda: services.do_visitor_leaves(
                visitor, by=request.user)) is not None:
            messages.success(request, _("Time out recorded."))
        return HttpResponseRedirect(_next_url(request, visitor.get_absolute_url()))

