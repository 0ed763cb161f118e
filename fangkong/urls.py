"""Top-level URLs. Each app mounts its own ``urls.py``; the API lives under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("fangkong.reports.urls")),
    path("accounts/", include("fangkong.accounts.urls")),
    path("areas/", include("fangkong.areas.urls")),
    path("registry/", include("fangkong.registry.urls")),
    path("core/", include("fangkong.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
