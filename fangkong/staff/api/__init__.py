"""The staff app in the API: tasks, teams, organisations, staff members, checkpoints, shifts
and their people, swaps, patrols, the leading group, the responsibility matrix and the
prevention plan.

Declarations on ``fangkong.core.api``'s base classes: rows are restricted to the caller's
scope (404 outside it), every write goes through ``fangkong.staff.services`` (a refusal is a
400 with the service's message per field, a stale version a 409), phones leave as masks.
State changes of a task or a shift are their own ``POST`` routes (``/tasks/{id}/complete/``,
``/shift-assignments/{id}/check-in/``…). ``register(router)`` adds the routes.
"""

# The parts live in this package's modules; importers name the package alone.
from fangkong.staff.api.common import (
    AreaInCommunityField,
    ColleagueField,
    StaffActionPermission,
)
from fangkong.staff.api.patrols import (
    PatrolSerializer,
    PatrolViewSet,
    PlanVersionSerializer,
    PlanVersionViewSet,
)
from fangkong.staff.api.people import (
    AddMemberSerializer,
    LeadingGroupSerializer,
    LeadingGroupViewSet,
    OrganisationSerializer,
    OrganisationViewSet,
    ResponsibilitySerializer,
    ResponsibilityViewSet,
    SeatSerializer,
    StaffMemberSerializer,
    StaffMemberViewSet,
    TeamMembershipSerializer,
    TeamSerializer,
    TeamViewSet,
)
from fangkong.staff.api.rosters import (
    AssignmentChoiceSerializer,
    AssignmentSerializer,
    CheckpointSerializer,
    CheckpointViewSet,
    ClockTimeField,
    DecisionSerializer,
    MemberSerializer,
    ShiftAssignmentViewSet,
    ShiftSerializer,
    ShiftViewSet,
    SwapRequestViewSet,
    SwapSerializer,
)
from fangkong.staff.api.routes import (
    VIEWSETS,
    register,
)
from fangkong.staff.api.tasks import (
    CommentSerializer,
    NoteSerializer,
    ReasonSerializer,
    ReassignSerializer,
    TaskCommentSerializer,
    TaskSerializer,
    TaskViewSet,
)

# The package's names, for its importers (mypy: explicit re-exports).
__all__ = [
    "VIEWSETS",
    "AddMemberSerializer",
    "AreaInCommunityField",
    "AssignmentChoiceSerializer",
    "AssignmentSerializer",
    "CheckpointSerializer",
    "CheckpointViewSet",
    "ClockTimeField",
    "ColleagueField",
    "CommentSerializer",
    "DecisionSerializer",
    "LeadingGroupSerializer",
    "LeadingGroupViewSet",
    "MemberSerializer",
    "NoteSerializer",
    "OrganisationSerializer",
    "OrganisationViewSet",
    "PatrolSerializer",
    "PatrolViewSet",
    "PlanVersionSerializer",
    "PlanVersionViewSet",
    "ReasonSerializer",
    "ReassignSerializer",
    "ResponsibilitySerializer",
    "ResponsibilityViewSet",
    "SeatSerializer",
    "ShiftAssignmentViewSet",
    "ShiftSerializer",
    "ShiftViewSet",
    "StaffActionPermission",
    "StaffMemberSerializer",
    "StaffMemberViewSet",
    "SwapRequestViewSet",
    "SwapSerializer",
    "TaskCommentSerializer",
    "TaskSerializer",
    "TaskViewSet",
    "TeamMembershipSerializer",
    "TeamSerializer",
    "TeamViewSet",
    "register",
]
