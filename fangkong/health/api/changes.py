"""Status changes in the API: list, approve, reject."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import (
    RestrictedReadOnlyViewSet,
)
from fangkong.health import services
from fangkong.health.api.common import HealthDecisionSerializer, HealthStatusChangeSerializer
from fangkong.health.filtersets import (
    ChangeFilterSet,
)
from fangkong.health.models import (
    StatusChange,
)

# --- Status changes -------------------------------------------------------------------------


class ChangeViewSet(RestrictedReadOnlyViewSet):
    """Status changes of the caller's area; a pending one is approved or rejected by a user
    of another role than its proposer's."""

    queryset = StatusChange.objects.all()
    serializer_class = HealthStatusChangeSerializer
    filterset_class = ChangeFilterSet

    @extend_schema(request=HealthDecisionSerializer, responses={200: HealthStatusChangeSerializer})
    @action(detail=True, methods=["post"], required_action="approve")
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve and apply (with the rest of its batch). Refused for one's own change."""
        change = self.get_object()
        form = HealthDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.do_approve_change(
            change, by=self.request.user, note=form.validated_data.get("note", "")
        )
        change.refresh_from_db()
        return Response(self.get_serializer(change).data)

    @extend_schema(request=HealthDecisionSerializer, responses={200: HealthStatusChangeSerializer})
    @action(detail=True, methods=["post"], required_action="approve")
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject (with the rest of its batch): nothing is applied. A note is required."""
        change = self.get_object()
        form = HealthDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.do_reject_change(
            change, by=self.request.user, note=form.validated_data.get("note", "")
        )
        change.refresh_from_db()
        return Response(self.get_serializer(change).data)
