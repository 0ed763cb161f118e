"""Every health route (pages and API) for the access walk (format: fangkong/core/tests/walk.py).

The world's canary person of grid a1 is a confirmed case; a second member of the household
is their contact under home quarantine, with a report; a third is free (new cases, contacts
and quarantines are made for them); a fourth has a quarantine waiting for approval, proposed
by the health officer. The building was disinfected. Health changes are for ``health_a``,
approvals for ``officer_a``, reports for ``grid_worker_a1``; the pages that only show are
``officer_a``'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fangkong.core.models import Job
from fangkong.core.tests.walk import Route, World
from fangkong.health.tests.factories import (
    NOTICE,
    TEST,
    CaseFactory,
    ContactFactory,
    DisinfectionFactory,
    QuarantineFactory,
    ReportFactory,
    open_alert,
    pending_start,
)
from fangkong.registry.tests.factories import HouseholdFactory, PersonFactory

HEALTH = "health_a"
GRID = "grid_worker_a1"


def build(world: World) -> None:
    today = timezone.localdate()
    case = CaseFactory(person=world.person, isolated_on=today)
    contact = ContactFactory(case=case, person=PersonFactory(household=world.household))
    quarantine = QuarantineFactory(person=contact.person, contact=contact)
    alerted = HouseholdFactory(building=world.building, room="8811")
    PersonFactory(household=alerted)
    world.extra.update(
        health_case=case,
        health_contact=contact,
        health_quarantine=quarantine,
        health_report=ReportFactory(person=contact.person),
        health_disinfection=DisinfectionFactory(building=world.building),
        health_free=PersonFactory(household=world.household),
        health_pending=pending_start(
            PersonFactory(household=world.household), by=world.users[HEALTH]
        ),
        health_alert=open_alert(alerted),
    )


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _import_preview(w: World) -> dict[str, Any]:
    """A finished preview by the health officer (its upload is gone: confirming imports
    nothing)."""
    job = Job.objects.create(
        kind="health.import",
        user=w.users[HEALTH],
        area_path=w.community_a.path,
        status="completed",
        result={"rows": 1, "applied": 1, "errors": []},
        params={
            "upload": "0" * 32,
            "filename": "病例.xlsx",
            "kind": "cases",
            "rows": 1,
            "community": w.community_a.pk,
            "mode": "preview",
        },
    )
    return {"pk": job.pk}


ROUTES: dict[str, Route] = {
    # Overviews and lists: outsiders get their own (empty) ones, or 403
    "health:today": Route(kind="list"),
    "health:people": Route(kind="list", data=lambda w: {"q": w.person.name[:2]}),
    "health:case_list": Route(kind="list"),
    "health:contact_list": Route(kind="list"),
    "health:chains": Route(kind="list"),
    "health:quarantine_list": Route(kind="list"),
    "health:report_list": Route(kind="list", data=lambda w: {"day": ""}),
    "health:disinfection_list": Route(kind="list"),
    "health:disinfection_add": Route(kind="list", permitted=HEALTH, grid_scoped=False),
    "health:picture": Route(kind="list"),
    "health:buildings": Route(kind="list"),
    "health:change_list": Route(kind="list"),
    "health:change_bulk_approve": Route(
        kind="list",
        method="post",
        ok=302,
        data=lambda w: {"change": [w.extra["health_pending"].pk]},
    ),
    "health:policy": Route(kind="list", permitted=HEALTH, grid_scoped=False),
    "health:import_start": Route(kind="list", permitted=HEALTH, grid_scoped=False),
    "health:import_template": Route(
        kwargs=lambda w: {"kind": "quarantines"}, kind="list", permitted=HEALTH, grid_scoped=False
    ),
    "health:export": Route(kwargs=lambda w: {"kind": "cases"}, kind="list"),
    # Rows of grid a1
    "health:person": Route(kwargs=lambda w: {"pk": w.person.pk}),
    "health:case_open": Route(kwargs=lambda w: {"pk": w.extra["health_free"].pk}, permitted=HEALTH),
    "health:quarantine_start": Route(
        kwargs=lambda w: {"person_pk": w.extra["health_free"].pk}, permitted=HEALTH
    ),
    "health:household_quarantine_start": Route(
        kwargs=lambda w: {"household_pk": w.household.pk}, permitted=HEALTH
    ),
    "health:contact_quarantine_start": Route(
        kwargs=lambda w: {"contact_pk": w.extra["health_contact"].pk}, permitted=HEALTH
    ),
    "health:alert_quarantine_start": Route(
        kwargs=lambda w: {"alert_pk": w.extra["health_alert"].pk}, permitted=HEALTH
    ),
    "health:report_add": Route(
        kwargs=lambda w: {"pk": w.extra["health_contact"].person_id}, permitted=GRID
    ),
    "health:case_detail": Route(kwargs=_pk("health_case")),
    "health:case_edit": Route(kwargs=_pk("health_case"), permitted=HEALTH),
    "health:case_classify": Route(kwargs=_pk("health_case"), permitted=HEALTH),
    "health:case_outcome": Route(kwargs=_pk("health_case"), permitted=HEALTH),
    "health:contact_add": Route(kwargs=_pk("health_case"), permitted=HEALTH),
    "health:contact_detail": Route(kwargs=_pk("health_contact")),
    "health:quarantine_detail": Route(kwargs=_pk("health_quarantine")),
    "health:quarantine_end_date": Route(kwargs=_pk("health_quarantine"), permitted=HEALTH),
    "health:quarantine_end": Route(kwargs=_pk("health_quarantine"), permitted=HEALTH),
    "health:change_detail": Route(kwargs=_pk("health_pending")),
    "health:change_approve": Route(kwargs=_pk("health_pending"), method="post", ok=302),
    "health:change_reject": Route(
        kwargs=_pk("health_pending"), method="post", ok=302, data=lambda w: {"note": "证据不足"}
    ),
    "health:import_detail": Route(kwargs=_import_preview, permitted=HEALTH),
    "health:import_confirm": Route(
        kwargs=_import_preview,
        permitted=HEALTH,
        method="post",
        data=lambda w: {"action": "import"},
        ok=302,
    ),
    # The API (/api/v1/health/): reads here, writes in API_WRITES below
    "api:health-case-list": Route(kind="list", api=True),
    "api:health-case-detail": Route(kwargs=_pk("health_case"), api=True),
    "api:health-case-classify": Route(
        kwargs=_pk("health_case"),
        method="post",
        api=True,
        permitted=HEALTH,
        data=lambda w: {"classification": "excluded", "reason": "negative_tests", **TEST},
    ),
    "api:health-case-outcome": Route(
        kwargs=_pk("health_case"),
        method="post",
        api=True,
        permitted=HEALTH,
        data=lambda w: {
            "outcome": "recovered",
            "reason": "discharged",
            "evidence_kind": "medical_record",
            "evidence_ref": "出院小结",
        },
    ),
    "api:health-contact-list": Route(kind="list", api=True),
    "api:health-contact-detail": Route(kwargs=_pk("health_contact"), api=True),
    "api:health-quarantine-list": Route(kind="list", api=True),
    "api:health-quarantine-detail": Route(kwargs=_pk("health_quarantine"), api=True),
    "api:health-quarantine-end-date": Route(
        kwargs=_pk("health_quarantine"),
        method="post",
        api=True,
        permitted=HEALTH,
        data=lambda w: {
            "new_end": (
                w.extra["health_quarantine"].planned_end + dt.timedelta(days=3)
            ).isoformat(),
            "reason": "new_exposure",
            **NOTICE,
        },
    ),
    "api:health-quarantine-end": Route(
        kwargs=_pk("health_quarantine"),
        method="post",
        api=True,
        permitted=HEALTH,
        data=lambda w: {"reason": "negative_tests", **TEST},
    ),
    "api:health-report-list": Route(kind="list", api=True),
    "api:health-report-detail": Route(kwargs=_pk("health_report"), api=True),
    "api:health-disinfection-list": Route(kind="list", api=True),
    "api:health-disinfection-detail": Route(kwargs=_pk("health_disinfection"), api=True),
    "api:health-change-list": Route(kind="list", api=True),
    "api:health-change-detail": Route(kwargs=_pk("health_pending"), api=True),
    "api:health-change-approve": Route(kwargs=_pk("health_pending"), method="post", api=True),
    "api:health-change-reject": Route(
        kwargs=_pk("health_pending"), method="post", api=True, data=lambda w: {"note": "证据不足"}
    ),
}

#: Writes through the API at the names of list and detail routes walked above.
API_WRITES: list[tuple[str, Route]] = [
    (
        "api:health-case-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            permitted=HEALTH,
            data=lambda w: {
                "person": w.extra["health_free"].pk,
                "classification": "suspected",
                "report_date": timezone.localdate().isoformat(),
                "reason": "symptoms",
                **NOTICE,
            },
        ),
    ),
    (
        "api:health-case-detail",
        Route(
            kwargs=_pk("health_case"),
            method="patch",
            api=True,
            permitted=HEALTH,
            data=lambda w: {"taken_to": "hospital", "taken_to_name": "市定点医院"},
        ),
    ),
    (
        "api:health-contact-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            permitted=HEALTH,
            data=lambda w: {
                "case": w.extra["health_case"].pk,
                "person": w.extra["health_free"].pk,
                "kind": "household",
                "last_exposure": timezone.localdate().isoformat(),
            },
        ),
    ),
    (
        "api:health-quarantine-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            permitted=HEALTH,
            data=lambda w: {
                "person": w.extra["health_free"].pk,
                "kind": "monitoring",
                "reason": "risk_area",
                **NOTICE,
            },
        ),
    ),
    (
        "api:health-report-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            permitted=GRID,
            data=lambda w: {
                "person": w.extra["health_contact"].person_id,
                "temperature": "36.6",
                "symptoms": [],
            },
        ),
    ),
    (
        "api:health-disinfection-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            permitted=HEALTH,
            grid_scoped=False,
            data=lambda w: {
                "place_kind": "building",
                "building": w.building.pk,
                "agent": "chlorine",
                "concentration": "500 mg/L",
                "operator": "消杀队",
            },
        ),
    ),
]
