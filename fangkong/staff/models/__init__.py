"""The staff app's rows, one module per part of the work (see each module's docstring)."""

from fangkong.staff.models.patrols import PatrolPhoto, PatrolVisit
from fangkong.staff.models.people import (
    LeadingGroup,
    LeadingGroupMember,
    Organisation,
    Responsibility,
    StaffMember,
    Team,
    TeamMembership,
)
from fangkong.staff.models.plans import PlanVersion, PreventionPlan
from fangkong.staff.models.rosters import Checkpoint, Shift, ShiftAssignment, SwapRequest
from fangkong.staff.models.tasks import Task, TaskComment

__all__ = [
    "Checkpoint",
    "LeadingGroup",
    "LeadingGroupMember",
    "Organisation",
    "PatrolPhoto",
    "PatrolVisit",
    "PlanVersion",
    "PreventionPlan",
    "Responsibility",
    "Shift",
    "ShiftAssignment",
    "StaffMember",
    "SwapRequest",
    "Task",
    "TaskComment",
    "Team",
    "TeamMembership",
]
