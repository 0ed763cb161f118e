"""Screening's routes for the access walk (see fangkong/core/tests/walk.py).

The world's first community runs a campaign; the walk's household (grid a1, with the canary
person) is on grid_worker_a1's list. A second household of the same building answered with
contact with a case (an open alert), a third moved away (a move-out waiting). Personas:
``officer_a`` (the office's pages) and ``grid_worker_a1`` (the phone screen, move-outs).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fangkong.core.tests.walk import Route, World
from fangkong.registry.tests.factories import HouseholdFactory, PersonFactory
from fangkong.screening.choices import Outcome
from fangkong.screening.models import (
    Alert,
    CallAssignment,
    CallAttempt,
    MoveOutProposal,
    ScreeningRecord,
)
from fangkong.screening.services import do_record_call, do_start_campaign
from fangkong.screening.tests.factories import (
    CampaignFactory,
    QuestionnaireFactory,
    good_answers,
)


def build(world: World) -> None:
    community = world.community_a
    questionnaire = QuestionnaireFactory(area=community)
    campaign = CampaignFactory(area=community, questionnaire=questionnaire)
    alerted = HouseholdFactory(building=world.building, room="8801")
    PersonFactory(household=alerted)
    leaving = HouseholdFactory(building=world.building, room="8802")
    leaver = PersonFactory(household=leaving)
    do_start_campaign(campaign, by=None)
    assignments = {a.household_id: a for a in CallAssignment.objects.filter(campaign=campaign)}
    do_record_call(
        assignments[alerted.pk],
        by=None,
        outcome=Outcome.ANSWERED,
        answers=good_answers(contact="yes"),
    )
    do_record_call(
        assignments[leaving.pk],
        by=None,
        outcome=Outcome.MOVED,
        moved_people=[leaver.pk],
        moved_date=timezone.localdate(),
    )
    draft = CampaignFactory(area=community, questionnaire=questionnaire, name="第二轮")
    world.extra.update(
        campaign=campaign,
        draft_campaign=draft,
        questionnaire=questionnaire,
        assignment=assignments[world.household.pk],
        alert=Alert.objects.get(campaign=campaign),
        proposal=MoveOutProposal.objects.get(),
        attempt=CallAttempt.objects.filter(assignment=assignments[alerted.pk]).first(),
        record=ScreeningRecord.objects.get(assignment=assignments[alerted.pk]),
    )


def _campaign(w: World) -> dict[str, Any]:
    return {"pk": w.extra["campaign"].pk}


def _questionnaire(w: World) -> dict[str, Any]:
    return {"pk": w.extra["questionnaire"].pk}


def _question(w: World) -> dict[str, Any]:
    return {"pk": w.extra["questionnaire"].pk, "code": "contact"}


def _assignment(w: World) -> dict[str, Any]:
    return {"pk": w.extra["assignment"].pk}


GRID_WORKER = "grid_worker_a1"


def _the(key: str) -> Any:
    return lambda w: w.extra[key]


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


ROUTES: dict[str, Route] = {
    # Lists: outsiders get their own (empty) lists, or 403
    "screening:home": Route(kind="list"),
    "screening:campaign_add": Route(kind="list"),
    "screening:questionnaire_list": Route(kind="list"),
    "screening:questionnaire_add": Route(kind="list"),
    "screening:call_list": Route(kind="list", permitted=GRID_WORKER),
    "screening:alert_list": Route(kind="list"),
    "screening:proposal_list": Route(kind="list", permitted=GRID_WORKER),
    # The campaign's coverage and questionnaire: the other grid's worker sees their own part
    "screening:campaign_detail": Route(kwargs=_campaign, kind="community"),
    "screening:questionnaire_detail": Route(kwargs=_questionnaire, kind="community"),
    "screening:questionnaire_preview": Route(kwargs=_questionnaire, kind="community"),
    # The office's pages of the campaign: not found outside the scope restrict() gives (the
    # community's campaign reaches its grid workers, who are refused, not told it is not there)
    "screening:campaign_edit": Route(kwargs=_campaign, row=_the("campaign")),
    "screening:campaign_start": Route(
        kwargs=_campaign, row=_the("campaign"), method="post", ok=302
    ),
    "screening:campaign_close": Route(
        kwargs=_campaign, row=_the("campaign"), method="post", ok=302
    ),
    "screening:assignment_list": Route(kwargs=_campaign, row=_the("campaign")),
    "screening:campaign_helpers": Route(kwargs=_campaign, row=_the("campaign")),
    "screening:campaign_export": Route(kwargs=_campaign, row=_the("campaign")),
    "screening:campaign_summary": Route(kwargs=_campaign, row=_the("campaign")),
    "screening:campaign_import": Route(kwargs=_campaign, row=_the("campaign")),
    "screening:campaign_import_template": Route(kwargs=_campaign, row=_the("campaign")),
    "screening:questionnaire_edit": Route(kwargs=_questionnaire, row=_the("questionnaire")),
    "screening:question_add": Route(kwargs=_questionnaire, row=_the("questionnaire")),
    "screening:question_edit": Route(kwargs=_question, row=_the("questionnaire")),
    "screening:question_move": Route(
        kwargs=_question,
        row=_the("questionnaire"),
        method="post",
        data=lambda w: {"up": "1"},
        ok=302,
    ),
    "screening:question_remove": Route(
        kwargs=_question, row=_the("questionnaire"), method="post", ok=302
    ),
    # The phone screen: a household of grid a1
    "screening:call": Route(kwargs=_assignment, permitted=GRID_WORKER),
    "screening:dial": Route(
        kwargs=lambda w: {**_assignment(w), "person_pk": w.person.pk},
        permitted=GRID_WORKER,
        method="post",
        ok=302,
    ),
    "screening:call_outcome": Route(
        kwargs=_assignment,
        permitted=GRID_WORKER,
        method="post",
        data=lambda w: {"outcome": "no_answer"},
        ok=302,
    ),
    "screening:call_answers": Route(kwargs=_assignment, permitted=GRID_WORKER),
    "screening:call_moved": Route(kwargs=_assignment, permitted=GRID_WORKER),
    # Alerts and move-outs of grid a1
    "screening:alert_detail": Route(kwargs=lambda w: {"pk": w.extra["alert"].pk}),
    "screening:proposal_confirm": Route(
        kwargs=lambda w: {"pk": w.extra["proposal"].pk},
        permitted=GRID_WORKER,
        method="post",
        ok=302,
    ),
    "screening:proposal_reject": Route(
        kwargs=lambda w: {"pk": w.extra["proposal"].pk},
        permitted=GRID_WORKER,
        method="post",
        ok=302,
    ),
    # The API (/api/v1/screening/): reads here, writes in API_WRITES below
    "api:screening-campaign-list": Route(kind="list", api=True),
    "api:screening-campaign-detail": Route(kwargs=_campaign, kind="community", api=True),
    "api:screening-campaign-coverage": Route(kwargs=_campaign, kind="community", api=True),
    "api:screening-campaign-start": Route(kwargs=_pk("draft_campaign"), method="post", api=True),
    "api:screening-campaign-close": Route(kwargs=_campaign, method="post", api=True),
    "api:screening-assignment-list": Route(kind="list", api=True, permitted=GRID_WORKER),
    "api:screening-assignment-detail": Route(kwargs=_assignment, api=True, permitted=GRID_WORKER),
    "api:screening-attempt-list": Route(kind="list", api=True),
    "api:screening-attempt-detail": Route(kwargs=_pk("attempt"), api=True),
    "api:screening-answer-list": Route(kind="list", api=True),
    "api:screening-answer-detail": Route(kwargs=_pk("record"), api=True),
}

#: Writes through the API at the names of list and detail routes walked above.
API_WRITES: list[tuple[str, Route]] = [
    (
        "api:screening-attempt-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            permitted=GRID_WORKER,
            data=lambda w: {"assignment": w.extra["assignment"].pk, "outcome": "no_answer"},
        ),
    ),
    (
        "api:screening-campaign-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=True,
            data=lambda w: {
                "area": w.community_a.pk,
                "name": "第三轮",
                "questionnaire": w.extra["questionnaire"].pk,
                "starts_on": "2020-02-13",
                "ends_on": "2020-02-28",
            },
        ),
    ),
    (
        "api:screening-campaign-detail",
        Route(
            kwargs=_campaign,
            method="patch",
            api=True,
            data=lambda w: {"name": "第一轮（改）"},
        ),
    ),
]
