"""Forms of the staff pages. They parse input; the services validate and save.

Every form takes ``user`` and ``instance`` (ObjectEditView passes both) and, where a row
belongs to a community, ``community``: choices are limited to that community and to what the
user may see. Times are typed in the community's time zone (``LocalDateTimeField``), not the
server's, and stored in UTC.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.dates import today_in
from fangkong.core.forms import LocalDateTimeField, ServiceForm, field_of
from fangkong.core.input_bounds import BoundedForm
from fangkong.core.querysets import covered
from fangkong.core.validators import DOCUMENT_MAX_LENGTH
from fangkong.core.widgets import phone_input
from fangkong.staff.choices import (
    LeadingGroupRole,
    OrganisationKind,
    PatrolFinding,
    TaskKind,
    TaskPriority,
)
from fangkong.staff.duty_hours import day_bounds, zone_of
from fangkong.staff.models import (
    Checkpoint,
    Organisation,
    Shift,
    ShiftAssignment,
    StaffMember,
    Team,
)
from fangkong.staff.services.patrols import MAX_PHOTOS

if TYPE_CHECKING:
    from fangkong.accounts.models import User

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def community_members(community: Area | None, user: User | None) -> QuerySet[StaffMember]:
    if community is None:
        return StaffMember.objects.none()
    return StaffMember.objects.restrict(user).filter(community=community, is_active=True)


def community_areas(community: Area | None) -> QuerySet[Area]:
    """The community and its grids (where a task, a duty or a person's work lies)."""
    if community is None:
        return Area.objects.none()
    return Area.objects.filter(pk__in=community.scope_below().areas)


def assignable_users(user: User | None, community: Area | None) -> QuerySet[User]:
    """Logins of the community within the assigner's own area (others are refused anyway)."""
    users: QuerySet[User] = User.objects.filter(is_active=True)
    if community is None:
        return users.none()
    users = users.filter(area_id__in=community.scope_below().areas)
    if user is not None:
        users = users.filter(Q(pk=user.pk) | Q(pk__in=covered(User.objects.all(), user)))
    return users.select_related("area").order_by("area__path", "full_name", "username")


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic in the stubs only
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} · {obj.get_role_display()} · {obj.area}"


# --- People ---------------------------------------------------------------------------------


class OrganisationForm(ServiceForm):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=OrganisationKind.choices)
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("active"), required=False, initial=True)

    instance_fields = ("kind", "name", "notes", "is_active")


class StaffMemberForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("organisation"), queryset=Organisation.objects.none()
    )
    position = forms.CharField(
        label=gettext_lazy("position"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For example: section chief, grid worker, gate guard."),
    )
    phone = forms.CharField(
        label=gettext_lazy("phone"), max_length=20, required=False, widget=phone_input()
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("area served"),
        queryset=Area.objects.none(),
        required=False,
        help_text=gettext_lazy("Left blank: the whole community."),
    )
    # The form's metaclass moves declared fields into ``base_fields``: ``self.user`` stays
    # ServiceForm's User, which the type checker cannot see.
    user: User | None = UserChoiceField(  # type: ignore[assignment]
        label=gettext_lazy("login"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Links the person's login, so that their tasks and shifts find them."
        ),
    )
    is_active = forms.BooleanField(label=gettext_lazy("active"), required=False, initial=True)
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)

    instance_fields = ("name", "organisation", "position", "area", "user", "is_active", "notes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(
            self, "organisation", forms.ModelChoiceField
        ).queryset = Organisation.objects.restrict(self.user).filter(community=self.community)
        field_of(self, "area", forms.ModelChoiceField).queryset = community_areas(self.community)
        field_of(self, "user", forms.ModelChoiceField).queryset = assignable_users(
            self.user, self.community
        )
        if self.instance is not None and self.instance.phone_mask:
            self.fields["phone"].help_text = _("Current: %(mask)s; leave blank to keep.") % {
                "mask": self.instance.phone_mask
            }

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if self.instance is not None and not data.get("phone"):
            data["phone"] = None  # blank keeps the stored number
        return data


class TeamForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    purpose = forms.CharField(label=gettext_lazy("purpose"), widget=forms.Textarea, required=False)
    leader = forms.ModelChoiceField(
        label=gettext_lazy("leader"), queryset=StaffMember.objects.none(), required=False
    )

    instance_fields = ("name", "purpose", "leader")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "leader", forms.ModelChoiceField).queryset = community_members(
            self.community, self.user
        )


class TeamMemberForm(ServiceForm):
    member = forms.ModelChoiceField(
        label=gettext_lazy("staff member"), queryset=StaffMember.objects.none()
    )
    duty = forms.CharField(label=gettext_lazy("duty"), max_length=200, required=False)

    def __init__(self, *args: Any, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, community=team.community if team else None, **kwargs)
        members = community_members(self.community, self.user)
        if team is not None:
            members = members.exclude(memberships__team=team)
        field_of(self, "member", forms.ModelChoiceField).queryset = members


class LeadingGroupForm(ServiceForm):
    name = forms.CharField(
        label=gettext_lazy("name"),
        max_length=100,
        initial=gettext_lazy("Epidemic prevention leading group"),
    )
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)

    instance_fields = ("name", "notes")


class SeatForm(ServiceForm):
    member = forms.ModelChoiceField(
        label=gettext_lazy("staff member"), queryset=StaffMember.objects.none()
    )
    role = forms.ChoiceField(
        label=gettext_lazy("role"),
        choices=LeadingGroupRole.choices,
        initial=LeadingGroupRole.MEMBER,
    )
    duty = forms.CharField(
        label=gettext_lazy("duty"),
        widget=forms.Textarea,
        required=False,
        help_text=gettext_lazy("What this person and their department answer for."),
    )
    sort_order = forms.IntegerField(
        label=gettext_lazy("order"), min_value=0, initial=0, required=False
    )

    instance_fields = ("member", "role", "duty", "sort_order")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            del self.fields["member"]  # a seat keeps its person; remove it and add another
        else:
            field_of(self, "member", forms.ModelChoiceField).queryset = community_members(
                self.community, self.user
            )


class ResponsibilityForm(ServiceForm):
    duty = forms.CharField(label=gettext_lazy("duty"), max_length=200)
    team = forms.ModelChoiceField(
        label=gettext_lazy("team"), queryset=Team.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("organisation"), queryset=Organisation.objects.none(), required=False
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=gettext_lazy("Left blank: the whole community."),
    )
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)
    sort_order = forms.IntegerField(
        label=gettext_lazy("order"), min_value=0, initial=0, required=False
    )

    instance_fields = ("duty", "team", "organisation", "area", "notes", "sort_order")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "team", forms.ModelChoiceField).queryset = Team.objects.restrict(
            self.user
        ).filter(community=self.community)
        field_of(
            self, "organisation", forms.ModelChoiceField
        ).queryset = Organisation.objects.restrict(self.user).filter(community=self.community)
        field_of(self, "area", forms.ModelChoiceField).queryset = community_areas(self.community)


# --- Checkpoints and shifts -----------------------------------------------------------------


class CheckpointForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    location = forms.CharField(label=gettext_lazy("location"), max_length=200, required=False)
    opens = forms.TimeField(
        label=gettext_lazy("opens"),
        required=False,
        widget=TIME_INPUT,
        help_text=gettext_lazy("Leave both times blank for a gate open round the clock."),
    )
    closes = forms.TimeField(label=gettext_lazy("closes"), required=False, widget=TIME_INPUT)
    is_open = forms.BooleanField(label=gettext_lazy("open"), required=False, initial=True)
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)

    instance_fields = ("name", "location", "opens", "closes", "is_open", "notes")


class ShiftForm(ServiceForm):
    checkpoint = forms.ModelChoiceField(
        label=gettext_lazy("checkpoint"), queryset=Checkpoint.objects.none(), required=False
    )
    place_name = forms.CharField(
        label=gettext_lazy("or another place"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For example: the community office."),
    )
    start = LocalDateTimeField(label=gettext_lazy("start"))
    end = LocalDateTimeField(label=gettext_lazy("end"))
    people_needed = forms.IntegerField(
        label=gettext_lazy("people needed"), min_value=1, max_value=50, initial=2
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=gettext_lazy("Its leader may assign people and approve swaps."),
    )
    notes = forms.CharField(label=gettext_lazy("notes"), max_length=200, required=False)

    instance_fields = ("checkpoint", "place_name", "start", "end", "people_needed", "team", "notes")

    def __init__(self, *args: Any, checkpoint: Checkpoint | None = None, **kwargs: Any) -> None:
        if checkpoint is not None and kwargs.get("instance") is None:
            kwargs["initial"] = {"checkpoint": checkpoint, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        field_of(self, "checkpoint", forms.ModelChoiceField).queryset = Checkpoint.objects.restrict(
            self.user
        ).filter(community=self.community)
        field_of(self, "team", forms.ModelChoiceField).queryset = Team.objects.restrict(
            self.user
        ).filter(community=self.community, is_active=True)


class AssignForm(ServiceForm):
    member = forms.ModelChoiceField(
        label=gettext_lazy("staff member"), queryset=StaffMember.objects.none()
    )

    def __init__(self, *args: Any, shift: Shift, **kwargs: Any) -> None:
        super().__init__(*args, community=shift.community, **kwargs)
        field_of(self, "member", forms.ModelChoiceField).queryset = community_members(
            self.community, self.user
        ).exclude(assignments__shift=shift)


class AssignmentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic in the stubs only
    tz: ZoneInfo | None = None

    def label_from_instance(self, obj: ShiftAssignment) -> str:
        shift = obj.shift
        start = timezone.localtime(shift.start, self.tz)
        end = timezone.localtime(shift.end, self.tz)
        return f"{obj.member} · {shift.place} {start:%H:%M}–{end:%H:%M}"


class MoveForm(ServiceForm):
    """Move a person from another shift of the same days to this one."""

    assignment = AssignmentChoiceField(
        label=gettext_lazy("person to move here"), queryset=ShiftAssignment.objects.none()
    )

    def __init__(
        self, *args: Any, shift: Shift, candidates: QuerySet[ShiftAssignment], **kwargs: Any
    ) -> None:
        super().__init__(*args, community=shift.community, **kwargs)
        field = field_of(self, "assignment", AssignmentChoiceField)
        field.queryset = candidates
        field.tz = zone_of(shift.community)


class SwapRequestForm(ServiceForm):
    to_member = forms.ModelChoiceField(
        label=gettext_lazy("who takes over"), queryset=StaffMember.objects.none()
    )
    return_shift = forms.ModelChoiceField(
        label=gettext_lazy("shift of theirs you take in return"),
        queryset=Shift.objects.none(),
        required=False,
        help_text=gettext_lazy("Optional: leave blank if they simply cover for you."),
    )
    note = forms.CharField(label=gettext_lazy("note"), max_length=200, required=False)

    def __init__(self, *args: Any, assignment: ShiftAssignment, **kwargs: Any) -> None:
        shift = assignment.shift
        super().__init__(*args, community=shift.community, **kwargs)
        # Colleagues of the community by name; whether they are free is the service's check.
        members = StaffMember.objects.filter(community=shift.community, is_active=True)
        field_of(self, "to_member", forms.ModelChoiceField).queryset = members.exclude(
            pk=assignment.member_id
        )
        later = Shift.objects.filter(community=shift.community, start__gt=timezone.now())
        field_of(self, "return_shift", forms.ModelChoiceField).queryset = later.exclude(
            pk=shift.pk
        ).select_related("checkpoint", "community")


class SwapDecisionForm(BoundedForm):
    decision = forms.ChoiceField(
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))]
    )
    note = forms.CharField(label=gettext_lazy("note"), max_length=200, required=False)


# --- Tasks ----------------------------------------------------------------------------------


class TaskForm(ServiceForm):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"), choices=TaskKind.choices, initial=TaskKind.GENERAL
    )
    description = forms.CharField(
        label=gettext_lazy("description"), widget=forms.Textarea, required=False
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL
    )
    due = LocalDateTimeField(label=gettext_lazy("due"), required=False)
    area = forms.ModelChoiceField(
        label=gettext_lazy("area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=gettext_lazy("Left blank: the whole community."),
    )
    assignee = UserChoiceField(
        label=gettext_lazy("assignee"), queryset=User.objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("team"), queryset=Team.objects.none(), required=False
    )

    instance_fields = ("title", "kind", "description", "priority", "due", "area")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            # Who does it changes through "reassign", which keeps a line in the trail.
            del self.fields["assignee"], self.fields["team"]
            if self.instance.kind not in TaskKind.values:
                field_of(self, "kind", forms.ChoiceField).choices = [
                    (self.instance.kind, self.instance.kind_label()),
                    *TaskKind.choices,
                ]
        else:
            field_of(self, "assignee", forms.ModelChoiceField).queryset = assignable_users(
                self.user, self.community
            )
            field_of(self, "team", forms.ModelChoiceField).queryset = Team.objects.restrict(
                self.user
            ).filter(community=self.community, is_active=True)
        areas = community_areas(self.community)
        if self.user is not None:  # a grid worker chooses among their own grids
            areas = covered(areas, self.user)
        field_of(self, "area", forms.ModelChoiceField).queryset = areas

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.instance is None and not data.get("assignee") and not data.get("team"):
            raise forms.ValidationError(_("Choose a person or a team for the task."))
        return data


class TaskNoteForm(BoundedForm):
    note = forms.CharField(
        label=gettext_lazy("what was done"), widget=forms.Textarea, required=False, max_length=2000
    )


class TaskCancelForm(BoundedForm):
    reason = forms.CharField(
        label=gettext_lazy("why it is cancelled"),
        max_length=200,
        error_messages={"required": gettext_lazy("Say why the task is cancelled.")},
    )


class TaskCommentForm(BoundedForm):
    text = forms.CharField(
        label=gettext_lazy("comment"),
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": gettext_lazy("Write a comment first.")},
    )


class TaskReassignForm(ServiceForm):
    assignee = UserChoiceField(
        label=gettext_lazy("assignee"), queryset=User.objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("team"), queryset=Team.objects.none(), required=False
    )
    note = forms.CharField(label=gettext_lazy("note"), max_length=200, required=False)

    def __init__(self, *args: Any, task: Any, **kwargs: Any) -> None:
        super().__init__(*args, community=task.community, **kwargs)
        self.initial.setdefault("assignee", task.assignee_id)
        self.initial.setdefault("team", task.team_id)
        if (
            task.team_id
            and self.user is not None
            and task.team.is_led_by(self.user)
            and not self.user.has_action("staff.task", "add")
        ):
            # A team leader hands out within the team only.
            users = User.objects.filter(staff_member__memberships__team=task.team)
            field_of(self, "assignee", forms.ModelChoiceField).queryset = users.select_related(
                "area"
            )
            field_of(self, "team", forms.ModelChoiceField).queryset = Team.objects.filter(
                pk=task.team_id
            )
        else:
            field_of(self, "assignee", forms.ModelChoiceField).queryset = assignable_users(
                self.user, self.community
            )
            field_of(self, "team", forms.ModelChoiceField).queryset = Team.objects.restrict(
                self.user
            ).filter(community=self.community, is_active=True)


# --- Patrols --------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos from one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PatrolForm(ServiceForm):
    checkpoint = forms.ModelChoiceField(
        label=gettext_lazy("checkpoint"), queryset=Checkpoint.objects.none()
    )
    time = LocalDateTimeField(label=gettext_lazy("time"))
    by_member = forms.ModelChoiceField(
        label=gettext_lazy("patrolled by"), queryset=StaffMember.objects.none(), required=False
    )
    on_duty = forms.ModelMultipleChoiceField(
        label=gettext_lazy("on duty (rostered today)"),
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Everyone else of the community in one compact list: a community holds some thirty
    # staff, and thirty checkboxes pushed the findings three screens down on a phone.
    others_on_duty = forms.ModelMultipleChoiceField(
        label=gettext_lazy("others on duty"),
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=gettext_lazy("Only if someone not on the roster was at the gate."),
    )
    findings = forms.MultipleChoiceField(
        label=gettext_lazy("findings"),
        choices=PatrolFinding.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Nothing ticked: all was in order."),
    )
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)
    photos = MultipleFileField(
        label=gettext_lazy("photos"),
        required=False,
        help_text=gettext_lazy("Up to %(n)s photos.") % {"n": MAX_PHOTOS},
    )
    follow_up = forms.BooleanField(label=gettext_lazy("raise a follow-up task"), required=False)
    follow_up_assignee = UserChoiceField(
        label=gettext_lazy("follow-up by"), queryset=User.objects.none(), required=False
    )
    follow_up_due = LocalDateTimeField(label=gettext_lazy("follow-up due"), required=False)

    def __init__(
        self,
        *args: Any,
        checkpoint: Checkpoint | None = None,
        on_duty_now: list[StaffMember] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "checkpoint", forms.ModelChoiceField).queryset = Checkpoint.objects.restrict(
            self.user
        ).filter(community=self.community)
        members = community_members(self.community, self.user)
        field_of(self, "by_member", forms.ModelChoiceField).queryset = members
        # The gate's roster today first; a posted form accepts anyone rostered at any of the
        # community's gates today (the checkpoint may have been changed on the form).
        rostered = rostered_today(self.community, None if self.is_bound else checkpoint)
        field_of(self, "on_duty", forms.ModelChoiceField).queryset = members.filter(pk__in=rostered)
        field_of(self, "others_on_duty", forms.ModelChoiceField).queryset = members.exclude(
            pk__in=rostered
        )
        field_of(self, "follow_up_assignee", forms.ModelChoiceField).queryset = assignable_users(
            self.user, self.community
        )
        if self.user is not None and not self.user.has_action("staff.task", "add"):
            # An official records what was found; the community's office raises the tasks.
            for name in ("follow_up", "follow_up_assignee", "follow_up_due"):
                del self.fields[name]
        tz = zone_of(self.community)
        self.initial.setdefault(
            "time", timezone.localtime(timezone.now(), tz).replace(second=0, microsecond=0)
        )
        if checkpoint is not None:
            self.initial.setdefault("checkpoint", checkpoint)
        if on_duty_now:
            self.initial.setdefault("on_duty", [m.pk for m in on_duty_now])
        mine = (
            StaffMember.objects.filter(user=self.user, community=self.community).first()
            if self.user is not None and self.user.is_authenticated
            else None
        )
        if mine is not None:
            self.initial.setdefault("by_member", mine)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        data["on_duty"] = [*(data.get("on_duty") or []), *(data.get("others_on_duty") or [])]
        return data


def rostered_today(community: Area | None, checkpoint: Checkpoint | None) -> QuerySet[Any]:
    """The ids of the staff rostered today at ``checkpoint`` (at any of the community's gates
    when ``None``), as a subquery."""
    if community is None:
        return StaffMember.objects.none().values("pk")
    tz = zone_of(community)
    start, end = day_bounds(today_in(tz), tz)
    shifts = Q(shift__community=community, shift__start__lt=end, shift__end__gt=start)
    if checkpoint is not None:
        shifts &= Q(shift__checkpoint=checkpoint)
    else:
        shifts &= Q(shift__checkpoint__isnull=False)
    return ShiftAssignment.objects.filter(shifts).values("member_id")


# --- The prevention plan --------------------------------------------------------------------


class PlanForm(BoundedForm):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("text"),
        widget=forms.Textarea(attrs={"rows": 20}),
        max_length=DOCUMENT_MAX_LENGTH,
        help_text=gettext_lazy(
            "Markdown: # heading, - list item, **bold**. HTML is shown as typed, never run."
        ),
    )
    summary = forms.CharField(label=gettext_lazy("what changed"), max_length=200, required=False)
    expected_number = forms.IntegerField(widget=forms.HiddenInput, required=False)
