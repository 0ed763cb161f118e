"""Cases and contacts: lists, a case's page with its contacts and history, editing its dates,
its classification and outcome (with evidence), linking contacts, and the chains."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.personal_data import id_number_indexes
from fangkong.core.views import ObjectDetailView, PageView, get_restricted_object, require_action
from fangkong.health import services
from fangkong.health.filtersets import CaseFilterSet, ContactFilterSet
from fangkong.health.forms import (
    PICK_LIMIT,
    CaseDetailsForm,
    ClassifyForm,
    ContactForm,
    OutcomeForm,
    contact_candidates,
)
from fangkong.health.models import Case, Contact, Quarantine, StatusChange
from fangkong.health.tables import CaseTable, ContactTable
from fangkong.health.views.common import HealthFormView, HealthListView, change_answer
from fangkong.registry.filtersets import is_sensitive_query
from fangkong.registry.models import Person
from fangkong.registry.search import search_people, validate_search_text

CASE_RELATED = ("person", "household__building", "building", "community", "source_contact__case")


class CaseListView(HealthListView):
    model = Case
    filterset_class = CaseFilterSet
    table_class = CaseTable
    title = gettext_lazy("Cases")
    related = ("person", "household__building", "building")
    export_kind = "cases"


class ContactListView(HealthListView):
    model = Contact
    filterset_class = ContactFilterSet
    table_class = ContactTable
    title = gettext_lazy("Close contacts")
    related = ("person", "case", "handed_over_to")
    export_kind = "contacts"


class CaseDetailView(ObjectDetailView):
    model = Case
    queryset = Case.objects.select_related(*CASE_RELATED)
    template_name = "health/case_detail.html"
    context_object_name = "case"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, case = self.request.user, self.object
        contacts = list(
            Contact.objects.restrict(user)
            .filter(case=case)
            .select_related("person", "handed_over_to", "became_case")
            .order_by("kind", "pk")
        )
        quarantined = set(
            Quarantine.objects.filter(
                person__in=[c.person_id for c in contacts],
                ended_on__isnull=True,
                community_id=case.community_id,
            ).values_list("person_id", flat=True)
        )
        for contact in contacts:
            contact.quarantined = contact.person_id in quarantined
        context.update(
            title=str(case),
            contacts=contacts,
            changes=StatusChange.objects.restrict(user)
            .filter(case=case)
            .order_by("-created", "-pk"),
            can_change=user.has_action(Case, "change"),
            can_add_contact=user.has_action(Contact, "add"),
        )
        return context


class _CaseFormView(HealthFormView):
    """A form on one case: the case found restricted, cancelling goes back to it."""

    model = Case
    case: Case

    def prepare(self) -> None:
        self.case = get_restricted_object(
            Case.objects.select_related(*CASE_RELATED),
            self.request.user,
            "view",
            pk=self.kwargs["pk"],
        )

    def get_cancel_url(self) -> str:
        return self.case.get_absolute_url()


class CaseEditView(_CaseFormView):
    """Dates, where the case was taken, places and notes: audited, no evidence needed."""

    form_class = CaseDetailsForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.case}

    def get_title(self) -> str:
        return _("Edit %(case)s") % {"case": self.case}

    def perform(self, form: CaseDetailsForm) -> str:
        details = form.details()
        details["taken_to"] = details.get("taken_to") or ""
        case = services.do_update_case(
            self.case, by=self.request.user, expected_version=form.expected_version, **details
        )
        messages.success(self.request, _("Saved."))
        return case.get_absolute_url()


class ClassifyView(_CaseFormView):
    form_class = ClassifyForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["initial"] = {
            "classification": self.case.classification,
            "version": self.case.version,
        }
        return kwargs

    def get_title(self) -> str:
        return _("Classification of %(case)s") % {"case": self.case}

    def perform(self, form: ClassifyForm) -> str:
        result = services.do_classify_case(
            self.case,
            by=self.request.user,
            expected_version=form.expected_version,
            classification=form.cleaned_data["classification"],
            confirmation_date=form.cleaned_data.get("confirmation_date"),
            **form.evidence(),
        )
        return change_answer(self.request, result, self.case.get_absolute_url())


class OutcomeView(_CaseFormView):
    form_class = OutcomeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["initial"] = {"outcome": self.case.outcome, "version": self.case.version}
        return kwargs

    def get_title(self) -> str:
        return _("Outcome of %(case)s") % {"case": self.case}

    def perform(self, form: OutcomeForm) -> str:
        result = services.do_record_outcome(
            self.case,
            by=self.request.user,
            expected_version=form.expected_version,
            outcome=form.cleaned_data["outcome"],
            outcome_date=form.cleaned_data.get("outcome_date"),
            **form.evidence(),
        )
        return change_answer(self.request, result, self.case.get_absolute_url())


class ContactAddView(HealthFormView):
    """Link a contact to a case: a household member, someone of this community found by
    their ID number, or someone of another community to hand over."""

    form_class = ContactForm
    model = Contact
    action = "add"
    template_name = "health/contact_add.html"
    case: Case

    def prepare(self) -> None:
        self.case = get_restricted_object(
            Case.objects.select_related(*CASE_RELATED),
            self.request.user,
            "view",
            pk=self.kwargs["pk"],
        )

        self.query, self.query_error, self.found = self._search()

    def _search(self) -> tuple[str, str, list[Person]]:
        """The picker's search (``?q=``): name, pinyin or room through the registry's indexed
        search, within the user's scope and the case's community. A whole ID number or phone
        is never put in a URL: the ID number field below takes it."""
        query = self.request.GET.get("q", "").strip()
        if not query:
            return "", "", []
        if is_sensitive_query(query):
            return "", _("Type a whole ID number in the ID number field below."), []
        try:
            validate_search_text(query)
        except ValidationError as exc:
            return query, " ".join(exc.messages), []
        people = search_people(contact_candidates(self.request.user, self.case), query)
        found = list(people.select_related("household__building")[: PICK_LIMIT + 1])
        if not found:
            return (
                query,
                _("Nobody of this community matches; try the room (1-2-301) or pinyin."),
                [],
            )
        if len(found) > PICK_LIMIT:
            return (
                query,
                _("More than %(n)s match; type more of the name.") % {"n": PICK_LIMIT},
                found[:PICK_LIMIT],
            )
        return query, "", found

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.case, "found": self.found}

    def get_title(self) -> str:
        return _("New contact of %(case)s") % {"case": self.case}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "case": self.case,
            "query": self.query,
            "query_error": self.query_error,
            "found": self.found,
        }

    def get_cancel_url(self) -> str:
        return self.case.get_absolute_url()

    def perform(self, form: ContactForm) -> str:
        data = form.cleaned_data
        common = {
            "case": self.case,
            "kind": data["kind"],
            "by": self.request.user,
            "last_exposure": data["last_exposure"],
            "how": data.get("how") or "",
        }
        if data.get("other_community"):
            contact = services.do_add_contact(
                other_community=data["other_community"],
                name=data.get("name") or "",
                id_number=data.get("id_number") or "",
                phone=data.get("phone") or "",
                **common,
            )
            messages.success(
                self.request,
                _("Handed over to %(community)s: its officer has a task.")
                % {"community": data["other_community"]},
            )
            return self.case.get_absolute_url()
        person = (
            data.get("person")
            or data.get("member")
            or self._by_id_number(data.get("id_number") or "")
        )
        contact = services.do_add_contact(person=person, **common)
        messages.success(self.request, _("Saved."))
        return reverse("health:contact_detail", args=[contact.pk])

    def _by_id_number(self, number: str) -> Person:
        # RestrictedQuerySet's own methods return it without the model: typed here.
        person: Person | None = (
            Person.objects.restrict(self.request.user)
            .filter(
                community_id=self.case.community_id, id_number_index__in=id_number_indexes(number)
            )
            .first()
        )
        if person is None:
            raise ValidationError(
                {
                    "id_number": _(
                        "Nobody with this ID number is registered in this community. If the "
                        "contact "
                        "lives in another community, choose it below."
                    )
                }
            )
        return person


class ContactDetailView(ObjectDetailView):
    model = Contact
    queryset = Contact.objects.select_related(
        "case__person", "person__household__building", "handed_over_to", "community"
    )
    template_name = "health/contact_detail.html"
    context_object_name = "contact"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, contact = self.request.user, self.object
        became = Case.objects.filter(source_contact=contact).first()
        context.update(
            title=str(contact),
            became=became,
            quarantines=Quarantine.objects.restrict(user).filter(contact=contact),
            can_quarantine=(
                not contact.is_handed_over
                and user.has_action(Quarantine, "change")
                and not Quarantine.objects.filter(
                    person=contact.person, ended_on__isnull=True
                ).exists()
            ),
            sees_person=Person.objects.restrict(user).filter(pk=contact.person_id).exists(),
        )
        return context


# --- Chains ---------------------------------------------------------------------------------


class ChainView(PageView):
    """Chains of transmission, one tree per cluster: a case, its contacts, and each contact
    who became a case with their own contacts below. Drawn as nested lists on the server."""

    template_name = "health/chains.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, Case, "view")
        cases = list(
            Case.objects.restrict(user)
            .select_related("person", "building")
            .order_by("report_date", "pk")
        )
        contacts = list(Contact.objects.restrict(user).select_related("person", "handed_over_to"))
        context = super().get_context_data(**kwargs)
        context.update(title=_("Chains of transmission"), trees=chain_trees(cases, contacts))
        return context


def chain_trees(cases: list[Case], contacts: list[Contact]) -> list[dict[str, Any]]:
    """Roots (cases not known before as a contact of a visible case) with nested nodes:
    ``{"case", "contacts": [{"contact", "child": node or None}], "size"}``."""
    by_case: dict[int, list[Contact]] = {}
    for contact in contacts:
        by_case.setdefault(contact.case_id, []).append(contact)
    case_of_contact = {c.source_contact_id: c for c in cases if c.source_contact_id}
    visible_contacts = {c.pk for c in contacts}

    def node(case: Case, seen: set[int]) -> dict[str, Any]:
        seen.add(case.pk)
        children = []
        size = 1
        for contact in sorted(by_case.get(case.pk, []), key=lambda c: (c.kind, c.pk)):
            child_case = case_of_contact.get(contact.pk)
            child = node(child_case, seen) if child_case and child_case.pk not in seen else None
            size += child["size"] if child else 0
            children.append({"contact": contact, "child": child})
        return {"case": case, "contacts": children, "size": size}

    roots = [c for c in cases if c.source_contact_id not in visible_contacts]
    trees = [node(case, set()) for case in roots]
    return sorted(trees, key=lambda t: (-t["size"], t["case"].report_date))
