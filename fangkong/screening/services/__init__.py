"""Every state change of phone screening. Atomic, checked against the actor, audited.

Views, the API, the import, the demo and the health module all come through here:

* questionnaires — created from the shipped register, changed one saved edit at a time, each
  edit a new version (``do_change_questions`` and its helpers);
* campaigns — created, started (every household assigned to its grid's worker in bulk),
  households moved between callers, helpers given a share of a grid, closed;
* calls — ``do_record_call`` takes an outcome and, when the household was reached, the
  answers: it refuses bad input with the reason, keeps a concurrent loser's attempt, retries
  after the delay, sends a door visit after the failed calls, raises alerts and their tasks;
* move-outs heard on the phone, confirmed by the grid worker into the registry;
* alerts, resolved by the officer or by the health module (``do_resolve_alert``).

``by=None`` is system work (the demo, management commands) and skips the actor checks.
"""

from fangkong.screening.services.alerts import (
    alerts_for_person,
    do_resolve_alert,
    may_resolve_alerts,
)
from fangkong.screening.services.calls import (
    CallResult,
    active_members,
    check_open,
    clean_call_answers,
    do_confirm_move_out,
    do_dial,
    do_record_call,
    do_reject_move_out,
    may_call,
    write_records,
)
from fangkong.screening.services.campaigns import (
    campaign_households,
    do_add_helper,
    do_close_campaign,
    do_create_campaign,
    do_reassign,
    do_start_campaign,
    do_update_campaign,
    grid_workers,
)
from fangkong.screening.services.checks import is_office
from fangkong.screening.services.questionnaires import (
    current_specs,
    default_questionnaire,
    do_add_question,
    do_change_questions,
    do_create_questionnaire,
    do_move_question,
    do_remove_question,
    do_update_question,
    do_update_questionnaire,
    version_specs,
)

__all__ = [
    "CallResult",
    "active_members",
    "alerts_for_person",
    "campaign_households",
    "check_open",
    "clean_call_answers",
    "current_specs",
    "default_questionnaire",
    "do_add_helper",
    "do_add_question",
    "do_change_questions",
    "do_close_campaign",
    "do_confirm_move_out",
    "do_create_campaign",
    "do_create_questionnaire",
    "do_dial",
    "do_move_question",
    "do_reassign",
    "do_record_call",
    "do_reject_move_out",
    "do_remove_question",
    "do_resolve_alert",
    "do_start_campaign",
    "do_update_campaign",
    "do_update_question",
    "do_update_questionnaire",
    "grid_workers",
    "is_office",
    "may_call",
    "may_resolve_alerts",
    "version_specs",
    "write_records",
]
