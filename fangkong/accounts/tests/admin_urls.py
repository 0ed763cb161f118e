"""The project's URLs with Django's admin mounted, as ``FANGKONG_ADMIN=1`` mounts it (the
suite runs with it off, the default)."""

from django.contrib import admin
from django.urls import path

from fangkong.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("admin/", admin.site.urls)]
