"""The staff viewsets and their places under /api/v1/."""

from __future__ import annotations

from typing import Any

from fangkong.staff.api.patrols import PatrolViewSet, PlanVersionViewSet
from fangkong.staff.api.people import (
    LeadingGroupViewSet,
    OrganisationViewSet,
    ResponsibilityViewSet,
    StaffMemberViewSet,
    TeamViewSet,
)
from fangkong.staff.api.rosters import (
    CheckpointViewSet,
    ShiftAssignmentViewSet,
    ShiftViewSet,
    SwapRequestViewSet,
)
from fangkong.staff.api.tasks import TaskViewSet

# --- Routes ---------------------------------------------------------------------------------

VIEWSETS: tuple[tuple[str, Any, str], ...] = (
    ("tasks", TaskViewSet, "task"),
    ("organisations", OrganisationViewSet, "organisation"),
    ("staff-members", StaffMemberViewSet, "staffmember"),
    ("teams", TeamViewSet, "team"),
    ("leading-groups", LeadingGroupViewSet, "leadinggroup"),
    ("responsibilities", ResponsibilityViewSet, "responsibility"),
    ("checkpoints", CheckpointViewSet, "checkpoint"),
    ("shifts", ShiftViewSet, "shift"),
    ("shift-assignments", ShiftAssignmentViewSet, "shiftassignment"),
    ("swap-requests", SwapRequestViewSet, "swaprequest"),
    ("patrols", PatrolViewSet, "patrol"),
    ("plan-versions", PlanVersionViewSet, "planversion"),
)


def register(router: Any) -> None:
    """Add the staff viewsets to the API router (paths end with "/")."""
    for prefix, viewset, basename in VIEWSETS:
        router.register(prefix, viewset, basename=basename)
