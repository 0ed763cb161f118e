"""Top-level URLs. Each app mounts its own ``urls.py``; the API lives under /api/v1/."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # First: Django tries routes in order, and the API carries the busiest request (scans).
    path("api/v1/", include("fangkong.api_urls")),
    path("", include("fangkong.reports.urls")),
    path("accounts/", include("fangkong.accounts.urls")),
    path("areas/", include("fangkong.areas.urls")),
    path("registry/", include("fangkong.registry.urls")),
    path("staff/", include("fangkong.staff.urls")),
    path("screening/", include("fangkong.screening.urls")),
    path("daily/", include("fangkong.daily.urls")),
    path("supplies/", include("fangkong.supplies.urls")),
    path("outreach/", include("fangkong.outreach.urls")),
    path("access/", include("fangkong.access.urls")),
    path("health/", include("fangkong.health.urls")),
    path("volunteers/", include("fangkong.volunteers.urls")),
    path("merchants/", include("fangkong.merchants.urls")),
    path("inquiries/", include("fangkong.inquiries.urls")),
    path("counselling/", include("fangkong.counselling.urls")),
    path("", include("fangkong.selfservice.urls")),
    path("core/", include("fangkong.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
if settings.ADMIN_ENABLED:
    # Only with FANGKONG_ADMIN=1, and only after the code step (fangkong/accounts/admin_site.py).
    urlpatterns.append(path("admin/", admin.site.urls))

# JSON in the API's error shape under /api/, a Chinese page elsewhere (core/error_views.py).
handler400 = "fangkong.core.error_views.bad_request"
handler403 = "fangkong.core.error_views.permission_denied"
handler404 = "fangkong.core.error_views.page_not_found"
handler500 = "fangkong.core.error_views.server_error"
