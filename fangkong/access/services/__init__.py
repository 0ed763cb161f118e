"""Every state change of the access module: policy, passes, suspensions, scans, visitors.

Atomic, checked against the actor's scope and role, audited (``core.audit``). Views, the API,
the demo and other modules (health suspends a quarantined household's passes) come through
here: this package's names below are its API; its modules are how it is arranged.

* ``policy``: a community's pass policy.
* ``passes``: issuing, replacing, voiding passes.
* ``suspensions``, ``exemptions``: what stops a household's passes, what lets it go out more.
* ``gates``: what a gate knows (its words, open or not, who may scan there), the scan's
  request and answer, finding a pass, the review of a flagged event.
* ``scans``: deciding and recording a scan, the hot path; ``gate_sql`` its one read and one
  write in plain SQL.
* ``visitors``: visitors at the gate and the logged call to their household.
"""

from fangkong.access.services.exemptions import do_create_exemption, do_revoke_exemption
from fangkong.access.services.gates import (
    ScanAnswer,
    ScanRequest,
    checkpoints_for,
    do_review_event,
    find_pass,
    gate_is_open,
    reason_text,
)
from fangkong.access.services.passes import (
    IssueResult,
    do_issue_passes,
    do_replace_pass,
    do_void_pass,
)
from fangkong.access.services.policy import do_update_policy, policy_for, rules_for
from fangkong.access.services.scans import evaluate, record_scan, standing
from fangkong.access.services.suspensions import (
    do_lift_suspension,
    do_suspend_household_passes,
    lift_expired_suspensions,
)
from fangkong.access.services.visitors import (
    call_household_for_visitor,
    do_confirm_visitor,
    do_refuse_visitor,
    do_register_visitor,
    do_visitor_leaves,
)

__all__ = [
    "IssueResult",
    "ScanAnswer",
    "ScanRequest",
    "call_household_for_visitor",
    "checkpoints_for",
    "do_confirm_visitor",
    "do_create_exemption",
    "do_issue_passes",
    "do_lift_suspension",
    "do_refuse_visitor",
    "do_register_visitor",
    "do_replace_pass",
    "do_review_event",
    "do_revoke_exemption",
    "do_suspend_household_passes",
    "do_update_policy",
    "do_visitor_leaves",
    "do_void_pass",
    "evaluate",
    "find_pass",
    "gate_is_open",
    "lift_expired_suspensions",
    "policy_for",
    "reason_text",
    "record_scan",
    "rules_for",
    "standing",
]
