"""The project's URLs and the baseline of bench/gate_scan.py: a bare JSON view with the same
middleware and token auth that reads the same body, writes nothing and answers a small JSON.
Mounted only here."""

from typing import Any

from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fangkong import urls as project_urls


class BareView(APIView):
    """Authenticates the bearer token like the API (same classes), parses the JSON body,
    answers at once."""

    permission_classes = [IsAuthenticated]

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        return Response({"ok": True, "echo": data.get("client_event_id")})


urlpatterns = [
    path("bench/bare/", BareView.as_view(), name="bench_bare"),
    path("", include(project_urls.urlpatterns)),
]
