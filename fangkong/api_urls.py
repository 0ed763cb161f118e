"""The API's routes under ``/api/v1/``: one router for every app's viewsets, the schema, docs.

A SimpleRouter: every route ends with ``/`` and there are no ``.json`` format-suffix
variants (one URL per resource, and the access walk knows each by name). Each domain app's
``api.py`` has a ``register(router)`` that adds its viewsets; the foundation's are listed here.
"""

import importlib
import importlib.util

from django.apps import apps
from django.urls import path
from rest_framework.routers import SimpleRouter

from fangkong.accounts.assignment_api import AssignmentViewSet
from fangkong.areas.api import AreaViewSet
from fangkong.core.api import DocsView, SchemaView
from fangkong.registry.api import BuildingViewSet, HouseholdViewSet, PersonViewSet

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("areas", AreaViewSet, basename="area")
router.register("buildings", BuildingViewSet, basename="building")
router.register("households", HouseholdViewSet, basename="household")
router.register("people", PersonViewSet, basename="person")
router.register("assignments", AssignmentViewSet, basename="assignment")

for config in apps.get_app_configs():
    module_name = f"{config.name}.api"
    if config.name.startswith("fangkong.") and importlib.util.find_spec(module_name):
        module = importlib.import_module(module_name)
        if hasattr(module, "register"):
            module.register(router)

# Django tries routes in order: the gate scan, the busiest request there is (hundreds a day
# at every gate, in bursts), is tried first rather than after every other route.
router.registry.sort(key=lambda entry: entry[0] != "gate/scans")

urlpatterns = [
    *router.urls,
    path("openapi.json", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
]
