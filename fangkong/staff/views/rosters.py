"""Roster pages: checkpoints, the week's roster (per community and per checkpoint, printable
and exported), a shift with its people, swaps, my shifts with check-in and check-out, and
hours served per week. Times are shown in the community's time zone."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.spreadsheets import SheetSpec, write_xlsx
from fangkong.core.views import (
    ObjectDetailView,
    PageFormView,
    PageView,
    ServiceActionView,
    require_action,
)
from fangkong.staff import services
from fangkong.staff.choices import SwapStatus
from fangkong.staff.duty_hours import day_bounds, zone_of
from fangkong.staff.forms import (
    AssignForm,
    CheckpointForm,
    MoveForm,
    ShiftForm,
    SwapDecisionForm,
    SwapRequestForm,
)
from fangkong.staff.models import Checkpoint, Shift, ShiftAssignment, StaffMember, SwapRequest
from fangkong.staff.roster_weeks import Roster, hours_per_week, week_roster
from fangkong.staff.services.rosters import checkin_opens, checkout_closes
from fangkong.staff.tables import CheckpointTable
from fangkong.staff.views.base import (
    CommunityPageMixin,
    StaffPageMixin,
    requested_day,
    staff_crumbs,
)
from fangkong.staff.views.people import CommunityEditView, CommunityListView

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def is_shift_owner(user: User, shift: Shift) -> bool:
    """Whether the user may assign people to ``shift`` and decide its swaps (as the service
    decides: the officer's right, or leading the shift's team)."""
    return user.has_action(Shift, "change") or (
        shift.team is not None and shift.team.is_led_by(user)
    )


# --- Checkpoints ----------------------------------------------------------------------------


class CheckpointListView(CommunityListView):
    model = Checkpoint
    table_class = CheckpointTable
    title = gettext_lazy("Checkpoints")

    def get_add_url(self) -> str:
        return reverse("staff:checkpoint_add", args=[self.community.pk])


class CheckpointEditView(CommunityEditView):
    model = Checkpoint
    form_class = CheckpointForm

    def create(self, form: CheckpointForm) -> Checkpoint:
        return services.do_create_checkpoint(
            community=self.required_community(), by=self.request.user, **form.service_data()
        )

    def update(self, obj: Checkpoint, form: CheckpointForm) -> Checkpoint:
        return services.do_update_checkpoint(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )

    def get_cancel_url(self) -> str:
        if self.object is None:
            return reverse("staff:checkpoint_list", args=[self.required_community().pk])
        return super().get_cancel_url()


# --- The week's roster ----------------------------------------------------------------------


class _RosterPage(Protocol):
    request: AuthenticatedRequest


class RosterMixin:
    """A week of shifts from ``?week=`` (any day of the week; this week by default)."""

    def roster_for(
        self: _RosterPage, shifts: QuerySet[Shift], community: Any, *, warn: bool = True
    ) -> Roster:
        tz = zone_of(community)
        return week_roster(shifts, requested_day(self.request, tz, week=True, warn=warn), tz)


class CommunityRosterView(RosterMixin, CommunityPageMixin, PageView):
    """This week's shifts at every place of the community; gaps in red."""

    model = Shift
    template_name = "staff/roster.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        shifts = Shift.objects.restrict(user).filter(community=self.community)
        roster = self.roster_for(shifts, self.community)
        context.update(
            title=_("Roster"),
            roster=roster,
            checkpoint=None,
            checkpoints=Checkpoint.objects.restrict(user).filter(community=self.community),
            can_add=user.has_action(Shift, "add"),
            can_export=user.has_action(Shift, "export"),
            export_url=reverse("staff:roster_export", args=[self.community.pk]),
            add_url=reverse("staff:shift_add", args=[self.community.pk]),
        )
        return context


class CheckpointRosterView(RosterMixin, StaffPageMixin, ObjectDetailView):
    """One checkpoint's week: the printable roster that hangs at the gate."""

    model = Checkpoint
    queryset = Checkpoint.objects.select_related("community")
    template_name = "staff/roster.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, checkpoint = self.request.user, self.object
        require_action(user, Shift, "view")
        shifts = Shift.objects.restrict(user).filter(checkpoint=checkpoint)
        roster = self.roster_for(shifts, checkpoint.community)
        context.update(
            title=_("Roster of %(checkpoint)s") % {"checkpoint": checkpoint},
            roster=roster,
            checkpoint=checkpoint,
            can_add=user.has_action(Shift, "add"),
            can_change_checkpoint=user.has_action(Checkpoint, "change"),
            can_export=user.has_action(Shift, "export"),
            export_url=reverse("staff:roster_export", args=[checkpoint.community_id])
            + f"?checkpoint={checkpoint.pk}",
            add_url=reverse("staff:shift_add", args=[checkpoint.community_id])
            + f"?checkpoint={checkpoint.pk}",
            breadcrumbs=staff_crumbs(
                checkpoint.community,
                (
                    reverse("staff:community_roster", args=[checkpoint.community_id]),
                    _("Roster"),
                ),
            ),
        )
        return context


class RosterExportView(RosterMixin, CommunityPageMixin, PageView):
    """The week's roster as .xlsx (``?checkpoint=`` for one gate); an access event.

    Written in the request, not as an export job: it is one community's one week, a row per
    shift and day (a few hundred at most), whatever the size of the district."""

    model = Shift
    action = "export"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user, community = self.request.user, self.community
        shifts = Shift.objects.restrict(user).filter(community=community)
        checkpoint_id = request.GET.get("checkpoint", "")
        if checkpoint_id.isdigit():
            shifts = shifts.filter(checkpoint_id=int(checkpoint_id))
        # A download shows no message: a week it cannot read gives this week's roster.
        roster = self.roster_for(shifts, community, warn=False)
        rows = [
            [
                entry.start.strftime("%Y-%m-%d"),
                entry.start.strftime("%a"),
                entry.shift.place,
                entry.start.strftime("%H:%M"),
                entry.end.strftime("%H:%M"),
                entry.shift.people_needed,
                len(entry.people),
                entry.missing,
                pgettext("list separator", ", ").join(a.member.name for a in entry.people),
                entry.shift.team.name if entry.shift.team is not None else "",
            ]
            for entry in roster.shifts
        ]
        header = [
            _("Date"),
            _("Day"),
            _("Place"),
            _("Start"),
            _("End"),
            _("People needed"),
            _("Assigned"),
            _("Missing"),
            _("People"),
            _("Team"),
        ]
        buffer = io.BytesIO()
        write_xlsx(
            buffer,
            [
                SheetSpec(
                    title=str(_("Roster")),
                    header=header,
                    rows=rows,
                    widths=[12, 6, 16, 8, 8, 8, 8, 8, 40, 14],
                )
            ],
        )
        record_access(
            AccessKind.EXPORT,
            actor=user,
            area_path=community.path,
            detail={
                "what": "staff.roster",
                "week": roster.monday.isoformat(),
                "rows": len(rows),
                "checkpoint": checkpoint_id or None,
            },
        )
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="roster-{roster.monday:%Y%m%d}.xlsx"'
        )
        return response


# --- Shifts ---------------------------------------------------------------------------------


class ShiftEditView(CommunityEditView):
    model = Shift
    form_class = ShiftForm
    queryset = Shift.objects.select_related("community", "checkpoint", "team")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        checkpoint_id = self.request.GET.get("checkpoint", "")
        if self.object is None and checkpoint_id.isdigit():
            kwargs["checkpoint"] = (
                Checkpoint.objects.restrict(self.request.user)
                .filter(pk=int(checkpoint_id), community=self.community)
                .first()
            )
        return kwargs

    def create(self, form: ShiftForm) -> Shift:
        return services.do_create_shift(
            community=self.required_community(), by=self.request.user, **form.service_data()
        )

    def update(self, obj: Shift, form: ShiftForm) -> Shift:
        return services.do_update_shift(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )

    def get_cancel_url(self) -> str:
        if self.object is None:
            return reverse("staff:community_roster", args=[self.required_community().pk])
        return super().get_cancel_url()


def move_candidates(shift: Shift, user: User) -> QuerySet[ShiftAssignment]:
    """People on other shifts of the same local day(s) who could move to ``shift``:
    not checked in, not already on it (overlaps are the service's to refuse)."""
    tz = zone_of(shift.community)
    first_day = timezone.localtime(shift.start, tz).date()
    start, _end = day_bounds(first_day, tz)
    end = day_bounds(timezone.localtime(shift.end, tz).date(), tz)[1]
    return (
        ShiftAssignment.objects.filter(
            shift__in=Shift.objects.restrict(user).filter(community=shift.community),
            shift__start__lt=end,
            shift__end__gt=start,
            checked_in_at__isnull=True,
        )
        .exclude(shift=shift)
        .exclude(member__assignments__shift=shift)
        .select_related("member", "shift__checkpoint")
        .order_by("shift__start", "member__name")
    )


class ShiftDetailView(StaffPageMixin, ObjectDetailView):
    """A shift: who is on it, who is missing; assign, take off, move someone here."""

    model = Shift
    queryset = Shift.objects.select_related("community", "checkpoint", "team__leader")
    template_name = "staff/shift_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        shift, user = self.object, self.request.user
        people = list(shift.assignments.select_related("member__organisation"))
        owner = is_shift_owner(user, shift)
        context.update(
            title=str(shift),
            shift=shift,
            people=people,
            missing=max(shift.people_needed - len(people), 0),
            owner=owner,
            can_edit=user.has_action(Shift, "change"),
            assign_form=AssignForm(user=user, shift=shift) if owner else None,
            move_form=(
                MoveForm(user=user, shift=shift, candidates=move_candidates(shift, user))
                if owner
                else None
            ),
            swaps=shift.swap_requests.filter(status=SwapStatus.PENDING).select_related(
                "from_member", "to_member"
            ),
            breadcrumbs=staff_crumbs(
                shift.community,
                (
                    reverse("staff:community_roster", args=[shift.community_id])
                    + f"?week={timezone.localtime(shift.start, zone_of(shift.community)):%Y-%m-%d}",
                    _("Roster"),
                ),
            ),
        )
        return context


class ShiftActionView(ServiceActionView):
    model = Shift


class ShiftAssignView(ShiftActionView):
    success_message = gettext_lazy("Assigned.")

    def act(self, shift: Shift, data: dict[str, Any]) -> ShiftAssignment:
        form = AssignForm(self.request.POST, user=self.request.user, shift=shift)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        return services.do_assign_shift(
            shift, member=form.cleaned_data["member"], by=self.request.user
        )


class ShiftUnassignView(ShiftActionView):
    success_message = gettext_lazy("Taken off the shift.")

    def act(self, shift: Shift, data: dict[str, Any]) -> None:
        # The shift is in the user's scope already; whether they own it is the service's.
        assignment = get_object_or_404(
            ShiftAssignment, shift=shift, pk=self.kwargs["assignment_pk"]
        )
        services.do_unassign_shift(assignment, by=self.request.user)


class ShiftMoveView(ShiftActionView):
    success_message = gettext_lazy("Moved to this shift.")

    def act(self, shift: Shift, data: dict[str, Any]) -> ShiftAssignment:
        form = MoveForm(
            self.request.POST,
            user=self.request.user,
            shift=shift,
            candidates=move_candidates(shift, self.request.user),
        )
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        return services.do_move_assignment(
            form.cleaned_data["assignment"], to_shift=shift, by=self.request.user
        )


# --- My shifts, check-in and check-out ------------------------------------------------------


class MyShiftsView(StaffPageMixin, PageView):
    """A person's shifts from yesterday to a week ahead, with the check-in or check-out
    button when it is time."""

    template_name = "staff/my_shifts.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, Shift, "view")
        self.community = user.community if user.area_id else None
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        assignments = list(
            ShiftAssignment.objects.filter(
                member__user=user,
                shift__end__gt=now - dt.timedelta(days=1),
                shift__start__lt=now + dt.timedelta(days=8),
            )
            .select_related("shift__checkpoint", "shift__community", "member")
            .order_by("shift__start", "pk")
        )
        can_swap = user.has_action(SwapRequest, "add")
        entries = []
        for assignment in assignments:
            shift = assignment.shift
            entries.append(
                {
                    "assignment": assignment,
                    "shift": shift,
                    "can_check_in": assignment.checked_in_at is None
                    and checkin_opens(shift) <= now <= shift.end,
                    "can_check_out": assignment.checked_in_at is not None
                    and assignment.checked_out_at is None
                    and now <= checkout_closes(shift),
                    "opens": checkin_opens(shift),
                    "not_yet": now < checkin_opens(shift),
                    "now_on": shift.start <= now < shift.end,
                    "past": shift.end <= now,
                    # Swaps are for shifts still ahead (the service refuses started ones).
                    "swappable": can_swap and now < shift.start,
                }
            )
        context.update(
            title=_("My shifts"),
            entries=entries,
            has_record=StaffMember.objects.filter(user=user).exists(),
        )
        return context


class AssignmentActionView(ServiceActionView):
    """Acts on one of the user's own assignments (404 for anyone else's)."""

    model = ShiftAssignment

    def get_object(self) -> ShiftAssignment:
        # Looked up through the shifts the user sees: a volunteer has no right on
        # assignments as such, only on their own shifts.
        shifts = Shift.objects.restrict(self.request.user)
        assignment: ShiftAssignment | None = (
            ShiftAssignment.objects.select_related("shift", "member")
            .filter(
                pk=self.kwargs["pk"],
                shift__in=shifts,
            )
            .first()
        )
        if assignment is None:
            raise Http404
        return assignment

    def redirect_to(self, assignment: ShiftAssignment, result: Any) -> str:
        return reverse("staff:my_shifts")


class CheckInView(AssignmentActionView):
    success_message = gettext_lazy("Checked in.")

    def act(self, assignment: ShiftAssignment, data: dict[str, Any]) -> ShiftAssignment:
        return services.do_check_in(assignment, by=self.request.user)


class CheckOutView(AssignmentActionView):
    success_message = gettext_lazy("Checked out. Thank you.")

    def act(self, assignment: ShiftAssignment, data: dict[str, Any]) -> ShiftAssignment:
        return services.do_check_out(assignment, by=self.request.user)


# --- Swaps ----------------------------------------------------------------------------------


class SwapRequestView(StaffPageMixin, PageFormView):
    """Ask someone to take over one's shift (or exchange shifts); the owner approves."""

    form_class = SwapRequestForm
    template_name = "core/object_edit.html"
    assignment: ShiftAssignment

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        shifts = Shift.objects.restrict(self.request.user)
        assignment: ShiftAssignment | None = (
            ShiftAssignment.objects.select_related(
                "shift__community", "shift__checkpoint", "member"
            )
            .filter(pk=kwargs["pk"], shift__in=shifts)
            .first()
        )
        if assignment is None:
            raise Http404
        self.assignment = assignment
        shift = self.assignment.shift
        own = self.assignment.member.user_id == self.request.user.pk
        if not (own and self.request.user.has_action(SwapRequest, "add")) and not is_shift_owner(
            self.request.user, shift
        ):
            raise PermissionDenied
        self.community = shift.community
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "assignment": self.assignment,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Ask for a swap: %(shift)s") % {"shift": self.assignment.shift},
            cancel_url=reverse("staff:my_shifts"),
        )
        return context

    def form_valid(self, form: SwapRequestForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            services.do_request_swap(
                shift=self.assignment.shift,
                from_member=self.assignment.member,
                to_member=data["to_member"],
                return_shift=data.get("return_shift"),
                note=data.get("note", ""),
                by=self.request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Your swap request waits for approval."))
        return HttpResponseRedirect(reverse("staff:swap_list", args=[self.required_community().pk]))


class SwapListView(CommunityPageMixin, PageView):
    """Swaps waiting for approval (with the buttons for the shift's owner) and recent ones."""

    model = Shift
    template_name = "staff/swap_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        swaps = (
            SwapRequest.objects.restrict(user)
            .filter(community=self.community)
            .select_related(
                "shift__checkpoint",
                "shift__team__leader",
                "shift__community",
                "return_shift__checkpoint",
                "return_shift__community",
                "from_member",
                "to_member",
                "decided_by",
            )
            .order_by("-created", "-pk")[:100]
        )
        entries = [
            {
                "swap": swap,
                "owner": is_shift_owner(user, swap.shift),
                "mine": swap.from_member.user_id == user.pk,
            }
            for swap in swaps
        ]
        context.update(
            title=_("Swap requests"),
            pending=[e for e in entries if e["swap"].status == SwapStatus.PENDING],
            decided=[e for e in entries if e["swap"].status != SwapStatus.PENDING],
            decision_form=SwapDecisionForm(),
        )
        return context


class SwapDecideView(ServiceActionView):
    model = SwapRequest
    form_class: type[SwapDecisionForm] | None = SwapDecisionForm

    def act(self, swap: SwapRequest, data: dict[str, Any]) -> SwapRequest:
        approve = data["decision"] == "approve"
        result = services.do_decide_swap(
            swap, by=self.request.user, approve=approve, note=data.get("note", "")
        )
        self.success_message = _("Swap approved.") if approve else _("Swap rejected.")
        return result

    def redirect_to(self, swap: SwapRequest, result: Any) -> str:
        return reverse("staff:swap_list", args=[swap.community_id])


class SwapWithdrawView(SwapDecideView):
    form_class = None
    success_message = gettext_lazy("Swap request withdrawn.")

    def act(self, swap: SwapRequest, data: dict[str, Any]) -> SwapRequest:
        return services.do_withdraw_swap(swap, by=self.request.user)


# --- Hours ----------------------------------------------------------------------------------


class HoursView(CommunityPageMixin, PageView):
    """Hours planned and served per person in a week (``?week=``)."""

    model = Shift
    template_name = "staff/hours.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        tz = zone_of(self.community)
        monday = requested_day(self.request, tz, week=True)
        shifts = Shift.objects.restrict(user).filter(community=self.community)
        rows = hours_per_week(ShiftAssignment.objects.filter(shift__in=shifts), monday, tz)
        context.update(
            title=_("Hours served"),
            rows=rows,
            monday=monday,
            sunday=monday + dt.timedelta(days=6),
            previous_week=monday - dt.timedelta(days=7),
            next_week=monday + dt.timedelta(days=7),
            total_planned=sum((r.planned_hours for r in rows), start=0),
            total_served=sum((r.served_hours for r in rows), start=0),
        )
        return context
