"""People at work: the staff hub, organisations, staff members, teams, the leading group and
the responsibility matrix."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    PageView,
    ServiceActionView,
    get_restricted_object,
    require_action,
)
from fangkong.registry.views import get_community
from fangkong.staff import services
from fangkong.staff.forms import (
    LeadingGroupForm,
    OrganisationForm,
    ResponsibilityForm,
    SeatForm,
    StaffMemberForm,
    TeamForm,
    TeamMemberForm,
)
from fangkong.staff.models import (
    LeadingGroup,
    LeadingGroupMember,
    Organisation,
    PatrolVisit,
    PreventionPlan,
    Responsibility,
    Shift,
    StaffMember,
    Task,
    Team,
    TeamMembership,
)
from fangkong.staff.querysets import sees_area
from fangkong.staff.stats import staff_figures
from fangkong.staff.tables import OrganisationTable, StaffMemberTable
from fangkong.staff.views.base import CommunityPageMixin, StaffPageMixin, staff_crumbs

# --- The hub --------------------------------------------------------------------------------


class StaffHomeView(StaffPageMixin, PageView):
    """Where the staff pages start: one's own community, or the communities one oversees."""

    template_name = "staff/home.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_action(self.request.user, Task, "view")
        community = self.request.user.community if self.request.user.area_id else None
        if community is not None:
            return HttpResponseRedirect(reverse("staff:community", args=[community.pk]))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        communities = Area.objects.filter(level=AreaLevel.COMMUNITY).restrict(self.request.user)
        context.update(
            title=_("Staff and tasks"), communities=communities.order_by("path"), breadcrumbs=[]
        )
        return context


class CommunityStaffView(CommunityPageMixin, PageView):
    """A community's staff work at a glance: today's figures and every staff page."""

    model = Task
    template_name = "staff/community.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, community = self.request.user, self.community
        pages = [
            (Task, "view", "staff:my_tasks", None, _("My tasks")),
            (Shift, "view", "staff:my_shifts", None, _("My shifts")),
            (Task, "view", "staff:task_list", None, _("All tasks")),
            (Shift, "view", "staff:community_roster", community.pk, _("Roster this week")),
            (Shift, "view", "staff:swap_list", community.pk, _("Swap requests")),
            (Shift, "view", "staff:hours", community.pk, _("Hours served")),
            (PatrolVisit, "view", "staff:patrol_summary", community.pk, _("Patrols")),
            (Team, "view", "staff:team_list", community.pk, _("Teams")),
            (LeadingGroup, "view", "staff:leading_group", community.pk, _("Leading group")),
            (
                Responsibility,
                "view",
                "staff:responsibilities",
                community.pk,
                _("Responsibility matrix"),
            ),
            (PreventionPlan, "view", "staff:plan", community.pk, _("Prevention plan")),
            (StaffMember, "view", "staff:member_list", community.pk, _("Staff members")),
            (Organisation, "view", "staff:organisation_list", community.pk, _("Organisations")),
            (Shift, "view", "staff:checkpoint_list", community.pk, _("Checkpoints")),
        ]
        links = [
            {"url": reverse(name, args=[arg]) if arg else reverse(name), "label": label}
            for model, action, name, arg, label in pages
            if user.has_action(model, action)
        ]
        figures = staff_figures(user, community)
        context.update(
            title=community.name, figures=figures, links=links, breadcrumbs=staff_crumbs(None)
        )
        return context


# --- Organisations --------------------------------------------------------------------------


class CommunityListView(CommunityPageMixin, ObjectListView):
    """A list of one community's rows of ``model``."""

    def get_base_queryset(self) -> QuerySet[Any]:
        return super().get_base_queryset().filter(community=self.community)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["add_url"] = self.get_add_url() if context.get("can_add") else None
        return context

    def get_add_url(self) -> str | None:
        return None


class OrganisationListView(CommunityListView):
    model = Organisation
    table_class = OrganisationTable
    title = gettext_lazy("Organisations")

    def get_base_queryset(self) -> QuerySet[Organisation]:
        organisations: QuerySet[Organisation] = super().get_base_queryset()
        # GROUP BY drops the default ordering: say it again for a stable paging.
        return organisations.annotate(member_count=Count("members")).order_by("name", "pk")

    def get_add_url(self) -> str:
        return reverse("staff:organisation_add", args=[self.community.pk])


class OrganisationDetailView(StaffPageMixin, ObjectDetailView):
    model = Organisation
    queryset = Organisation.objects.select_related("community")
    template_name = "staff/organisation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        org, user = self.object, self.request.user
        members = (
            StaffMember.objects.restrict(user)
            .filter(organisation=org)
            .select_related("organisation", "area", "user")
        )
        context.update(
            title=org.name,
            members=StaffMemberTable(members),
            can_change=user.has_action(Organisation, "change"),
            breadcrumbs=staff_crumbs(
                org.community,
                (
                    reverse("staff:organisation_list", args=[org.community_id]),
                    _("Organisations"),
                ),
            ),
        )
        return context


class CommunityEditView(StaffPageMixin, ObjectEditView):
    """Create (``community_pk`` in the URL) or edit a community's row through a service."""

    def check_add_permission(self) -> None:
        super().check_add_permission()
        self.community = get_community(self.request.user, self.kwargs["community_pk"])
        if not sees_area(self.request.user, self.community):
            raise PermissionDenied

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.page_community()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = (
            _("Edit %(name)s") % {"name": self.object}
            if self.object
            else _("New %(what)s") % {"what": self.model._meta.verbose_name}
        )
        return context


class OrganisationEditView(CommunityEditView):
    model = Organisation
    form_class = OrganisationForm

    def get_cancel_url(self) -> str:
        if self.object is None:
            return reverse("staff:organisation_list", args=[self.required_community().pk])
        return super().get_cancel_url()

    def create(self, form: OrganisationForm) -> Organisation:
        return services.do_create_organisation(
            community=self.required_community(), by=self.request.user, **form.service_data()
        )

    def update(self, obj: Organisation, form: OrganisationForm) -> Organisation:
        return services.do_update_organisation(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )


# --- Staff members --------------------------------------------------------------------------


class StaffMemberListView(CommunityListView):
    model = StaffMember
    table_class = StaffMemberTable
    title = gettext_lazy("Staff members")

    def get_base_queryset(self) -> QuerySet[StaffMember]:
        return super().get_base_queryset().select_related("organisation", "area", "user")

    def get_add_url(self) -> str:
        return reverse("staff:member_add", args=[self.community.pk])


class StaffMemberDetailView(StaffPageMixin, ObjectDetailView):
    model = StaffMember
    queryset = StaffMember.objects.select_related("organisation", "area", "user", "community")
    template_name = "staff/member_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        member, user = self.object, self.request.user
        context.update(
            title=member.name,
            member=member,
            teams=TeamMembership.objects.filter(member=member).select_related("team"),
            seats=LeadingGroupMember.objects.filter(member=member).select_related("group"),
            can_change=user.has_action(StaffMember, "change"),
            breadcrumbs=staff_crumbs(
                member.community,
                (
                    reverse("staff:member_list", args=[member.community_id]),
                    _("Staff members"),
                ),
            ),
        )
        return context


class StaffMemberEditView(CommunityEditView):
    model = StaffMember
    form_class = StaffMemberForm
    queryset = StaffMember.objects.select_related("organisation", "area", "user", "community")

    def create(self, form: StaffMemberForm) -> StaffMember:
        return services.do_create_staff_member(
            community=self.required_community(), by=self.request.user, **form.service_data()
        )

    def update(self, obj: StaffMember, form: StaffMemberForm) -> StaffMember:
        return services.do_update_staff_member(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )

    def get_cancel_url(self) -> str:
        if self.object is None:
            return reverse("staff:member_list", args=[self.required_community().pk])
        return super().get_cancel_url()


# --- Teams ----------------------------------------------------------------------------------


class TeamListView(CommunityPageMixin, PageView):
    """The community's teams with their purpose, leader and members."""

    model = Team
    template_name = "staff/team_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        memberships = TeamMembership.objects.select_related("member").order_by("member__name")
        teams = (
            Team.objects.restrict(user)
            .filter(community=self.community)
            .select_related("leader")
            .prefetch_related(Prefetch("memberships", queryset=memberships))
        )
        context.update(
            title=_("Teams"),
            teams=teams,
            can_add=user.has_action(Team, "add") and sees_area(user, self.community),
        )
        return context


class TeamDetailView(StaffPageMixin, ObjectDetailView):
    model = Team
    queryset = Team.objects.select_related("community", "leader")
    template_name = "staff/team_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        team, user = self.object, self.request.user
        can_change = user.has_action(Team, "change")
        context.update(
            title=team.name,
            team=team,
            memberships=team.memberships.select_related("member__organisation"),
            responsibilities=team.responsibilities.select_related("area"),
            can_change=can_change,
            member_form=TeamMemberForm(user=user, team=team) if can_change else None,
            breadcrumbs=staff_crumbs(
                team.community,
                (
                    reverse("staff:team_list", args=[team.community_id]),
                    _("Teams"),
                ),
            ),
        )
        return context


class TeamEditView(CommunityEditView):
    model = Team
    form_class = TeamForm
    queryset = Team.objects.select_related("community", "leader")

    def create(self, form: TeamForm) -> Team:
        return services.do_create_team(
            community=self.required_community(), by=self.request.user, **form.service_data()
        )

    def update(self, obj: Team, form: TeamForm) -> Team:
        return services.do_update_team(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )

    def get_cancel_url(self) -> str:
        if self.object is None:
            return reverse("staff:team_list", args=[self.required_community().pk])
        return super().get_cancel_url()


class TeamMemberAddView(ServiceActionView):
    model = Team
    success_message = gettext_lazy("Added to the team.")

    def act(self, team: Team, data: dict[str, Any]) -> Any:
        form = TeamMemberForm(self.request.POST, user=self.request.user, team=team)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        return services.do_add_team_member(
            team,
            member=form.cleaned_data["member"],
            duty=form.cleaned_data.get("duty", ""),
            by=self.request.user,
        )


class TeamMemberRemoveView(ServiceActionView):
    model = TeamMembership
    success_message = gettext_lazy("Removed from the team.")

    def get_object(self) -> TeamMembership:
        membership: TeamMembership = get_restricted_object(
            TeamMembership.objects.select_related("team"),
            self.request.user,
            "view",
            pk=self.kwargs["membership_pk"],
            team_id=self.kwargs["pk"],
        )
        return membership

    def act(self, membership: TeamMembership, data: dict[str, Any]) -> None:
        services.do_remove_team_member(membership, by=self.request.user)

    def redirect_to(self, membership: TeamMembership, result: Any) -> str:
        return reverse("staff:team_detail", args=[membership.team_id])


# --- The leading group ----------------------------------------------------------------------


class LeadingGroupView(CommunityPageMixin, PageView):
    """The leading group: head, deputies and members, each with what they answer for."""

    model = LeadingGroup
    template_name = "staff/leading_group.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        group = LeadingGroup.objects.restrict(user).filter(community=self.community).first()
        seats = (
            group.seats.select_related("member__organisation").order_by("sort_order", "pk")
            if group
            else []
        )
        context.update(
            title=group.name if group else _("Leading group"),
            group=group,
            seats=seats,
            can_change=user.has_action(LeadingGroup, "change") and sees_area(user, self.community),
        )
        return context


class LeadingGroupEditView(CommunityPageMixin, ObjectEditView):
    """Set up or rename the leading group (one per community)."""

    # ObjectEditView declares ``model`` a ClassVar, the mixin (like PageView) an instance
    # variable; both hold the class, and mypy cannot merge the two declarations.
    model = LeadingGroup  # type: ignore[misc]
    action = "change"
    form_class = LeadingGroupForm

    def check_add_permission(self) -> None:
        if not sees_area(self.request.user, self.community):
            raise PermissionDenied
        self.object = LeadingGroup.objects.filter(community=self.community).first()

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = _("Leading group")
        return context

    def get_cancel_url(self) -> str:
        return reverse("staff:leading_group", args=[self.community.pk])

    def form_valid(self, form: LeadingGroupForm) -> HttpResponse:
        # One form for both: the service creates the group or renames it.
        self.object = None
        return super().form_valid(form)

    def create(self, form: LeadingGroupForm) -> LeadingGroup:
        data = form.service_data()
        return services.do_save_leading_group(
            community=self.community,
            by=self.request.user,
            name=data["name"],
            notes=data.get("notes", ""),
        )


class SeatEditView(CommunityEditView):
    """Add a seat to the leading group (community page) or change one's role and duty."""

    model = LeadingGroupMember
    form_class = SeatForm
    queryset = LeadingGroupMember.objects.select_related("group", "member", "community")

    def get_cancel_url(self) -> str:
        community = self.required_community()
        return reverse("staff:leading_group", args=[community.pk])

    def create(self, form: SeatForm) -> LeadingGroupMember:
        data = form.service_data()
        group = LeadingGroup.objects.filter(community=self.community).first()
        if group is None:  # the first seat sets the group up under its usual name
            group = services.do_save_leading_group(
                community=self.required_community(),
                by=self.request.user,
                name=_("Epidemic prevention leading group"),
            )
        return services.do_add_leading_group_member(
            group,
            member=data["member"],
            role=data["role"],
            duty=data.get("duty", ""),
            sort_order=data.get("sort_order") or 0,
            by=self.request.user,
        )

    def update(self, obj: LeadingGroupMember, form: SeatForm) -> LeadingGroupMember:
        return services.do_update_leading_group_member(
            obj,
            by=self.request.user,
            expected_version=form.expected_version,
            **form.service_data(),
        )


class SeatRemoveView(ServiceActionView):
    model = LeadingGroupMember
    success_message = gettext_lazy("Removed from the leading group.")

    def act(self, seat: LeadingGroupMember, data: dict[str, Any]) -> None:
        services.do_remove_leading_group_member(seat, by=self.request.user)

    def redirect_to(self, seat: LeadingGroupMember, result: Any) -> str:
        return reverse("staff:leading_group", args=[seat.community_id])


# --- The responsibility matrix --------------------------------------------------------------


class ResponsibilityMatrixView(CommunityPageMixin, PageView):
    """Who answers for which duty where, on one printable page."""

    model = Responsibility
    template_name = "staff/responsibilities.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        lines = (
            Responsibility.objects.restrict(user)
            .filter(community=self.community)
            .select_related("team__leader", "organisation", "area")
        )
        group = LeadingGroup.objects.restrict(user).filter(community=self.community).first()
        context.update(
            title=_("Responsibility matrix"),
            lines=lines,
            group=group,
            seats=group.seats.select_related("member").order_by("sort_order", "pk")
            if group
            else [],
            can_change=user.has_action(Responsibility, "change")
            and sees_area(user, self.community),
        )
        return context


class ResponsibilityEditView(CommunityEditView):
    model = Responsibility
    form_class = ResponsibilityForm
    queryset = Responsibility.objects.select_related("community", "team", "organisation", "area")

    def create(self, form: ResponsibilityForm) -> Responsibility:
        return services.do_create_responsibility(
            community=self.required_community(), by=self.request.user, **form.service_data()
        )

    def update(self, obj: Responsibility, form: ResponsibilityForm) -> Responsibility:
        return services.do_update_responsibility(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )

    def get_cancel_url(self) -> str:
        return reverse("staff:responsibilities", args=[self.required_community().pk])


class ResponsibilityDeleteView(ServiceActionView):
    model = Responsibility
    success_message = gettext_lazy("Removed from the matrix.")

    def act(self, line: Responsibility, data: dict[str, Any]) -> None:
        services.do_delete_responsibility(line, by=self.request.user)

    def redirect_to(self, line: Responsibility, result: Any) -> str:
        return reverse("staff:responsibilities", args=[line.community_id])
