"""The gate scanner for checkpoint staff on a phone, online and offline: its page, its
service worker and manifest, the data it caches to decide offline, and the preview of a scan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from fangkong.access import services, stats
from fangkong.access.choices import Direction, PassScope, PassStatus, ReasonCode
from fangkong.access.models import Exemption, GateEvent, Pass, Visitor
from fangkong.access.pass_policy import day_start, local_day
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import require_action
from fangkong.registry.choices import PersonStatus
from fangkong.staff.models import Checkpoint

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "access"


def api_url(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # the API router is wired by fangkong/api_urls.py
        return fallback


def roster_url(checkpoint: Checkpoint) -> str:
    """The checkpoint's duty roster in the staff module."""
    try:
        return checkpoint.get_absolute_url()
    except NoReverseMatch:  # the staff module's pages are not mounted
        return ""


def _gate_strings() -> dict[str, str]:
    """The scanner's words, translated here: JavaScript carries no text of its own."""
    return {
        "allow": _("Allowed"),
        "deny": _("Refused"),
        "offline": _("Offline"),
        "online": _("Online"),
        "queued": _("Waiting to upload: %(n)s"),
        "uploaded": _("Uploaded"),
        "cameraUnavailable": _(
            "This browser cannot read QR codes with the camera; type the serial."
        ),
        "cameraDenied": _("The camera is not available; type the serial."),
        "unknownOffline": _("Not in this phone's list: check when back online."),
        "loginAgain": _("Log in again to upload the waiting scans."),
        "room": _("Room"),
        "size": _("Household size"),
        "left": _("Outings left"),
        "leftAfter": _("Left after this one"),
        "times": _("%(n)s times"),
        "out": _("Exit"),
        "in": _("Entry"),
        "switchToIn": _("This is an entry"),
        "switchToOut": _("This is an exit"),
        "recordedOut": _("Exit recorded · %(t)s °C"),
        "recordedIn": _("Entry recorded · %(t)s °C"),
        "recordedRefused": _("Not let through: the refusal is recorded (%(t)s °C)"),
        "savedOnPhone": _("saved on this phone, uploaded when the network is back"),
        "unlimited": _("Exempt"),
        "nextAt": _("Next outing from %(time)s"),
        "recordOut": _("Record exit"),
        "recordIn": _("Record entry"),
        "needTemperature": _("Enter the temperature first."),
        "badTemperature": _("A body temperature must be between 34.0 and 43.0 °C."),
        "dataAge": _("Pass list from %(time)s"),
        "noData": _("No pass list on this phone yet: connect once to download it."),
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
    request: AuthenticatedRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_action(self.request.user, GateEvent, "add")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        checkpoints = list(services.checkpoints_for(user).order_by("community", "name", "pk"))
        config = {
            "scanUrl": api_url("api:gatescan-list", "/api/v1/gate/scans/"),
            "dataUrl": reverse("access:gate_data"),
            "checkUrl": reverse("access:gate_check"),
            "swUrl": reverse("access:gate_sw"),
            "scope": reverse("access:gate"),
            "checkpoints": [
                {"id": c.pk, "name": c.name, "community": c.community_id} for c in checkpoints
            ],
            "strings": _gate_strings(),
        }
        context.update(
            title=_("Gate scanner"),
            config=config,
            checkpoints=checkpoints,
            out=stats.out_now(Pass.objects.restrict(user)),
            visitors=stats.visitors_inside_now(Visitor.objects.restrict(user)),
            roster_urls=[(c, roster_url(c)) for c in checkpoints],
            can_register_visitors=user.has_action(Visitor, "add"),
            # The scanner adds ``?checkpoint=<the gate chosen>`` so the form preselects it.
            visitor_url=reverse("access:visitor_add"),
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
            "name": _("fangkong gate scanner"),
            "short_name": _("Gate"),
            "start_url": reverse("access:gate"),
            "scope": reverse("access:gate"),
            "display": "standalone",
            "background_color": "#f5f6f8",
            "theme_color": "#b3261e",
            "icons": [{"src": static("core/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        }
        return JsonResponse(manifest, content_type="application/manifest+json")


def _gate_checkpoint(request: HttpRequest, value: str | None) -> Any:
    if not value or not str(value).isdigit():
        raise Http404
    return get_object_or_404(services.checkpoints_for(request.user), pk=value)


#: A cursor's time is taken this much earlier when asking what changed since: a row written
#: by a transaction still open at the last sync commits with an earlier ``updated`` (sending a
#: pass twice costs a few bytes; missing it would let a void card through offline).
SYNC_OVERLAP = dt.timedelta(minutes=2)
#: An offline scan uploaded this late (its ``time`` is the phone's) is still seen by a sync;
#: older ones wait for the next day's full list.
LATE_UPLOAD = dt.timedelta(days=1)


def _cursor(community_id: int, at: dt.datetime) -> str:
    return f"{community_id}.{int(at.timestamp() * 1000)}"


def _cursor_time(
    value: str | None, community_id: int, today_start: dt.datetime
) -> dt.datetime | None:
    """The time a cursor stands for, or None when it cannot serve: malformed, another
    community's, from before today (exemptions and the quota's window move with the day, so
    a new day starts from the full list) or from the future."""
    community, _, millis = (value or "").partition(".")
    if community != str(community_id) or not millis.isdigit() or len(millis) > 15:
        return None
    at = dt.datetime.fromtimestamp(int(millis) / 1000, tz=dt.UTC)
    if at < today_start or at > timezone.now() + SYNC_OVERLAP:
        return None
    return at


def _pass_row(p: Pass, size: int, exempt: bool) -> dict[str, Any]:
    """What an offline decision needs of a pass, and what the guard reads: defaults left out
    (an active pass has no status, a household's pass no person, a pass at home no
    ``out_since``); ``until`` only where a suspension ends by itself."""
    row: dict[str, Any] = {
        "id": p.pk,
        "serial": p.serial,
        "digest": p.digest,
        "household": p.household_id,
        "room": p.household.label,
        "size": size,
    }
    if p.person_id:
        row["person"] = p.person_id
    if p.status != PassStatus.ACTIVE:
        row["status"] = p.status
        if p.suspended_until:
            row["until"] = p.suspended_until.isoformat()
    if exempt:
        row["exempt"] = True
    if p.out_since:
        row["out_since"] = p.out_since.isoformat(timespec="seconds")
    return row


class GateDataView(View):
    """What the scanner caches to decide offline: the community's policy, gates and passes
    (only what the decision needs), and each household's exits within the quota's window.

    ``?since=<cursor>`` (the ``cursor`` of the last answer) answers only what changed since:
    passes changed or scanned (``passes``), passes void or replaced (``removed``, their ids)
    and the whole window of exits of the households scanned (``exits``, replacing the
    phone's). A cursor that cannot serve (another day, another community, garbled) gets the
    full list, marked ``"full": true``: the phone then replaces what it has.
    """

    def get(self, request: AuthenticatedRequest) -> JsonResponse:
        require_action(request.user, GateEvent, "add")
        checkpoint = _gate_checkpoint(request, request.GET.get("checkpoint"))
        community = checkpoint.community
        policy = services.policy_for(community)
        rules = services.rules_for(policy, community)
        now = timezone.now()
        today = local_day(now, rules.time_zone)
        since = _cursor_time(
            request.GET.get("since"), community.pk, day_start(today, rules.time_zone)
        )
        working = Pass.objects.filter(community=community)
        removed: list[int] = []
        touched_households: set[int] | None = None
        if since is not None:
            after = since - SYNC_OVERLAP
            scanned = GateEvent.objects.filter(
                community=community, time__gte=after - LATE_UPLOAD, received_at__gte=after
            ).values_list("household_id", flat=True)
            exempted = Exemption.objects.filter(
                community=community, updated__gte=after
            ).values_list("household_id", flat=True)
            touched_households = {h for h in scanned if h is not None}
            changed = Q(updated__gte=after) | Q(household__updated__gte=after)
            changed |= Q(household_id__in=touched_households | set(exempted))
            working = working.filter(changed)
            removed = list(
                working.filter(status__in=[PassStatus.VOID, PassStatus.REPLACED]).values_list(
                    "pk", flat=True
                )
            )
        passes = list(
            working.exclude(status__in=[PassStatus.VOID, PassStatus.REPLACED])
            .select_related("household__building")
            .annotate(
                size=Count(
                    "household__members", filter=Q(household__members__status=PersonStatus.ACTIVE)
                )
            )
        )
        exempt = set(
            Exemption.objects.filter(
                community=community,
                revoked_at__isnull=True,
                starts_on__lte=today,
                ends_on__gte=today,
            ).values_list("household_id", flat=True)
        )
        window_start = now - dt.timedelta(days=rules.window_days + 1)
        recent_exits = GateEvent.objects.filter(
            community=community, direction=Direction.OUT, passed=True, time__gte=window_start
        )
        person_scope = policy.pass_scope == PassScope.PERSON
        exits: dict[str, list[str]] = {}
        if touched_households is not None:
            recent_exits = recent_exits.filter(household_id__in=touched_households)
            # A household scanned since: its whole window, even empty, replaces the phone's
            # (which may hold an exit it counted itself before the server's came back).
            for p in passes:
                if p.household_id in touched_households:
                    key = (
                        f"p{p.person_id}" if person_scope and p.person_id else f"h{p.household_id}"
                    )
                    exits[key] = []
        for household_id, person_id, time in recent_exits.values_list(
            "household_id", "pass_obj__person_id", "time"
        ):
            key = f"p{person_id}" if person_scope and person_id else f"h{household_id}"
            exits.setdefault(key, []).append(time.isoformat(timespec="seconds"))
        gates = services.checkpoints_for(request.user).filter(community=community)
        data = {
            "generated_at": now.isoformat(),
            "cursor": _cursor(community.pk, now),
            "full": since is None,
            "community": {
                "id": community.pk,
                "name": community.name,
                "time_zone": rules.time_zone,
                "fever_threshold": str(rules.fever_threshold),
            },
            "policy": {
                "outings": rules.outings,
                "window_days": rules.window_days,
                "max_minutes": rules.max_minutes,
                "pass_scope": policy.pass_scope,
            },
            "checkpoints": [
                {
                    "id": c.pk,
                    "name": c.name,
                    "is_open": c.is_open,
                    "opens": c.opens.strftime("%H:%M") if c.opens else None,
                    "closes": c.closes.strftime("%H:%M") if c.closes else None,
                }
                for c in gates
            ],
            "passes": [_pass_row(p, p.size, p.household_id in exempt) for p in passes],
            "removed": removed,
            "exits": exits,
        }
        # Compact separators: the list is most of a gate phone's traffic.
        response = JsonResponse(data, json_dumps_params={"separators": (",", ":")})
        add_never_cache_headers(response)
        return response


class GateCheckView(View):
    """The scanner's preview of a scan: the decision and the room, nothing recorded."""

    def get(self, request: AuthenticatedRequest) -> JsonResponse:
        require_action(request.user, GateEvent, "add")
        checkpoint = _gate_checkpoint(request, request.GET.get("checkpoint"))
        code = request.GET.get("code", "")[:200]
        now = timezone.now()
        direction = request.GET.get("direction")
        item = services.find_pass(checkpoint.community, code)
        if direction not in Direction.values:
            direction = Direction.IN if item is not None and item.out_since else Direction.OUT
        item, outcome = services.evaluate(
            checkpoint, code, direction, None, now, with_household=True
        )
        body: dict[str, Any] = {
            "direction": direction,
            "decision": outcome.decision,
            "reason_code": outcome.reason_code,
            "reason": services.reason_text(
                outcome.reason_code, outcome.next_allowed_at, checkpoint.community
            ),
            "quota_left": outcome.quota_left,
            "next_allowed_at": (
                outcome.next_allowed_at.isoformat() if outcome.next_allowed_at else None
            ),
            "pass": None,
        }
        if item is not None:
            size = item.household.members.filter(status=PersonStatus.ACTIVE).count()
            body["pass"] = {
                "serial": item.serial,
                "room": item.household.label,
                "size": size,
                "out_since": item.out_since.isoformat() if item.out_since else None,
            }
        response = JsonResponse(body)
        add_never_cache_headers(response)
        return response
