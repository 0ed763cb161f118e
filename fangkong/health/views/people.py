"""A person's health record, and the actions that start from a person or a household:
record a case, start a quarantine (also from a contact link or a screening alert, prefilled),
enter a health report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.views import PageView, get_restricted_object, require_action
from fangkong.health import services
from fangkong.health.choices import (
    ChangeReason,
    EvidenceKind,
    QuarantineKind,
    ReportSource,
)
from fangkong.health.forms import CaseOpenForm, QuarantineStartForm, ReportForm
from fangkong.health.models import (
    Case,
    Contact,
    HealthReport,
    Quarantine,
    StatusChange,
)
from fangkong.health.services.policy import policy_for
from fangkong.health.views.common import HealthFormView, HealthListView, change_answer
from fangkong.registry.filtersets import PersonFilterSet, is_sensitive_query
from fangkong.registry.models import Household, Person
from fangkong.registry.tables import PersonTable

if TYPE_CHECKING:
    from fangkong.accounts.models import User

PERSON_RELATED = ("household__building", "community")


def get_person(user: User, pk: int) -> Person:
    person: Person = get_restricted_object(
        Person.objects.select_related(*PERSON_RELATED), user, "view", pk=pk
    )
    return person


class PersonFinderView(HealthListView):
    """Find a person to act on: by name, pinyin, room or ID number (the registry's search);
    untouched, the people under quarantine or monitoring."""

    model = Person
    filterset_class = PersonFilterSet
    table_class = PersonTable
    template_name = "health/person_list.html"
    title = gettext_lazy("People")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The search is posted, as the registry's: a harmless query becomes a URL; an ID
        number or phone is answered here and never put in a URL or the page."""
        query = request.POST.get("q", "").strip()
        if not is_sensitive_query(query):
            url = reverse("health:people")
            return HttpResponseRedirect(f"{url}?{urlencode({'q': query})}" if query else url)
        return self.get(request, *args, **kwargs)

    def _query(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return source.get("q", "").strip()

    def get_queryset(self) -> QuerySet[Person]:
        require_action(self.request.user, Quarantine, "view")
        people = Person.objects.restrict(self.request.user).select_related("household__building")
        query = self._query()
        self.filterset = PersonFilterSet(
            {"q": query} if query else None, queryset=people, request=self.request, page=True
        )
        if not query:
            active = Quarantine.objects.filter(person=OuterRef("pk"), ended_on__isnull=True)
            return people.filter(Exists(active))
        found: QuerySet[Person] = self.filterset.qs  # django_filters has no types
        return found

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self._query()
        context.update(query="" if is_sensitive_query(query) else query, searched=bool(query))
        if self.request.method == "POST":
            context["querystring"] = ""  # never carry a searched number into page links
        return context


class PersonHealthView(PageView):
    """A person's health status (as ``person_health_status`` tells the person), their
    cases, contact links, quarantines and recent reports, and what may be done next."""

    template_name = "health/person.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, Quarantine, "view")
        person = get_person(user, self.kwargs["pk"])
        quarantines = list(
            Quarantine.objects.restrict(user)
            .filter(person=person)
            .select_related("household__building", "grid_worker")
        )
        active = next((q for q in quarantines if q.is_active), None)
        can_change = user.has_action(Quarantine, "change")
        context = super().get_context_data(**kwargs)
        context.update(
            title=person.name,
            person=person,
            status=services.person_health_status(person),
            cases=Case.objects.restrict(user).filter(person=person),
            contacts=Contact.objects.restrict(user).filter(person=person).select_related("case"),
            quarantines=quarantines,
            active=active,
            reports=HealthReport.objects.restrict(user)
            .filter(person=person)
            .order_by("-taken_at", "-pk")[:20],
            changes=StatusChange.objects.restrict(user)
            .filter(person=person)
            .order_by("-created", "-pk")[:20],
            can_change=can_change,
            can_report=active is not None and user.has_action(HealthReport, "add"),
            alerts=open_alerts(person) if can_change and active is None else [],
        )
        return context


def open_alerts(person: Person) -> list[Any]:
    """The person's (or their household's) open screening alerts, to act on from here."""
    from fangkong.screening.choices import AlertStatus
    from fangkong.screening.services import alerts_for_person

    return [a for a in alerts_for_person(person) if a.status == AlertStatus.OPEN]


# --- Recording a case -----------------------------------------------------------------------


class CaseOpenView(HealthFormView):
    form_class = CaseOpenForm
    model = Case

    def prepare(self) -> None:
        self.person = get_person(self.request.user, self.kwargs["pk"])

    def get_title(self) -> str:
        return _("Record %(name)s as a case") % {"name": self.person.name}

    def get_cancel_url(self) -> str:
        return reverse("health:person", args=[self.person.pk])

    def perform(self, form: CaseOpenForm) -> str:
        result = services.do_open_case(
            person=self.person,
            by=self.request.user,
            classification=form.cleaned_data["classification"],
            **form.evidence(),
            **form.details(),
        )
        return change_answer(
            self.request, result, result.obj.get_absolute_url() if result.obj else ""
        )


# --- Starting a quarantine ------------------------------------------------------------------


class QuarantineStartView(HealthFormView):
    """Start a quarantine for a person, a whole household, a contact, or from an open
    screening alert — the last two with the form filled in from what is known."""

    form_class = QuarantineStartForm
    model = Quarantine
    template_name = "health/quarantine_start.html"
    person: Person | None = None
    household: Household | None = None
    contact: Contact | None = None
    alert: Any = None

    def prepare(self) -> None:
        user, kwargs = self.request.user, self.kwargs
        if "person_pk" in kwargs:
            self.person = get_person(user, kwargs["person_pk"])
        elif "household_pk" in kwargs:
            self.household = get_restricted_object(
                Household.objects.select_related("building", "community"),
                user,
                "view",
                pk=kwargs["household_pk"],
            )
        elif "contact_pk" in kwargs:
            self.contact = get_restricted_object(
                Contact.objects.select_related("case", "person__household__building"),
                user,
                "view",
                pk=kwargs["contact_pk"],
            )
            if self.contact.is_handed_over:
                raise Http404  # the other community quarantines them
            self.person = self.contact.person
        else:
            self.alert = self._alert(user, kwargs["alert_pk"])
            if self.alert.person_id:
                self.person = get_person(user, self.alert.person_id)
            else:
                self.household = self.alert.household
        anchor = self.person or self.household
        # Always one: a contact not handed over has its person, an alert its household.
        assert anchor is not None
        self.community = anchor.community

    @staticmethod
    def _alert(user: User, pk: int) -> Any:
        from fangkong.screening.choices import AlertStatus
        from fangkong.screening.models import Alert

        alert = get_restricted_object(
            Alert.objects.select_related("household__building", "record", "person"),
            user,
            "view",
            pk=pk,
        )
        if alert.status != AlertStatus.OPEN:
            raise Http404
        return alert

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "policy": policy_for(self.community)}

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"kind": QuarantineKind.HOME, "start_date": timezone.localdate()}
        if self.contact is not None:
            initial.update(
                last_exposure=self.contact.last_exposure,
                reason=(
                    ChangeReason.HOUSEHOLD_CONTACT
                    if self.contact.kind == "household"
                    else ChangeReason.CLOSE_CONTACT
                ),
                evidence_kind=EvidenceKind.CONTACT_LINK,
                evidence_ref=_("Contact %(contact)s of case %(case)s")
                % {"contact": self.contact.pk, "case": self.contact.case_id},
            )
        if self.alert is not None:
            initial.update(alert_prefill(self.alert))
        return initial

    def get_title(self) -> str:
        if self.person is not None:
            return _("Start a quarantine: %(name)s") % {"name": self.person.name}
        assert self.household is not None  # prepare() found a person or a household
        return _("Start a quarantine for the household %(household)s") % {
            "household": self.household.label
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        members = []
        if self.household is not None and self.person is None:
            members = list(
                Person.objects.restrict(self.request.user).filter(
                    household=self.household, status="active"
                )
            )
        context.update(
            person=self.person,
            household=self.household,
            contact=self.contact,
            alert=self.alert,
            members=members,
        )
        return context

    def get_cancel_url(self) -> str:
        if self.person is not None:
            return reverse("health:person", args=[self.person.pk])
        return reverse("health:today")

    def perform(self, form: QuarantineStartForm) -> str:
        data = form.cleaned_data
        result = services.do_start_quarantine(
            person=self.person,
            household=self.household if self.person is None else None,
            kind=data["kind"],
            by=self.request.user,
            start_date=data["start_date"],
            last_exposure=data.get("last_exposure"),
            period_days=data.get("period_days"),
            site=data.get("site") or "",
            contact=self.contact,
            alert=self.alert,
            **form.evidence(),
        )
        return change_answer(
            self.request, result, result.obj.get_absolute_url() if result.obj else ""
        )


def alert_prefill(alert: Any) -> dict[str, Any]:
    """What a screening alert's answers say about the quarantine to start: the kind, the
    reason, the evidence, and the last exposure (the return date of a trip)."""
    from fangkong.screening.questionnaires import parse_date

    answers = alert.record.answers if alert.record_id else {}
    kind, reason = {
        "contact": (QuarantineKind.HOME, ChangeReason.CLOSE_CONTACT),
        "travel": (QuarantineKind.MONITORING, ChangeReason.RISK_AREA),
        "fever": (QuarantineKind.MONITORING, ChangeReason.SYMPTOMS),
        "symptoms": (QuarantineKind.MONITORING, ChangeReason.SYMPTOMS),
    }.get(alert.kind, (QuarantineKind.HOME, ChangeReason.SCREENING_ALERT))
    prefill: dict[str, Any] = {
        "kind": kind,
        "reason": reason,
        "evidence_kind": EvidenceKind.SCREENING_ALERT,
        "evidence_ref": _("Screening alert %(alert)s: %(answers)s")
        % {"alert": alert.pk, "answers": alert.summary},
    }
    returned = parse_date(answers.get("return_date")) if answers.get("return_date") else None
    if returned is not None:
        prefill["last_exposure"] = returned
    prefill["evidence_ref"] = prefill["evidence_ref"][:200]
    return prefill


# --- Entering a report ----------------------------------------------------------------------


class ReportAddView(HealthFormView):
    """A grid worker enters a temperature (and symptoms) for someone under quarantine."""

    form_class = ReportForm
    model = HealthReport
    action = "add"
    template_name = "health/report_add.html"

    def prepare(self) -> None:
        self.person = get_person(self.request.user, self.kwargs["pk"])

    def get_title(self) -> str:
        return _("Health report: %(name)s") % {"name": self.person.name}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            person=self.person,
            threshold=self.person.community.fever_threshold,
            next_url=self.request.POST.get("next") or self.request.GET.get("next", ""),
            recent=HealthReport.objects.restrict(self.request.user)
            .filter(person=self.person)
            .order_by("-taken_at", "-pk")[:6],
        )
        return context

    def get_cancel_url(self) -> str:
        return reverse("health:person", args=[self.person.pk])

    def perform(self, form: ReportForm) -> str:
        data = form.cleaned_data
        report = services.do_add_report(
            person=self.person,
            by=self.request.user,
            temperature=data["temperature"],
            symptoms=data.get("symptoms") or [],
            taken_at=data.get("taken_at"),
            notes=data.get("notes") or "",
            source=ReportSource.GRID_WORKER,
        )
        if report.task_id:
            messages.warning(
                self.request,
                _(
                    "Urgent: a task has gone to the grid worker and "
                    "the health officer is to be told."
                ),
            )
        else:
            messages.success(self.request, _("Saved."))
        next_url = self.request.POST.get("next", "")
        return (
            next_url
            if next_url.startswith("/health/")
            else reverse("health:person", args=[self.person.pk])
        )
