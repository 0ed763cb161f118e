"""Quarantines: the list, one quarantine with its history and the household's pass, moving
its planned end (extend or shorten) and ending it — each with a reason and evidence."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.views import ObjectDetailView, get_restricted_object
from fangkong.health import services
from fangkong.health.clock import end_of_day
from fangkong.health.filtersets import QuarantineFilterSet, ReportFilterSet
from fangkong.health.forms import EndDateForm, EndForm
from fangkong.health.models import HealthReport, Quarantine, StatusChange
from fangkong.health.stats import user_today
from fangkong.health.tables import QuarantineTable, ReportTable
from fangkong.health.views.common import HealthFormView, HealthListView, change_answer
from fangkong.registry.models import Person

QUARANTINE_RELATED = ("person", "household__building", "community", "grid_worker", "contact__case")


class QuarantineListView(HealthListView):
    model = Quarantine
    filterset_class = QuarantineFilterSet
    table_class = QuarantineTable
    title = gettext_lazy("Quarantines")
    related = ("person", "household__building", "grid_worker")
    export_kind = "quarantines"

    def get_filter_data(self) -> Any:
        data = self.request.GET.copy()
        if not data:
            data["active"] = "true"  # untouched, the list shows who is under one now
        return data


class ReportListView(HealthListView):
    model = HealthReport
    filterset_class = ReportFilterSet
    table_class = ReportTable
    title = gettext_lazy("Health reports")
    related = ("person",)
    export_kind = "reports"

    def get_filter_data(self) -> Any:
        data = self.request.GET.copy()
        if not data:
            data["day"] = user_today(self.request.user).isoformat()
        return data


def household_pass(quarantine: Quarantine) -> Any:
    """The household's working pass, as the access module keeps it (for the page only: the
    gate never sees why)."""
    if not quarantine.household_id:
        return None
    from fangkong.access.choices import PassStatus
    from fangkong.access.models import Pass

    return (
        Pass.objects.filter(
            household_id=quarantine.household_id,
            status__in=[PassStatus.ACTIVE, PassStatus.SUSPENDED],
        )
        .order_by("pk")
        .first()
    )


class QuarantineDetailView(ObjectDetailView):
    model = Quarantine
    queryset = Quarantine.objects.select_related(*QUARANTINE_RELATED)
    template_name = "health/quarantine_detail.html"
    context_object_name = "quarantine"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, quarantine = self.request.user, self.object
        together = []
        if quarantine.whole_household and quarantine.batch:
            together = list(
                Quarantine.objects.restrict(user)
                .filter(batch=quarantine.batch)
                .exclude(pk=quarantine.pk)
                .select_related("person")
            )
        context.update(
            title=str(quarantine),
            history=StatusChange.objects.restrict(user)
            .filter(quarantine=quarantine)
            .order_by("created", "pk"),
            reports=HealthReport.objects.restrict(user)
            .filter(quarantine=quarantine)
            .order_by("-taken_at", "-pk")[:30],
            together=together,
            pass_=household_pass(quarantine),
            pass_until=(
                end_of_day(quarantine.planned_end, quarantine.community)
                if quarantine.kind == "home"
                else None
            ),
            day_number=quarantine.day_number(user_today(user)),
            can_change=quarantine.is_active and user.has_action(Quarantine, "change"),
            can_report=quarantine.is_active
            and user.has_action(HealthReport, "add")
            and Person.objects.restrict(user).filter(pk=quarantine.person_id).exists(),
        )
        return context


class QuarantineChangeView(HealthFormView):
    model = Quarantine
    quarantine: Quarantine

    def prepare(self) -> None:
        self.quarantine = get_restricted_object(
            Quarantine.objects.select_related(*QUARANTINE_RELATED),
            self.request.user,
            "view",
            pk=self.kwargs["pk"],
        )
        if not self.quarantine.is_active:
            raise Http404

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "quarantine": self.quarantine}

    def get_cancel_url(self) -> str:
        return self.quarantine.get_absolute_url()


class EndDateView(QuarantineChangeView):
    """Extend or shorten: one date, a reason and the evidence."""

    form_class = EndDateForm
    template_name = "health/quarantine_change.html"

    def get_initial(self) -> dict[str, Any]:
        return {"new_end": self.quarantine.planned_end, "version": self.quarantine.version}

    def get_title(self) -> str:
        return _("Extend or shorten %(quarantine)s") % {"quarantine": self.quarantine}

    def perform(self, form: EndDateForm) -> str:
        result = services.do_change_quarantine_end(
            self.quarantine,
            by=self.request.user,
            expected_version=form.expected_version,
            new_end=form.cleaned_data["new_end"],
            **form.evidence(),
        )
        return change_answer(self.request, result, self.quarantine.get_absolute_url())


class EndView(QuarantineChangeView):
    form_class = EndForm
    template_name = "health/quarantine_change.html"

    def get_initial(self) -> dict[str, Any]:
        return {"version": self.quarantine.version}

    def get_title(self) -> str:
        return _("End %(quarantine)s") % {"quarantine": self.quarantine}

    def perform(self, form: EndForm) -> str:
        result = services.do_end_quarantine(
            self.quarantine,
            by=self.request.user,
            expected_version=form.expected_version,
            ended_on=form.cleaned_data.get("ended_on"),
            **form.evidence(),
        )
        return change_answer(self.request, result, self.quarantine.get_absolute_url())
