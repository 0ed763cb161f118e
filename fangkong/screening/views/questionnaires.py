"""The questionnaire builder: add, reorder, condition and change questions; preview on a phone.

Every saved edit is a new version (the service's rule); the page always shows the current
one, and older versions can be previewed as they were asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import covers
from fangkong.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ServiceActionView,
    ServiceFormView,
    get_restricted_object,
    posted_version,
    require_action,
)
from fangkong.screening import services
from fangkong.screening.choices import QuestionKind
from fangkong.screening.forms import SHIPPED, AnswerForm, QuestionForm, QuestionnaireForm
from fangkong.screening.models import Questionnaire, QuestionnaireVersion
from fangkong.screening.views.common import office_only

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def get_questionnaire(user: User, pk: int) -> Questionnaire:
    require_action(user, Questionnaire, "view")
    questionnaire: Questionnaire = get_object_or_404(
        Questionnaire.objects.restrict(user).select_related("area", "current"), pk=pk
    )
    return questionnaire


def can_edit(user: User, questionnaire: Questionnaire) -> bool:
    """Only in the questionnaire's own area (a community cannot edit the district's), and
    only from an office's account."""
    return (
        user.has_action(Questionnaire, "change")
        and services.is_office(user)
        and covers(user, questionnaire.area)
    )


def get_editable_questionnaire(user: User, pk: int) -> Questionnaire:
    """A questionnaire to change: inside the user's own scope (else 404), theirs to edit."""
    questionnaire: Questionnaire = get_restricted_object(
        Questionnaire.objects.select_related("area", "current"), user, "view", pk=pk
    )
    if not can_edit(user, questionnaire):
        raise PermissionDeniedError("change", office_only())
    return questionnaire


class QuestionnaireListView(ObjectListView):
    model = Questionnaire
    template_name = "screening/questionnaire_list.html"
    title = gettext_lazy("Questionnaires")
    paginate_by = None  # an area's handful

    def get_base_queryset(self) -> QuerySet[Questionnaire]:
        user = self.request.user
        community = user.community if user.area_id else None
        if (
            community is not None
            and covers(user, community)
            and user.has_action(Questionnaire, "add")
        ):
            services.default_questionnaire(community)  # the shipped register, ready to use
        return super().get_base_queryset().select_related("area", "current")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            questionnaires=context["object_list"],
            can_add=user.area_id is not None
            and user.has_action(Questionnaire, "add")
            and services.is_office(user),
        )
        return context


class QuestionnaireEditView(ObjectEditView):
    """A new questionnaire (a copy of the shipped register or of another), or its name."""

    model = Questionnaire
    form_class = QuestionnaireForm
    queryset = Questionnaire.objects.select_related("area")
    template_name = "screening/form.html"

    def check_add_permission(self) -> None:
        super().check_add_permission()
        if self.request.user.area_id is None or not services.is_office(self.request.user):
            raise PermissionDeniedError("add", office_only())

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "pk" in kwargs:
            get_editable_questionnaire(self.request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = (
            _("Edit %(name)s") % {"name": self.object} if self.object else _("New questionnaire")
        )
        return context

    def get_cancel_url(self) -> str:
        return super().get_cancel_url() if self.object else reverse("screening:questionnaire_list")

    def create(self, form: QuestionnaireForm) -> Questionnaire:
        user = self.request.user
        start = form.cleaned_data.get("start_from") or SHIPPED
        specs = None
        if start != SHIPPED:
            source = get_questionnaire(user, int(start))
            specs = services.current_specs(source)
        if user.area is None:  # check_add_permission refused accounts without an area
            raise PermissionDeniedError("add", office_only())
        return services.do_create_questionnaire(
            area=user.area,
            by=user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            specs=specs,
        )

    def update(self, obj: Questionnaire, form: QuestionnaireForm) -> Questionnaire:
        return services.do_update_questionnaire(
            obj,
            by=self.request.user,
            expected_version=form.expected_version,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        )


class QuestionnaireDetailView(ObjectDetailView):
    """The builder: the current questions in order, with up, down, change and remove."""

    template_name = "screening/questionnaire_detail.html"
    model = Questionnaire
    queryset = Questionnaire.objects.select_related("area", "current")
    refuse_without_right = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        questionnaire = self.object
        specs = services.current_specs(questionnaire)
        by_code = {s.code: s for s in specs}
        questions = [
            {
                "spec": spec,
                "kind_label": QuestionKind(spec.kind).label,
                "first": i == 0,
                "last": i == len(specs) - 1,
                "condition": by_code.get(spec.show_if_code),
                "condition_answers": "、".join(
                    by_code[spec.show_if_code].label_of(v) for v in spec.show_if_values
                )
                if spec.show_if_code in by_code
                else "",
                "alert_answers": "、".join(spec.label_of(v) for v in spec.alert_values),
            }
            for i, spec in enumerate(specs)
        ]
        context = super().get_context_data(**kwargs)
        context.update(
            title=questionnaire.name,
            questionnaire=questionnaire,
            questions=questions,
            versions=questionnaire.versions.select_related("created_by").order_by("-number"),
            can_edit=can_edit(user, questionnaire),
        )
        return context


class QuestionEditView(ServiceFormView):
    """Add a question at the end, or change one (its code, which answers use, stays)."""

    form_class = QuestionForm
    template_name = "screening/form.html"
    success_message = gettext_lazy("Saved as a new version.")
    invalid_status = 200

    def prepare(self) -> None:
        self.questionnaire = get_editable_questionnaire(self.request.user, self.kwargs["pk"])
        self.specs = services.current_specs(self.questionnaire)
        self.editing = None
        if "code" in self.kwargs:
            self.editing = next((s for s in self.specs if s.code == self.kwargs["code"]), None)
            if self.editing is None:
                raise Http404

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "specs": self.specs,
            "editing": self.editing,
            "questionnaire": self.questionnaire,
        }

    def get_title(self) -> Any:
        return _("Change question") if self.editing else _("New question")

    def get_cancel_url(self) -> str:
        return self.questionnaire.get_absolute_url()

    def perform(self, form: QuestionForm) -> str:
        user = self.request.user
        spec = form.to_spec()
        if self.editing is None:
            services.do_add_question(
                self.questionnaire, spec, by=user, expected_version=form.expected_version
            )
        else:
            services.do_update_question(
                self.questionnaire,
                self.editing.code,
                spec,
                by=user,
                expected_version=form.expected_version,
            )
        return self.questionnaire.get_absolute_url()


class QuestionActionView(ServiceActionView):
    """POST: move a question up or down, or remove it. Each is a new version."""

    action = ""

    def prepare(self) -> None:
        self.questionnaire = get_editable_questionnaire(self.request.user, self.kwargs["pk"])

    def get_back_url(self) -> str:
        return self.questionnaire.get_absolute_url()

    def perform(self) -> str:
        code = self.kwargs["code"]
        expected = posted_version(self.request)
        if self.action == "remove":
            services.do_remove_question(
                self.questionnaire, code, by=self.request.user, expected_version=expected
            )
        else:
            services.do_move_question(
                self.questionnaire,
                code,
                up=self.request.POST.get("up") == "1",
                by=self.request.user,
                expected_version=expected,
            )
        return f"{self.get_back_url()}#q-{code}"


class QuestionnairePreviewView(ObjectDetailView):
    """The questionnaire as a caller sees it, in a phone-sized frame (any version)."""

    template_name = "screening/preview.html"
    model = Questionnaire
    queryset = Questionnaire.objects.select_related("area", "current")
    refuse_without_right = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        questionnaire = self.object
        number = self.request.GET.get("version", "")
        version = questionnaire.current
        if number.isdigit():
            version = get_object_or_404(
                QuestionnaireVersion, questionnaire=questionnaire, number=int(number)
            )
        form = AnswerForm(services.version_specs(version))
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Preview of %(name)s") % {"name": questionnaire.name},
            questionnaire=questionnaire,
            version=version,
            form=form,
        )
        return context
