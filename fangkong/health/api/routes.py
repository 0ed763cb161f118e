"""The health viewsets and their places under /api/v1/health/."""

from __future__ import annotations

from typing import Any

from fangkong.health.api.cases import CaseViewSet
from fangkong.health.api.changes import ChangeViewSet
from fangkong.health.api.contacts import ContactViewSet
from fangkong.health.api.quarantines import QuarantineViewSet
from fangkong.health.api.reports import DisinfectionViewSet, ReportViewSet


def register(router: Any) -> None:
    """Add the health module's viewsets to the API's router (fangkong/api_urls.py)."""
    router.register("health/cases", CaseViewSet, basename="health-case")
    router.register("health/contacts", ContactViewSet, basename="health-contact")
    router.register("health/quarantines", QuarantineViewSet, basename="health-quarantine")
    router.register("health/reports", ReportViewSet, basename="health-report")
    router.register("health/disinfections", DisinfectionViewSet, basename="health-disinfection")
    router.register("health/changes", ChangeViewSet, basename="health-change")
