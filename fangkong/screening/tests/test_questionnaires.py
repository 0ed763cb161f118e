"""Questionnaires: branching, required answers, alerts, and versions that answers keep."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fangkong.core.models import ObjectChange
from fangkong.screening.choices import AlertKind, AlertLevel, Outcome, QuestionKind
from fangkong.screening.models import Question, Questionnaire, ScreeningRecord
from fangkong.screening.questionnaires import (
    QuestionSpec,
    alert_hits,
    clean_answers,
    validate_specs,
)
from fangkong.screening.register import default_questions
from fangkong.screening.services import (
    current_specs,
    default_questionnaire,
    do_add_question,
    do_move_question,
    do_record_call,
    do_remove_question,
    do_update_question,
)
from fangkong.screening.tests.factories import (
    QuestionnaireFactory,
    assignment_of,
    good_answers,
    short_questions,
    started_campaign,
    street_of_households,
)

TODAY = dt.date(2020, 2, 20)


# --- Branching and checking (no database) ---------------------------------------------------


def test_a_question_shown_only_after_yes_is_required_only_then() -> None:
    specs = short_questions()
    # "no" to travel: the return date is not asked, so not required
    assert clean_answers(specs, good_answers(), today=TODAY)["travelled"] == "no"
    # "yes": now the return date is required
    with pytest.raises(ValidationError) as exc:
        clean_answers(specs, good_answers(travelled="yes"), today=TODAY)
    assert list(exc.value.message_dict) == ["return_date"]


def test_answers_to_questions_not_shown_are_dropped() -> None:
    answers = clean_answers(short_questions(), good_answers(return_date="2020-02-01"), today=TODAY)
    assert "return_date" not in answers


def test_a_chain_of_conditions_hides_the_grandchild_with_the_child() -> None:
    specs = [s for s in default_questions() if s.code in {"travelled", "transport", "trip_number"}]
    answers = clean_answers(
        specs, {"travelled": "no", "transport": "train", "trip_number": "G1"}, today=TODAY
    )
    assert answers == {"travelled": "no"}
    answers = clean_answers(
        specs, {"travelled": "yes", "transport": "train", "trip_number": "G1"}, today=TODAY
    )
    assert answers["trip_number"] == "G1"


def test_every_kind_of_answer_is_checked() -> None:
    specs = [
        QuestionSpec("n", "人数", QuestionKind.NUMBER, min_value=Decimal(0), max_value=Decimal(20)),
        QuestionSpec(
            "m",
            "需求",
            QuestionKind.MULTIPLE,
            choices=[{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}],
        ),
        QuestionSpec(
            "s",
            "方式",
            QuestionKind.SINGLE,
            choices=[{"value": "x", "label": "自驾"}, {"value": "y", "label": "火车"}],
        ),
    ]
    assert clean_answers(specs, {"n": "3", "m": ["b", "a"], "s": "y"}, today=TODAY) == {
        "n": "3",
        "m": ["a", "b"],
        "s": "y",
    }
    with pytest.raises(ValidationError) as exc:
        clean_answers(specs, {"n": "21", "m": ["c"], "s": "z"}, today=TODAY)
    assert set(exc.value.message_dict) == {"n", "m", "s"}


def test_an_import_may_write_answers_as_people_do() -> None:
    specs = default_questions()
    raw = {
        "travelled": "是",
        "return_date": "2020年2月3日",
        "origin": "湖北省武汉市",
        "high_risk_area": "否",
        "transport": "火车/高铁",
        "trip_number": "G1234",
        "contact": "无",
        "fever": "N",
        "symptoms": "咳嗽、乏力",
        "temperature": "36.8℃",
        "quarantine": "居家隔离中",
        "special_needs": "无",
    }
    answers = clean_answers(specs, raw, today=TODAY, lenient=True)
    assert answers["travelled"] == "yes"
    assert answers["return_date"] == "2020-02-03"
    assert answers["transport"] == "train"
    assert answers["symptoms"] == ["cough", "fatigue"]
    assert answers["temperature"] == "36.8"
    assert answers["quarantine"] == "home"


def test_fever_alerts_start_at_the_communitys_threshold() -> None:
    specs = short_questions()
    below = alert_hits(specs, good_answers(temperature="37.2"), fever_threshold=Decimal("37.3"))
    at = alert_hits(specs, good_answers(temperature="37.3"), fever_threshold=Decimal("37.3"))
    stricter = alert_hits(specs, good_answers(temperature="37.2"), fever_threshold=Decimal("37.0"))
    assert below == []
    assert [h.kind for h in at] == [AlertKind.FEVER]
    assert [h.kind for h in stricter] == [AlertKind.FEVER]


def test_the_most_serious_alert_comes_first() -> None:
    hits = alert_hits(
        short_questions(),
        good_answers(contact="yes", temperature="38.5"),
        fever_threshold=Decimal("37.3"),
    )
    assert [h.level for h in hits] == [AlertLevel.URGENT, AlertLevel.HIGH]


def test_a_questionnaire_that_does_not_hang_together_is_refused() -> None:
    later = [
        QuestionSpec("a", "甲", QuestionKind.YES_NO, show_if_code="b", show_if_values=["yes"]),
        QuestionSpec("b", "乙", QuestionKind.YES_NO),
    ]
    with pytest.raises(ValidationError, match="earlier question"):
        validate_specs(later)
    with pytest.raises(ValidationError, match="raise alerts"):
        validate_specs(
            [QuestionSpec("t", "备注", QuestionKind.TEXT, alert_kind="other", alert_level="high")]
        )
    with pytest.raises(ValidationError, match="code"):
        validate_specs(
            [QuestionSpec("a", "甲", QuestionKind.TEXT), QuestionSpec("a", "乙", QuestionKind.TEXT)]
        )


def test_the_shipped_register_hangs_together() -> None:
    validate_specs(default_questions())


# --- Versions -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_shipped_register_is_made_once_per_community(community_a: Any) -> None:
    first = default_questionnaire(community_a)
    again = default_questionnaire(community_a)
    assert first == again
    assert first.name == "排查登记表"
    assert first.current.number == 1
    assert len(current_specs(first)) == len(default_questions())


@pytest.mark.django_db
def test_every_saved_edit_is_a_new_version(community_a: Any, officer_a: Any) -> None:
    questionnaire = QuestionnaireFactory(area=community_a)
    do_add_question(
        questionnaire,
        QuestionSpec("cough", "是否咳嗽？", QuestionKind.YES_NO),
        by=officer_a,
        expected_version=questionnaire.version,
    )
    questionnaire.refresh_from_db()
    do_move_question(questionnaire, "cough", up=True, by=officer_a)
    questionnaire.refresh_from_db()

    assert questionnaire.current.number == 3
    assert [s.code for s in current_specs(questionnaire)][-2:] == ["cough", "notes"]
    # The first version is untouched
    first = questionnaire.versions.get(number=1)
    assert "cough" not in set(first.questions.values_list("code", flat=True))
    assert (
        ObjectChange.objects.filter(
            content_type__model="questionnaire", object_id=str(questionnaire.pk)
        ).count()
        == 3
    )


@pytest.mark.django_db
def test_answers_keep_the_version_they_were_given_in(
    community_a: Any, grid_a1: Any, grid_worker_a1: Any, officer_a: Any
) -> None:
    households = street_of_households(grid_a1, 2)
    campaign = started_campaign(community_a)
    questionnaire = campaign.questionnaire
    do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(),
    )

    # The officer adds a required question mid-campaign
    do_add_question(
        questionnaire,
        QuestionSpec("masks", "口罩够用吗？", QuestionKind.YES_NO, required=True),
        by=officer_a,
    )
    with pytest.raises(ValidationError):
        do_record_call(
            assignment_of(campaign, households[1]),
            by=grid_worker_a1,
            outcome=Outcome.ANSWERED,
            answers=good_answers(),
        )
    do_record_call(
        assignment_of(campaign, households[1]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(masks="yes"),
    )

    old, new = ScreeningRecord.objects.order_by("pk")
    assert old.questionnaire_version.number == 1
    assert new.questionnaire_version.number == 2
    assert "masks" not in old.answers


@pytest.mark.django_db
def test_changing_a_question_keeps_its_code(community_a: Any, officer_a: Any) -> None:
    questionnaire = QuestionnaireFactory(area=community_a)
    do_update_question(
        questionnaire,
        "contact",
        QuestionSpec("anything", "14天内接触过病例吗？", QuestionKind.YES_NO, required=True),
        by=officer_a,
    )
    questionnaire.refresh_from_db()
    spec = next(s for s in current_specs(questionnaire) if s.code == "contact")
    assert spec.text == "14天内接触过病例吗？"


@pytest.mark.django_db
def test_a_question_others_depend_on_cannot_be_removed(community_a: Any, officer_a: Any) -> None:
    questionnaire = QuestionnaireFactory(area=community_a)
    with pytest.raises(ValidationError, match="change or remove it first"):
        do_remove_question(questionnaire, "travelled", by=officer_a)
    do_remove_question(questionnaire, "notes", by=officer_a)
    questionnaire.refresh_from_db()
    assert "notes" not in {s.code for s in current_specs(questionnaire)}


@pytest.mark.django_db
def test_moving_a_condition_above_its_question_is_refused(community_a: Any, officer_a: Any) -> None:
    questionnaire = QuestionnaireFactory(area=community_a)
    with pytest.raises(ValidationError, match="earlier question"):
        do_move_question(questionnaire, "return_date", up=True, by=officer_a)
    assert Questionnaire.objects.get(pk=questionnaire.pk).current.number == 1


@pytest.mark.django_db
def test_a_stale_edit_is_refused(community_a: Any, officer_a: Any) -> None:
    from fangkong.core.exceptions import ConflictError

    questionnaire = QuestionnaireFactory(area=community_a)
    seen = questionnaire.version
    do_remove_question(questionnaire, "notes", by=officer_a, expected_version=seen)
    with pytest.raises(ConflictError):
        do_move_question(questionnaire, "contact", up=False, by=officer_a, expected_version=seen)


@pytest.mark.django_db
def test_a_grid_worker_cannot_change_questionnaires(community_a: Any, grid_worker_a1: Any) -> None:
    from fangkong.core.exceptions import PermissionDeniedError

    questionnaire = QuestionnaireFactory(area=community_a)
    with pytest.raises(Exception) as exc:  # noqa: PT011 - 404 or 403, both refuse
        do_remove_question(questionnaire, "notes", by=grid_worker_a1)
    assert exc.type.__name__ in ("Http404", PermissionDeniedError.__name__)


# --- The builder's pages --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_officer_adds_a_conditional_alerting_question_in_the_pages(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    questionnaire = QuestionnaireFactory(area=community_a)
    client.force_login(officer_a)
    response = client.post(
        reverse("screening:question_add", args=[questionnaire.pk]),
        {
            "text": "是否途经武汉？",
            "kind": "yes_no",
            "required": "on",
            "show_if": ["travelled=yes"],
            "alert_level": "urgent",
            "alert_kind": "travel",
            "alert_answers": "是",
            "version": questionnaire.version,
        },
    )
    assert response.status_code == 302
    questionnaire.refresh_from_db()
    spec = current_specs(questionnaire)[-1]
    assert spec.show_if_code == "travelled"
    assert spec.show_if_values == ["yes"]
    assert spec.alert_values == ["yes"]
    assert spec.alert_level == "urgent"
    assert Question.objects.filter(version=questionnaire.current).count() == 6


@pytest.mark.django_db
def test_the_builder_moves_questions_with_buttons(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    questionnaire = QuestionnaireFactory(area=community_a)
    client.force_login(officer_a)
    client.post(
        reverse("screening:question_move", args=[questionnaire.pk, "notes"]),
        {"up": "1", "version": questionnaire.version},
    )
    questionnaire.refresh_from_db()
    assert [s.code for s in current_specs(questionnaire)][-2:] == ["notes", "temperature"]
    page = client.get(reverse("screening:questionnaire_detail", args=[questionnaire.pk]))
    assert "version 2" in page.content.decode() or "版本" in page.content.decode()


@pytest.mark.django_db
def test_the_preview_shows_an_old_version_as_it_was(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    questionnaire = QuestionnaireFactory(area=community_a)
    do_add_question(
        questionnaire, QuestionSpec("masks", "口罩够用吗？", QuestionKind.YES_NO), by=officer_a
    )
    client.force_login(officer_a)
    url = reverse("screening:questionnaire_preview", args=[questionnaire.pk])
    assert "口罩够用吗" in client.get(url).content.decode()
    assert "口罩够用吗" not in client.get(url, {"version": 1}).content.decode()


def test_two_answers_of_one_kind_make_one_alert() -> None:
    specs = [s for s in default_questions() if s.code in {"fever", "temperature"}]
    hits = alert_hits(
        specs, {"fever": "yes", "temperature": "38.3"}, fever_threshold=Decimal("37.3")
    )
    assert len(hits) == 1
    assert hits[0].kind == AlertKind.FEVER
    assert hits[0].answer.endswith("38.3")


def test_a_text_answer_with_an_invisible_character_or_a_year_1_date_is_refused() -> None:
    with pytest.raises(ValidationError) as hidden:
        clean_answers(short_questions(), good_answers(notes="已\u202e核实"), today=TODAY)
    with pytest.raises(ValidationError) as ancient:
        clean_answers(
            short_questions(), good_answers(travelled="yes", return_date="0001-01-01"), today=TODAY
        )

    assert set(hidden.value.message_dict) == {"notes"}
    assert set(ancient.value.message_dict) == {"return_date"}
    assert (
        clean_answers(short_questions(), good_answers(notes="第一行\n第二行"), today=TODAY)["notes"]
        == "第一行\n第二行"
    )
