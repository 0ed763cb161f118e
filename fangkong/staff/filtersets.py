"""Filters of the task list (pages and API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fangkong.staff.choices import OPEN_STATUSES, TaskKind, TaskPriority, TaskStatus
from fangkong.staff.models import Task, Team

#: Status choice meaning "open or in progress" (what a list shows unless told otherwise).
STILL_OPEN = "still_open"
ANY_STATUS = "any"


def _teams(request: Any) -> models.QuerySet[Team]:
    if request is None:
        return Team.objects.none()
    return Team.objects.restrict(request.user)


class TaskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=[(STILL_OPEN, _("Open or in progress")), *TaskStatus.choices,
                 (ANY_STATUS, _("Any status"))],
        empty_label=None, method="filter_status", label=_("status"),
    )
    priority = django_filters.ChoiceFilter(choices=TaskPriority.choices, label=_("priority"))
    kind = django_filters.ChoiceFilter(choices=TaskKind.choices, label=_("kind"))
    team = django_filters.ModelChoiceFilter(queryset=_teams, label=_("team"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))

    class Meta:
        model = Task
        fields = ["q", "status", "priority", "kind", "team", "overdue"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            filter_.label = capfirst(filter_.label)

    def filter_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        return queryset

    def filter_status(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        if value == STILL_OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset if value == ANY_STATUS else queryset.filter(status=value)

    def filter_overdue(self, queryset: models.QuerySet, name: str, value: bool) -> models.QuerySet:
        late = Q(status__in=OPEN_STATUSES, due__lt=timezone.now())
        return queryset.filter(late if value else ~late)

    def search(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(title__icontains=text) | Q(description__icontains=text)
                               | Q(kind__icontains=text))
