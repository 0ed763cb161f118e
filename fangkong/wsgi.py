"""WSGI entry point for production servers (granian, gunicorn)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
application = get_wsgi_application()

# Import every view now (the URLconf imports them) rather than at the first request, then
# freeze what is loaded: Django's modules, models and URL patterns are never garbage, and
# a full collection would otherwise walk all of them again and again under load (and each
# walk writes to every object's header, unsharing the pages a forked worker shares).
get_resolver().url_patterns  # noqa: B018 (loading it is the point)
gc.freeze()
