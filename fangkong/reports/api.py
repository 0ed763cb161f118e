"""``GET /api/v1/daily-figures/``: the stored daily figures of an area over a range of days,
as JSON or CSV — a community's own rows, or the sums over the communities below a street,
district or city (``fangkong.reports.daily``: sums of stored rows, one query).

``format`` is this endpoint's own parameter (json or csv), not REST framework's renderer
switch: an error is always JSON in DESIGN.md's shape, whatever format was asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area, communities_covered
from fangkong.core.api import ErrorSerializer, Serializer
from fangkong.core.dates import check_date_range
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.requests import AuthenticatedApiRequest
from fangkong.reports import daily
from fangkong.reports.models import CommunityFigure

#: The days shown when no range is given: the last 30, today included.
DEFAULT_DAYS = 30


class JsonNegotiation(BaseContentNegotiation):
    """Always JSON: ``?format=`` is read by the view itself (see the module's docstring)."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class DailyFiguresQuery(Serializer):
    """What a caller asks for: an area, a range of days (366 at most), a format."""

    area = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    format = serializers.ChoiceField(choices=("json", "csv"), default="json")

    def validate_since(self, value: dt.date) -> dt.date:
        return check_date_range(value)

    def validate_until(self, value: dt.date) -> dt.date:
        return check_date_range(value)


class DayFiguresSerializer(Serializer):
    day = serializers.DateField()
    figures = serializers.DictField(child=serializers.IntegerField())


class AreaBriefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.CharField()


class DailyFiguresSerializer(Serializer):
    """The answer: the area, the range, every key with its label, and each stored day."""

    area = AreaBriefSerializer()
    since = serializers.DateField()
    until = serializers.DateField()
    communities = serializers.IntegerField(help_text=gettext_lazy("Communities summed."))
    keys = serializers.ListField(child=serializers.CharField())
    labels = serializers.DictField(child=serializers.CharField())
    days = DayFiguresSerializer(many=True)


def _refuse(field: str, message: str) -> Response:
    return Response(
        {"code": "invalid", "message": message, "fields": {field: [message]}}, status=400
    )


class DailyFiguresViewSet(viewsets.GenericViewSet[CommunityFigure]):
    """The stored daily figures of an area the caller covers, day by day."""

    request: AuthenticatedApiRequest
    queryset = CommunityFigure.objects.all()
    # Scope first, then the right (as on routes that name a row): an area outside the
    # caller's scope is 404 whatever their role; one inside it without the right is 403.
    permission_classes = [IsAuthenticated]
    content_negotiation_class = JsonNegotiation
    pagination_class = None
    #: An area outside the caller's scope is not found (documents 404 in the schema).
    can_be_not_found = True

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "area",
                OpenApiTypes.INT,
                required=True,
                description=gettext_lazy(
                    "A community (its own figures) or a street, district or city (the sums "
                    "of its communities)."
                ),
            ),
            OpenApiParameter(
                "since",
                OpenApiTypes.DATE,
                description=gettext_lazy("First day (default: 29 days before until)."),
            ),
            OpenApiParameter(
                "until",
                OpenApiTypes.DATE,
                description=gettext_lazy("Last day (default: today in the area)."),
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description=gettext_lazy(
                    "json (default) or csv: a row per day, a column per key. Without it, "
                    "Accept: text/csv asks for CSV too."
                ),
            ),
        ],
        responses={
            (200, "application/json"): DailyFiguresSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=gettext_lazy(
                    "With format=csv or Accept: text/csv: a row per stored day, a column per key."
                ),
            ),
            400: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("A bad area or date, or more than 366 days."),
            ),
            404: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("No such area in the caller's scope.")
            ),
        },
    )
    def list(self, request: Request) -> Response | HttpResponse:
        """Each stored day's figures of the area from ``since`` to ``until``."""
        for name in ("page", "page_size"):
            # One row a day over at most a year: never paged, and a page asked for is an
            # error rather than silently the whole range.
            if request.query_params.get(name):
                return _refuse(name, _("Daily figures are not paged: ask for a range of days."))
        query = DailyFiguresQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        area = Area.objects.restrict(self.request.user).filter(pk=data["area"]).first()
        covered = communities_covered(self.request.user) or []
        if area is None or area.level == AreaLevel.GRID:
            if area is not None:
                return _refuse(
                    "area", _("Daily figures are kept per community: choose a community or above.")
                )
            return Response({"code": "not_found", "message": _("Not found."), "fields": {}}, 404)
        below = set(daily.communities_below(area).values_list("pk", flat=True))
        if not below <= set(covered):  # an ancestor the caller sees by name only
            return Response({"code": "not_found", "message": _("Not found."), "fields": {}}, 404)
        if not self.request.user.has_action(CommunityFigure, "view"):
            raise PermissionDeniedError("view", _("Your role does not read the daily figures."))
        until = data.get("until") or area.local_today()
        since = data.get("since") or until - dt.timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            return _refuse("since", _("The first day comes after the last."))
        if (until - since).days >= daily.MAX_RANGE_DAYS:
            return _refuse(
                "until",
                _("At most %(days)s days at a time: ask for a shorter range.")
                % {"days": daily.MAX_RANGE_DAYS},
            )
        days = daily.series(area, since, until)
        if data["format"] == "csv" or (
            "format" not in request.query_params and _wants_csv(request)
        ):
            return _csv(area, since, until, days)
        return Response(
            {
                "area": {"id": area.pk, "name": area.name, "level": area.level},
                "since": since,
                "until": until,
                "communities": len(below),
                "keys": list(daily.DAILY_KEYS),
                "labels": {key: str(label) for key, label in daily.DAILY_LABELS.items()},
                "days": [{"day": day, "figures": figures} for day, figures in days.items()],
            }
        )


def _wants_csv(request: Request) -> bool:
    """Whether the ``Accept`` header asks for CSV before JSON (``?format=`` decides when
    given)."""
    kinds = [
        part.split(";")[0].strip().lower()
        for part in request.META.get("HTTP_ACCEPT", "").split(",")
    ]
    if "text/csv" not in kinds:
        return False
    return "application/json" not in kinds or kinds.index("text/csv") < kinds.index(
        "application/json"
    )


def _csv(
    area: Area, since: dt.date, until: dt.date, days: dict[dt.date, dict[str, int]]
) -> HttpResponse:
    """A row per stored day, a column per key (the keys as headers: a spreadsheet's
    formulas and a script read them alike)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", *daily.DAILY_KEYS])
    for day, figures in days.items():
        writer.writerow([day.isoformat(), *(figures[key] for key in daily.DAILY_KEYS)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"daily-figures-{area.pk}-{since.isoformat()}-{until.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def register(router: Any) -> None:
    router.register("daily-figures", DailyFiguresViewSet, basename="daily-figures")
