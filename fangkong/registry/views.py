"""Registry pages: a community's buildings, a building's households, a household's people.

Views are declarations on the core base classes; every change goes through a service. Pages
show masks and ages only; the full ID number and phone appear on one response, after a
reveal with a reason, and that response is never cached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.querysets import covers, works_in
from fangkong.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ServiceFormView,
    get_restricted_object,
    require_action,
)
from fangkong.registry import services
from fangkong.registry.choices import PersonStatus
from fangkong.registry.filtersets import PersonFilterSet, is_sensitive_query
from fangkong.registry.forms import (
    AssignGridsForm,
    BuildingForm,
    DeactivateForm,
    HouseholdForm,
    PersonForm,
    ReactivateForm,
    RevealForm,
)
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.stats import buildings_with_counts
from fangkong.registry.tables import HouseholdTable, MemberTable, PersonTable

if TYPE_CHECKING:
    from fangkong.accounts.models import User

# --- Shared helpers -------------------------------------------------------------------------


def get_community(user: User, pk: int) -> Area:
    """The community ``pk`` if the user sees it or a part of it (a grid worker: their grid).

    404 otherwise, as for any row outside the user's scope.
    """
    community = get_object_or_404(Area, pk=pk, level=AreaLevel.COMMUNITY)
    if not works_in(user, community.pk):
        raise Http404
    return community


def require_whole_community(user: User, community: Area) -> None:
    """Adding buildings, or people without a household, needs the whole community in scope."""
    if not covers(user, community):
        raise PermissionDenied


def breadcrumbs(
    *,
    community: Area | None = None,
    building: Building | None = None,
    household: Household | None = None,
    person: Person | None = None,
) -> list[dict[str, str]]:
    """community › building › household › person, as far as the page goes."""
    if person is not None:
        household = household or person.household
        community = community or person.community
    if household is not None:
        building = building or household.building
    if building is not None:
        community = community or building.community
    crumbs = []
    if community is not None:
        crumbs.append(
            {"url": reverse("registry:community", args=[community.pk]), "label": community.name}
        )
    for obj, label in ((building, str), (household, lambda h: f"{h.unit}-{h.room}"), (person, str)):
        if obj is not None:
            crumbs.append({"url": obj.get_absolute_url(), "label": label(obj)})
    return crumbs


def _people(user: User) -> QuerySet[Person]:
    return Person.objects.restrict(user).select_related("household__building", "community")


# --- Community ------------------------------------------------------------------------------


class CommunityView(ObjectDetailView):
    """A community's buildings as tiles grouped by section, with totals on top."""

    model = Area
    template_name = "registry/community.html"
    context_object_name = "community"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Area:
        require_action(self.request.user, Building, "view")
        return get_community(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, community = self.request.user, self.object
        # One query: the buildings with their counts; totals are summed from the same rows.
        buildings = list(
            buildings_with_counts(Building.objects.restrict(user).filter(community=community))
        )
        whole = covers(user, community)
        context.update(
            title=community.name,
            breadcrumbs=breadcrumbs(community=community),
            buildings=buildings,
            total_households=sum(b.household_count for b in buildings),
            total_residents=sum(b.resident_count for b in buildings),
            can_add_building=whole and user.has_action(Building, "add"),
            can_add_person=whole and user.has_action(Person, "add"),
            can_import=whole and user.has_action(Person, "import"),
        )
        return context


class AssignGridsView(ServiceFormView):
    """The community's building tiles with a tick box each, and a grid: the ticked buildings
    move to it in one service call (their households, people and passes follow). Area work:
    the page needs the right to change the community's areas, and shows no resident."""

    model = Area
    action = "change"
    form_class = AssignGridsForm
    template_name = "registry/assign_grids.html"
    invalid_status = 200
    submit_label = gettext_lazy("Move to this grid")
    community: Area

    def prepare(self) -> None:
        self.community = get_restricted_object(
            Area.objects.filter(level=AreaLevel.COMMUNITY, closed_at__isnull=True),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def check_permission(self) -> None:
        super().check_permission()
        if not covers(self.request.user, self.community, "change"):
            raise Http404

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community}

    def get_title(self) -> Any:
        return _("Buildings and grids of %(community)s") % {"community": self.community.name}

    def get_cancel_url(self) -> str:
        return self.community.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        chosen = {str(v) for v in (form["buildings"].value() or [])}
        context.update(
            community=self.community,
            tiles=[
                {"building": b, "checked": str(b.pk) in chosen}
                for b in form.fields["buildings"].queryset
            ],
        )
        return context

    def perform(self, form: AssignGridsForm) -> str:
        moved = services.do_assign_buildings_to_grid(
            community=self.community,
            buildings=[b.pk for b in form.cleaned_data["buildings"]],
            grid=form.cleaned_data["grid"],
            by=self.request.user,
        )
        self.success_message = _("%(count)s buildings moved to %(grid)s.") % {
            "count": moved,
            "grid": form.cleaned_data["grid"].name,
        }
        return reverse("registry:assign_grids", args=[self.community.pk])


# --- Buildings ------------------------------------------------------------------------------


class BuildingDetailView(ObjectDetailView):
    model = Building
    queryset = Building.objects.select_related("community", "grid")
    template_name = "registry/building_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, building = self.request.user, self.object
        households = (
            Household.objects.restrict(user)
            .filter(building=building)
            .select_related("head")
            .annotate(member_count=Count("members", filter=Q(members__status=PersonStatus.ACTIVE)))
        )
        context.update(
            title=str(building),
            breadcrumbs=breadcrumbs(building=building),
            households=HouseholdTable(households),
            can_change=user.has_action(Building, "change"),
            can_add_household=user.has_action(Household, "add"),
        )
        return context


class BuildingEditView(ObjectEditView):
    model = Building
    form_class = BuildingForm
    queryset = Building.objects.select_related("community", "grid")
    community: Area | None = None

    def check_add_permission(self) -> None:
        super().check_add_permission()
        self.community = get_community(self.request.user, self.kwargs["community_pk"])
        require_whole_community(self.request.user, self.community)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Edit %(name)s") % {"name": self.object} if self.object else _("New building"),
            breadcrumbs=breadcrumbs(community=self.community, building=self.object),
        )
        return context

    def get_cancel_url(self) -> str:
        if self.object is None:
            assert self.community is not None  # an add: check_add_permission set it
            return reverse("registry:community", args=[self.community.pk])
        return super().get_cancel_url()

    def create(self, form: BuildingForm) -> Building:
        assert self.community is not None  # set by check_add_permission
        return services.do_create_building(
            community=self.community, by=self.request.user, **form.service_data()
        )

    def update(self, obj: Building, form: BuildingForm) -> Building:
        return services.do_update_building(
            obj,
            by=self.request.user,
            expected_version=form.expected_version,
            **form.service_data(),
        )


# --- Households -----------------------------------------------------------------------------


class HouseholdDetailView(ObjectDetailView):
    model = Household
    queryset = Household.objects.select_related("building__community", "head", "community")
    template_name = "registry/household_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, household = self.request.user, self.object
        members = Person.objects.restrict(user).filter(household=household).order_by("status", "pk")
        context.update(
            title=household.label,
            breadcrumbs=breadcrumbs(household=household),
            members=MemberTable(members),
            can_change=user.has_action(Household, "change"),
            can_add_person=user.has_action(Person, "add"),
            # The household's own page (the selfservice module): its link and slip. Named by
            # label: the registry imports no module above it.
            can_self_service=user.has_action("selfservice.householdlink", "view"),
        )
        return context


class HouseholdEditView(ObjectEditView):
    model = Household
    form_class = HouseholdForm
    queryset = Household.objects.select_related("building__community", "community")
    building: Building | None = None

    def check_add_permission(self) -> None:
        super().check_add_permission()
        self.building = get_restricted_object(
            Building.objects.select_related("community"),
            self.request.user,
            "view",
            pk=self.kwargs["building_pk"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.object:
            title = _("Edit %(name)s") % {"name": self.object.label}
        else:
            title = _("New household in %(building)s") % {"building": self.building}
        context.update(
            title=title,
            breadcrumbs=breadcrumbs(building=self.building, household=self.object),
        )
        return context

    def get_cancel_url(self) -> str:
        if self.object is None:
            assert self.building is not None  # an add: check_add_permission set it
            return self.building.get_absolute_url()
        return super().get_cancel_url()

    def create(self, form: HouseholdForm) -> Household:
        assert self.building is not None  # set by check_add_permission
        return services.do_create_household(
            building=self.building, by=self.request.user, **form.service_data()
        )

    def update(self, obj: Household, form: HouseholdForm) -> Household:
        return services.do_update_household(
            obj,
            by=self.request.user,
            expected_version=form.expected_version,
            **form.service_data(),
        )


# --- People ---------------------------------------------------------------------------------


class PersonListView(ObjectListView):
    model = Person
    filterset_class = PersonFilterSet
    table_class = PersonTable
    template_name = "registry/person_list.html"
    title = gettext_lazy("People")

    def get_base_queryset(self) -> QuerySet[Person]:
        return super().get_base_queryset().select_related("household__building")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The search box posts. A harmless query becomes a shareable, pageable URL; an ID
        number or phone is answered here and never put in a URL, a link or the page."""
        query = request.POST.get("q", "").strip()
        if not is_sensitive_query(query):
            url = reverse("registry:person_list")
            return HttpResponseRedirect(f"{url}?{urlencode({'q': query})}")
        return self.get(request, *args, **kwargs)

    def get_filter_data(self) -> QueryDict:
        if self.request.method == "POST":
            data = QueryDict(mutable=True)
            data["q"] = self.request.POST.get("q", "")
            return data
        return self.request.GET

    def get_queryset(self) -> QuerySet[Person]:
        queryset = super().get_queryset()
        assert self.filterset is not None  # filterset_class is set
        # The filter form shows "active" first; an untouched list shows the same.
        return queryset if self.filterset.is_bound else queryset.filter(status=PersonStatus.ACTIVE)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        community = user.community if user.area_id else None
        whole = community is not None and covers(user, community)
        filtered = {k for k, v in self.request.GET.items() if v} - {"q", "page"}
        query = self.get_filter_data().get("q", "")
        assert self.filterset is not None  # filterset_class is set
        if is_sensitive_query(query):
            # Searched by the blind index; the number itself goes nowhere in the page.
            data = self.filterset.form.data.copy()
            data["q"] = ""
            self.filterset.form.data = data
            context["querystring"] = ""
            query = ""
        context.update(
            filters_open=bool(filtered) or bool(self.filterset.errors),
            search_value=query,
            can_export=user.has_action(Person, "export"),
            breadcrumbs=breadcrumbs(community=community) if community is not None else [],
            add_url=(
                reverse("registry:person_add_no_household", args=[community.pk])
                if whole and community is not None
                else None
            ),
        )
        return context


class PersonDetailView(ObjectDetailView):
    model = Person
    queryset = Person.objects.select_related("household__building__community", "community")
    template_name = "registry/person_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, person = self.request.user, self.object
        can_reveal = user.has_action(Person, "reveal")
        context.update(
            title=person.name,
            breadcrumbs=breadcrumbs(person=person),
            can_change=user.has_action(Person, "change"),
            can_deactivate=person.is_active and user.has_action(Person, "deactivate"),
            can_reactivate=not person.is_active and user.has_action(Person, "deactivate"),
            can_reveal=can_reveal,
            audit_url=reverse("core:audit_list") + f"?person={person.pk}",
        )
        if can_reveal:
            context.setdefault("reveal_form", RevealForm())
        if context["can_reactivate"]:
            context.setdefault("reactivate_form", ReactivateForm(instance=person, user=user))
        return context


class PersonRevealView(PersonDetailView):
    """POST only: one person's full ID number and phone, with a reason, audited, not cached."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = get_restricted_object(
            self.queryset, self.request.user, "reveal", pk=kwargs["pk"]
        )
        form = RevealForm(request.POST)
        revealed = None
        if form.is_valid():
            try:
                revealed = services.do_reveal_person(
                    self.object, by=self.request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form.add_error("reason", exc.message_dict.get("reason", exc.messages))
        context = self.get_context_data(object=self.object, reveal_form=form, revealed=revealed)
        response = self.render_to_response(context, status=200 if revealed else 400)
        add_never_cache_headers(response)  # includes no-store: the page holds full numbers
        return response


class PersonEditView(ObjectEditView):
    model = Person
    form_class = PersonForm
    queryset = Person.objects.select_related("household__building__community", "community")
    household: Household | None = None
    community: Area | None = None

    def check_add_permission(self) -> None:
        super().check_add_permission()
        user = self.request.user
        if "household_pk" in self.kwargs:
            self.household = get_restricted_object(
                Household.objects.select_related("building__community", "community"),
                user,
                "view",
                pk=self.kwargs["household_pk"],
            )
            self.community = self.household.community
        else:
            self.community = get_community(user, self.kwargs["community_pk"])
            require_whole_community(user, self.community)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "community": self.community,
            "household": self.household,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.object:
            title = _("Edit %(name)s") % {"name": self.object}
            crumbs = breadcrumbs(person=self.object)
        else:
            title = _("New person")
            crumbs = breadcrumbs(community=self.community, household=self.household)
        context.update(title=title, breadcrumbs=crumbs)
        return context

    def get_cancel_url(self) -> str:
        if self.object is not None:
            return super().get_cancel_url()
        if self.household is not None:
            return self.household.get_absolute_url()
        assert self.community is not None  # an add: check_add_permission set it
        return reverse("registry:community", args=[self.community.pk])

    def create(self, form: PersonForm) -> Person:
        assert self.community is not None  # set by check_add_permission
        return services.do_create_person(
            community=self.community, by=self.request.user, **form.service_data()
        )

    def update(self, obj: Person, form: PersonForm) -> Person:
        return services.do_update_person(
            obj,
            by=self.request.user,
            expected_version=form.expected_version,
            **form.service_data(),
        )


class PersonDeactivateView(ObjectEditView):
    """Moved out, moved house or died: a status, a date and a reason; the row stays."""

    model = Person
    form_class = DeactivateForm
    queryset = Person.objects.select_related("household__building__community", "community")
    template_name = "registry/person_deactivate.html"

    edit_action = "deactivate"  # leaving the registry is its own right

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Deactivate %(name)s") % {"name": self.object},
            breadcrumbs=breadcrumbs(person=self.object),
        )
        return context

    def update(self, obj: Person, form: DeactivateForm) -> Person:
        return services.do_deactivate_person(
            obj,
            by=self.request.user,
            expected_version=form.expected_version,
            **form.service_data(),
        )


class PersonReactivateView(ServiceFormView):
    """A deactivated person back in the registry, with a reason (their page holds the form;
    this page shows it again with what was wrong). The right is leaving's: ``deactivate``."""

    model = Person
    action = "deactivate"
    form_class = ReactivateForm
    template_name = "registry/person_reactivate.html"
    submit_label = gettext_lazy("Reactivate")
    success_message = gettext_lazy("Back in the registry.")

    def prepare(self) -> None:
        self.person = get_restricted_object(
            Person.objects.select_related("household__building__community", "community"),
            self.request.user,
            "view",
            pk=self.kwargs["pk"],
        )

    def refusal(self) -> str:
        return services.reactivation_refused()

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.person}

    def get_title(self) -> Any:
        return str(_("Reactivate %(name)s") % {"name": self.person})

    def get_cancel_url(self) -> str:
        return str(self.person.get_absolute_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "person": self.person,
            "breadcrumbs": breadcrumbs(person=self.person),
        }

    def perform(self, form: ReactivateForm) -> str:
        person = services.do_reactivate_person(
            self.person,
            by=self.request.user,
            expected_version=form.expected_version,
            **form.service_data(),
        )
        return person.get_absolute_url()
