"""The officer's "today" page: quarantined households, who has not reported, who has a fever,
quarantines due to end, screening alerts to act on, changes waiting for approval."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.views import PageView, require_action
from fangkong.health.choices import QuarantineKind
from fangkong.health.models import (
    Case,
    Disinfection,
    HealthReport,
    Quarantine,
    StatusChange,
)
from fangkong.health.services import missing_reports, overdue_places
from fangkong.health.stats import health_figures, user_today

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: Screening alerts that call for a quarantine or monitoring.
ALERT_KINDS = ("contact", "travel", "fever", "symptoms")
LIST_LIMIT = 200


def _passes_of(household_ids: set[int]) -> dict[int, Any]:
    from fangkong.access.choices import PassStatus
    from fangkong.access.models import Pass

    passes = Pass.objects.filter(
        household_id__in=household_ids, status__in=[PassStatus.ACTIVE, PassStatus.SUSPENDED]
    )
    return {p.household_id: p for p in passes.order_by("household_id", "pk")}


def quarantined_households(quarantines: Any, today: Any) -> list[dict[str, Any]]:
    """Active home quarantines grouped by household: members, the latest planned end, the
    grid worker to call and the pass's state. Two queries."""
    rows = list(
        quarantines.filter(ended_on__isnull=True, start_date__lte=today, kind=QuarantineKind.HOME)
        .select_related("household__building", "person", "grid_worker")
        .order_by("household__building__sort_key", "household__unit", "household__room", "pk")[
            : LIST_LIMIT * 4
        ]
    )
    households: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for quarantine in rows:
        entry = households.setdefault(
            quarantine.household_id,
            {
                "household": quarantine.household,
                "quarantine": quarantine,
                "people": [],
                "planned_end": quarantine.planned_end,
                "grid_worker": quarantine.grid_worker,
            },
        )
        entry["people"].append(quarantine.person)
        entry["planned_end"] = max(entry["planned_end"], quarantine.planned_end)
        entry["due"] = entry["planned_end"] <= today
    passes = _passes_of(set(households))
    for household_id, entry in households.items():
        entry["pass"] = passes.get(household_id)
    return list(households.values())[:LIST_LIMIT]


class TodayView(PageView):
    """What the officer works through today, on one phone-sized page."""

    template_name = "health/today.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, Quarantine, "view")
        now = timezone.now()
        today = user_today(user)
        quarantines = Quarantine.objects.restrict(user)
        missing = missing_reports(quarantines, now)
        fevers = list(
            HealthReport.objects.restrict(user)
            .filter(day=today, is_fever=True)
            .select_related("person__household__building", "quarantine")
            .order_by("-taken_at", "-pk")[:LIST_LIMIT]
        )
        due = list(
            quarantines.filter(ended_on__isnull=True, planned_end__lte=today)
            .select_related("person", "household__building")
            .order_by("planned_end", "pk")[:LIST_LIMIT]
        )
        can_change = user.has_action(Quarantine, "change")
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Health today"),
            today=today,
            figures=health_figures(user, now),
            households=quarantined_households(quarantines, today),
            missing=missing[:LIST_LIMIT],
            missing_total=len(missing),
            fevers=fevers,
            due=due,
            alerts=self._alerts(user) if can_change else [],
            overdue=overdue_places(
                Case.objects.restrict(user), Disinfection.objects.restrict(user), now
            ),
            pending=StatusChange.objects.restrict(user)
            .filter(status="pending")
            .values("batch")
            .distinct()
            .count(),
            can_change=can_change,
            can_report=user.has_action(HealthReport, "add"),
            can_approve=user.has_action(StatusChange, "approve"),
        )
        return context

    def _alerts(self, user: User) -> list[Any]:
        """Open screening alerts the health officer can turn into a quarantine."""
        from fangkong.screening.choices import AlertStatus
        from fangkong.screening.models import Alert

        return list(
            Alert.objects.restrict(user)
            .filter(status=AlertStatus.OPEN, kind__in=ALERT_KINDS)
            .filter(Q(person__isnull=True) | Q(person__status="active"))
            .select_related("household__building", "person")
            .order_by("-raised_at", "-pk")[:50]
        )
