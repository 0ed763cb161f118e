"""The caller's phone screen: today's list, one household, the call, its outcome, the answers.

Made for one hand on a 360×740 screen: the list is a column of big rows; a household's page
puts the members' call buttons first and the outcome buttons right under them; after the
answers the next household opens by itself. Names and phones are masked; the call button
posts to ``dial``, which logs the access and answers with a ``tel:`` redirect, so the full
number never appears in a page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.exceptions import ConflictError
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import (
    ObjectDetailView,
    PageView,
    ServiceActionView,
    ServiceFormView,
    TelRedirect,
    get_restricted_object,
    posted_version,
)
from fangkong.outreach.services import household_values, render_template
from fangkong.registry.models import Person
from fangkong.screening import services
from fangkong.screening.choices import REACHED_OUTCOMES, CampaignUnit, Outcome
from fangkong.screening.forms import AnswerForms, MovedForm
from fangkong.screening.masking import mask_name
from fangkong.screening.models import CallAssignment, CallAttempt, ScreeningRecord
from fangkong.screening.stats import call_list, next_due

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: Outcomes recorded straight from the household's page (no form to fill in).
QUICK_OUTCOMES = (Outcome.NO_ANSWER, Outcome.NUMBER_INVALID, Outcome.REFUSED)


def call_script(assignment: CallAssignment) -> str:
    """The campaign's call script with this household's fields filled in (empty without
    one): the library's script version the campaign picked."""
    version = assignment.campaign.script_version
    if version is None:
        return ""
    day = assignment.community.local_today()
    return render_template(version.text, household_values(assignment.household, day))


def get_assignment(user: User, pk: int) -> CallAssignment:
    assignment: CallAssignment = get_restricted_object(
        CallAssignment.objects.select_related(
            "campaign__questionnaire__current",
            "campaign__area",
            "household__building",
            "household__head",
            "grid",
            "community",
            "assignee",
        ),
        user,
        "view",
        pk=pk,
    )
    return assignment


def _member_rows(members: list[Person]) -> list[dict[str, Any]]:
    return [
        {
            "person": p,
            "name": mask_name(p.name),
            "phone": p.phone_mask,
            "can_dial": bool(p.phone_cipher),
            "relation": p.get_relation_display(),
            "age": p.age,
        }
        for p in members
    ]


def _after_save(request: AuthenticatedRequest, assignment: CallAssignment) -> HttpResponse:
    """On to the next household due, or back to the list when there is none."""
    following = next_due(request.user, after=assignment)
    if following is not None:
        return HttpResponseRedirect(reverse("screening:call", args=[following.pk]))
    messages.info(request, _("No more households due now."))
    return HttpResponseRedirect(reverse("screening:call_list"))


class CallListView(PageView):
    """My call list for today: due now, offered again later, door visits."""

    template_name = "screening/call_list.html"
    model = CallAssignment
    title = gettext_lazy("My calls today")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "calls": call_list(self.request.user)}


class CallView(ObjectDetailView):
    """One household: who lives there (masked), the call buttons, the script, the outcome."""

    template_name = "screening/call.html"
    model = CallAssignment

    def get_object(self, queryset: Any = None) -> CallAssignment:
        return get_assignment(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        assignment = self.object
        members = services.active_members(assignment.household_id)
        context = super().get_context_data(**kwargs)
        context.update(
            title=assignment.household.label,
            assignment=assignment,
            campaign=assignment.campaign,
            members=_member_rows(members),
            attempts=CallAttempt.objects.filter(assignment=assignment).select_related("caller")[
                :10
            ],
            can_call=services.may_call(user, assignment),
            quick_outcomes=[(o.value, o.label) for o in QUICK_OUTCOMES],
            landline=assignment.household.phone_mask,
            can_dial_landline=bool(assignment.household.phone_cipher),
            script_text=call_script(assignment),
        )
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        add_never_cache_headers(response)  # a shared phone's back button shows no stale list
        return response


class DialView(ServiceActionView):
    """POST: log the call (an access event) and hand the number to the phone's dialler.

    A POST, as the visitor call at the gate: an access event is a write, and a GET would be
    written again by any prefetch, crawler or reloaded history entry. GET answers 405."""

    def prepare(self) -> None:
        self.assignment = get_assignment(self.request.user, self.kwargs["pk"])
        self.person = None
        if self.kwargs["person_pk"]:
            self.person = get_object_or_404(
                Person, pk=self.kwargs["person_pk"], household_id=self.assignment.household_id
            )

    def get_back_url(self) -> str:
        return reverse("screening:call", args=[self.assignment.pk])

    def perform(self) -> HttpResponse:
        number = services.do_dial(self.assignment, by=self.request.user, person=self.person)
        response = TelRedirect(f"tel:{number}")
        add_never_cache_headers(response)
        return response


class OutcomeView(ServiceActionView):
    """POST: no answer, number invalid, or refused — recorded at once, then the next one."""

    def prepare(self) -> None:
        self.assignment = get_assignment(self.request.user, self.kwargs["pk"])
        self.outcome = self.request.POST.get("outcome", "")
        allowed = [o.value for o in QUICK_OUTCOMES]
        if self.assignment.campaign.is_notification:
            # A notification run asks no questions: "answered" is recorded at once too.
            allowed += [o.value for o in REACHED_OUTCOMES]
        if self.outcome not in allowed:
            raise Http404

    def get_back_url(self) -> str:
        return reverse("screening:call", args=[self.assignment.pk])

    def perform(self) -> HttpResponse:
        result = services.do_record_call(
            self.assignment,
            by=self.request.user,
            outcome=self.outcome,
            expected_version=posted_version(self.request),
            note=self.request.POST.get("note", ""),
        )
        said = {
            "household": self.assignment.household.label,
            "outcome": Outcome(self.outcome).label,
            "n": result.assignment.attempts,
        }
        if result.assignment.door_visit_task_id and not self.assignment.door_visit_task_id:
            # The household leaves the call list here: the worker must know where it went.
            messages.warning(
                self.request,
                _(
                    "%(household)s: %(outcome)s. Not reached in %(n)s calls: the household "
                    "now goes to a door visit (top of your call list)."
                )
                % said,
            )
        else:
            messages.success(self.request, _("%(household)s: %(outcome)s.") % said)
        return _after_save(self.request, self.assignment)


class AnswerView(ServiceFormView):
    """The questionnaire after an answered call or a visit; saving opens the next household.

    A refusal (a required answer missing, a temperature out of range, a future date) shows
    the reasons on the questions; a concurrent save (409) shows the caller's input again
    with the household's current record beside it. The page's form is several forms, one
    per member (``AnswerForms``).
    """

    template_name = "screening/answer.html"
    success_message = ""
    conflict_status = 409
    conflict: ConflictError | None = None

    def prepare(self) -> None:
        request = self.request
        self.assignment = get_assignment(request.user, self.kwargs["pk"])
        self.outcome = (
            request.POST.get("outcome") or request.GET.get("outcome") or (Outcome.ANSWERED)
        )
        if self.outcome not in REACHED_OUTCOMES:
            raise Http404
        campaign = self.assignment.campaign
        self.members = (
            services.active_members(self.assignment.household_id)
            if campaign.unit == CampaignUnit.PERSON
            else []
        )
        self.specs = services.version_specs(campaign.questionnaire.current_version)

    def get_form(self, form_class: Any = None) -> AnswerForms:
        data = self.request.POST if self.request.method == "POST" else None
        return AnswerForms(self.specs, self.members, data=data)

    def show_conflict(self, form: AnswerForms, exc: ConflictError) -> None:
        super().show_conflict(form, exc)
        self.conflict = exc

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        current = (
            list(
                ScreeningRecord.objects.filter(
                    assignment=self.assignment, is_current=True
                ).select_related("person")
            )
            if self.conflict
            else []
        )
        context.update(
            title=self.assignment.household.label,
            assignment=self.assignment,
            campaign=self.assignment.campaign,
            outcome=self.outcome,
            outcome_label=Outcome(self.outcome).label,
            sections=[
                {"person": p, "name": mask_name(p.name) if p else "", "form": f}
                for p, f in form.sections
            ],
            version=form.data.get("version") if form.is_bound else self.assignment.version,
            current_records=[
                {
                    "name": mask_name(r.person.name) if r.person else "",
                    "answers": [
                        (s.text, s.display(r.answers.get(s.code)))
                        for s in self.specs
                        if s.code in r.answers
                    ],
                }
                for r in current
            ],
            errors=form.top_errors,
            can_call=services.may_call(self.request.user, self.assignment),
        )
        return context

    def perform(self, form: AnswerForms) -> HttpResponse:
        services.do_record_call(
            self.assignment, by=self.request.user, outcome=self.outcome, **form.cleaned_data
        )
        messages.success(
            self.request,
            _("%(household)s: answers saved.") % {"household": self.assignment.household.label},
        )
        return _after_save(self.request, self.assignment)


class MovedView(ServiceFormView):
    """Moved away: who left and when, proposed to the grid worker for the registry."""

    template_name = "screening/moved.html"
    form_class = MovedForm
    success_message = ""

    def prepare(self) -> None:
        self.assignment = get_assignment(self.request.user, self.kwargs["pk"])
        self.members = services.active_members(self.assignment.household_id)

    def get_title(self) -> Any:
        return self.assignment.household.label

    def get_cancel_url(self) -> str:
        return reverse("screening:call", args=[self.assignment.pk])

    def get_initial(self) -> dict[str, Any]:
        return {"version": self.assignment.version}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "members": self.members}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "assignment": self.assignment}

    def perform(self, form: MovedForm) -> HttpResponse:
        data = form.cleaned_data
        services.do_record_call(
            self.assignment,
            by=self.request.user,
            outcome=Outcome.MOVED,
            expected_version=data.get("version"),
            moved_people=data["people"],
            moved_date=data.get("date"),
            note=data.get("note", ""),
        )
        messages.success(
            self.request,
            _("%(household)s: the move-out waits for the grid worker to confirm.")
            % {"household": self.assignment.household.label},
        )
        return _after_save(self.request, self.assignment)
