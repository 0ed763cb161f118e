"""Every state change of the health module: atomic, checked against the actor's scope and
role, audited. Views, the API, imports, periodic checks and the demo all come through here.

Status changes (cases, classifications, outcomes, quarantines) carry a reason and evidence
and go through the four-eyes review (``review.submit``); reports and disinfections are
plain audited records.
"""

from fangkong.health.services.cases import (
    do_add_contact,
    do_classify_case,
    do_link_handover,
    do_open_case,
    do_record_outcome,
    do_update_case,
    link_waiting_handovers,
)
from fangkong.health.services.disinfections import do_record_disinfection, overdue_places
from fangkong.health.services.policy import do_update_policy
from fangkong.health.services.quarantines import (
    active_quarantine,
    do_change_quarantine_end,
    do_end_quarantine,
    do_start_quarantine,
    planned_end,
    sync_household_pass,
)
from fangkong.health.services.reports import (
    check_missing_reports,
    do_add_report,
    missing_reports,
    monitoring_of,
)
from fangkong.health.services.review import (
    FOUR_EYES_LIMIT,
    ChangeResult,
    do_approve_change,
    do_reject_change,
)
from fangkong.health.services.status import person_health_status

__all__ = [
    "FOUR_EYES_LIMIT",
    "ChangeResult",
    "active_quarantine",
    "check_missing_reports",
    "do_add_contact",
    "do_add_report",
    "do_approve_change",
    "do_change_quarantine_end",
    "do_classify_case",
    "do_end_quarantine",
    "do_link_handover",
    "do_open_case",
    "do_record_disinfection",
    "do_record_outcome",
    "do_reject_change",
    "do_start_quarantine",
    "do_update_case",
    "do_update_policy",
    "link_waiting_handovers",
    "missing_reports",
    "monitoring_of",
    "overdue_places",
    "person_health_status",
    "planned_end",
    "sync_household_pass",
]
