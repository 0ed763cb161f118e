"""Patrol pages: record a visit to a checkpoint, see one, see its photos, and the day's
summary per checkpoint."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.views import ObjectDetailView, PageFormView, PageView, get_restricted_object
from fangkong.staff import services
from fangkong.staff.choices import PatrolFinding
from fangkong.staff.duty_hours import day_bounds, zone_of
from fangkong.staff.forms import PatrolForm
from fangkong.staff.models import (
    Checkpoint,
    PatrolPhoto,
    PatrolVisit,
    Shift,
    ShiftAssignment,
    StaffMember,
)
from fangkong.staff.querysets import sees_area
from fangkong.staff.views.base import (
    CommunityPageMixin,
    StaffPageMixin,
    requested_day,
    staff_crumbs,
)


def on_duty_now(checkpoint: Checkpoint | None, now: dt.datetime) -> list[StaffMember]:
    """Who the roster has at ``checkpoint`` right now (pre-ticked on the patrol form)."""
    if checkpoint is None:
        return []
    return [
        a.member
        for a in ShiftAssignment.objects.filter(
            shift__checkpoint=checkpoint,
            shift__start__lte=now,
            shift__end__gt=now,
        ).select_related("member")
    ]


class PatrolAddView(CommunityPageMixin, PageFormView):
    """Record a patrol visit on a phone: checkpoint, who was there, what was wrong, photos."""

    model = PatrolVisit
    action = "add"
    form_class = PatrolForm
    template_name = "staff/patrol_form.html"

    def checkpoint(self) -> Checkpoint | None:
        value = self.request.GET.get("checkpoint", "")
        if not value.isdigit():
            return None
        return (
            Checkpoint.objects.restrict(self.request.user)
            .filter(pk=int(value), community=self.community)
            .first()
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        if not sees_area(self.request.user, self.community):
            raise PermissionDenied
        checkpoint = self.checkpoint()
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "community": self.community,
            "checkpoint": checkpoint,
            "on_duty_now": on_duty_now(checkpoint, timezone.now()),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Record a patrol"),
            cancel_url=reverse("staff:patrol_summary", args=[self.community.pk]),
        )
        return context

    def form_valid(self, form: PatrolForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            visit = services.do_record_patrol(
                checkpoint=data["checkpoint"],
                by=self.request.user,
                time=data["time"],
                by_member=data.get("by_member"),
                on_duty=data.get("on_duty") or [],
                findings=data.get("findings") or [],
                notes=data.get("notes", ""),
                photos=data.get("photos") or [],
                follow_up=data.get("follow_up", False),
                follow_up_assignee=data.get("follow_up_assignee"),
                follow_up_due=data.get("follow_up_due"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Patrol recorded."))
        return HttpResponseRedirect(visit.get_absolute_url())


class PatrolDetailView(StaffPageMixin, ObjectDetailView):
    model = PatrolVisit
    queryset = PatrolVisit.objects.select_related(
        "checkpoint", "community", "by_member", "by_user", "follow_up"
    )
    template_name = "staff/patrol_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        visit = self.object
        context.update(
            title=str(visit),
            visit=visit,
            on_duty=visit.on_duty.all(),
            photos=visit.photos.all(),
            breadcrumbs=staff_crumbs(
                visit.community,
                (
                    reverse("staff:patrol_summary", args=[visit.community_id]),
                    _("Patrols"),
                ),
            ),
        )
        return context


class PatrolPhotoView(ObjectDetailView):
    """A patrol photo, only for those who see the visit; never cached by a shared cache."""

    model = PatrolPhoto

    # The stubs type BaseDetailView.get's answer HttpResponse; Django takes any response.
    def get(  # type: ignore[override]
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> FileResponse:
        photo = get_restricted_object(
            PatrolPhoto.objects.all(), self.request.user, "view", pk=kwargs["pk"]
        )
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class PatrolSummaryView(CommunityPageMixin, PageView):
    """One day's patrols (``?date=``): per checkpoint, visits and what was found."""

    model = PatrolVisit
    template_name = "staff/patrol_summary.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        tz = zone_of(self.community)
        day = requested_day(self.request, tz)
        start, end = day_bounds(day, tz)
        visits = (
            PatrolVisit.objects.restrict(user)
            .filter(community=self.community, time__gte=start, time__lt=end)
            .select_related("checkpoint", "by_member", "follow_up")
            .prefetch_related(Prefetch("on_duty", queryset=StaffMember.objects.all()))
        )
        per_checkpoint: dict[int, dict[str, Any]] = {}
        checkpoints = Checkpoint.objects.restrict(user).filter(community=self.community)
        for checkpoint in checkpoints:
            per_checkpoint[checkpoint.pk] = {
                "checkpoint": checkpoint,
                "visits": [],
                "findings": Counter(),
            }
        totals: Counter[str] = Counter()
        for visit in visits:
            entry = per_checkpoint.setdefault(
                visit.checkpoint_id,
                {"checkpoint": visit.checkpoint, "visits": [], "findings": Counter()},
            )
            entry["visits"].append(visit)
            entry["findings"].update(visit.finding_list)
            totals.update(visit.finding_list)
        labels = dict(PatrolFinding.choices)
        rows = []
        for entry in per_checkpoint.values():
            entry["finding_labels"] = [
                (labels.get(code, code), n) for code, n in entry["findings"].most_common()
            ]
            rows.append(entry)
        shifts = Shift.objects.restrict(user).filter(
            community=self.community, start__lt=end, end__gt=start
        )
        context.update(
            title=_("Patrols"),
            day=day,
            previous_day=day - dt.timedelta(days=1),
            next_day=day + dt.timedelta(days=1),
            rows=rows,
            totals=[(labels.get(code, code), n) for code, n in totals.most_common()],
            visit_count=sum(len(r["visits"]) for r in rows),
            unvisited=[
                r["checkpoint"] for r in rows if not r["visits"] and r["checkpoint"].is_open
            ],
            shifts_today=shifts.count(),
            can_add=user.has_action(PatrolVisit, "add") and sees_area(user, self.community),
        )
        return context
