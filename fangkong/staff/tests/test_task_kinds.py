"""The kinds of task the pages offer are the kinds some module raises, and no others."""

from __future__ import annotations

from fangkong.counselling.services import FOLLOW_UP_TASK as COUNSELLING_FOLLOW_UP
from fangkong.health.services.tasks import (
    TASK_APPROVAL,
    TASK_DELIVERY,
    TASK_FEVER,
    TASK_HANDOVER,
    TASK_MISSING_REPORT,
    TASK_SYMPTOM,
)
from fangkong.inquiries.services import FOLLOW_UP_TASK as INQUIRY_FOLLOW_UP
from fangkong.screening.services.alerts import ALERT_TASK
from fangkong.screening.services.calls import DOOR_VISIT_TASK
from fangkong.staff.choices import TaskKind
from fangkong.staff.filtersets import TaskFilterSet
from fangkong.staff.forms import TaskForm
from fangkong.supplies.services import LOW_STOCK_TASK, REQUEST_TASK

#: Every kind a module's code raises: the task form (staff.general), a patrol's follow-up,
#: the screening call list's door visit and alert, the health module's follow-ups (a fever,
#: a symptom, a missing report, a delivery, a handed-over contact, a change to approve),
#: supplies' request and low stock, the merchants' re-inspection of a failed item and
#: inspection after a complaint, an inquiry's call back and a counselling follow-up.
PRODUCED = {
    TaskKind.GENERAL,
    TaskKind.PATROL_FOLLOW_UP,
    DOOR_VISIT_TASK,
    ALERT_TASK,
    TASK_FEVER,
    TASK_SYMPTOM,
    TASK_MISSING_REPORT,
    TASK_DELIVERY,
    TASK_HANDOVER,
    TASK_APPROVAL,
    REQUEST_TASK,
    LOW_STOCK_TASK,
    TaskKind.MERCHANT_REINSPECT,
    TaskKind.MERCHANT_COMPLAINT,
    INQUIRY_FOLLOW_UP,
    COUNSELLING_FOLLOW_UP,
}


def test_every_listed_kind_of_task_is_one_a_module_raises() -> None:
    assert set(TaskKind.values) == PRODUCED


def test_the_task_form_and_the_list_filter_offer_no_kind_nothing_raises() -> None:
    offered = {value for value, _label in TaskForm.base_fields["kind"].choices}
    select = TaskFilterSet(queryset=None).form.fields["kind"].widget
    filtered = {value for value, _label in select.choices if value}

    assert offered == PRODUCED
    assert filtered == PRODUCED
