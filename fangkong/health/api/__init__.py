"""The health module in the API (``/api/v1/health/...``).

* ``cases/`` — list, detail, create (a status change), ``PATCH`` for dates and places;
  ``classify`` and ``outcome`` are status changes of their own;
* ``contacts/`` — list, detail, create: a person of the case's community by ``person``, or
  one of another community by ``other_community`` with ``name`` and ``id_number`` or
  ``phone`` (handed over to that community's officer; read back as what was typed, the
  same whether or not that community knew them);
* ``quarantines/`` — list, detail, create (a ``person``, or a whole ``household``);
  ``end-date`` (extend or shorten) and ``end``;
* ``reports/`` — list, detail, create (a temperature and symptoms);
* ``disinfections/`` — list, detail, create;
* ``changes/`` — the status changes; ``approve`` and ``reject`` a pending one.

Status changes carry ``reason``, ``evidence_kind`` and ``evidence_ref`` and count towards the
four-eyes rule with the pages and imports: one that must wait answers ``202`` with the
pending changes instead of ``201``/``200`` with the row. Refusals are the project's error
body, in Chinese: ``400`` for bad input (a quarantine ending before it starts, a report for
someone not under monitoring, a temperature out of range, a contact date after the case's
isolation, missing evidence, a self-approval), ``403`` for a role that may not.
"""

# The parts live in this package's modules; importers name the package alone.
from fangkong.health.api.cases import (
    CASE_DETAILS,
    CaseViewSet,
    HealthCaseCreateSerializer,
    HealthCaseSerializer,
    HealthClassifySerializer,
    HealthOutcomeSerializer,
)
from fangkong.health.api.changes import (
    ChangeViewSet,
)
from fangkong.health.api.common import (
    HealthDecisionSerializer,
    HealthEvidenceSerializer,
    HealthPendingSerializer,
    HealthStatusChangeSerializer,
    StatusWriteMixin,
    SymptomsField,
    pending_response,
)
from fangkong.health.api.contacts import (
    ContactViewSet,
    HealthContactHandOverSerializer,
    HealthContactLocalSerializer,
    HealthContactSerializer,
)
from fangkong.health.api.quarantines import (
    HealthEndDateSerializer,
    HealthEndSerializer,
    HealthQuarantineSerializer,
    HealthQuarantineStartSerializer,
    QuarantineViewSet,
)
from fangkong.health.api.reports import (
    CheckpointField,
    DisinfectionViewSet,
    HealthDisinfectionSerializer,
    HealthReportSerializer,
    ReportViewSet,
)
from fangkong.health.api.routes import (
    register,
)

# The package's names, for its importers (mypy: explicit re-exports).
__all__ = [
    "CASE_DETAILS",
    "CaseViewSet",
    "ChangeViewSet",
    "CheckpointField",
    "ContactViewSet",
    "DisinfectionViewSet",
    "HealthCaseCreateSerializer",
    "HealthCaseSerializer",
    "HealthClassifySerializer",
    "HealthContactHandOverSerializer",
    "HealthContactLocalSerializer",
    "HealthContactSerializer",
    "HealthDecisionSerializer",
    "HealthDisinfectionSerializer",
    "HealthEndDateSerializer",
    "HealthEndSerializer",
    "HealthEvidenceSerializer",
    "HealthOutcomeSerializer",
    "HealthPendingSerializer",
    "HealthQuarantineSerializer",
    "HealthQuarantineStartSerializer",
    "HealthReportSerializer",
    "HealthStatusChangeSerializer",
    "QuarantineViewSet",
    "ReportViewSet",
    "StatusWriteMixin",
    "SymptomsField",
    "pending_response",
    "register",
]
