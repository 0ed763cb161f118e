"""Settings for bench/merchant_register.py: the project's, with the benchmark's own URLconf
(a bare form view beside the app). Used only by the benchmark."""

from fangkong.settings import *  # noqa: F403

ROOT_URLCONF = "bench.merchant_bench_urls"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,  # no per-request log lines
    "root": {"handlers": [], "level": "WARNING"},
}

# The pages name their CSS through ``{% static %}``; production's compressed manifest would
# need a collectstatic of every asset first (minutes on a loaded machine) for one dictionary
# lookup a page: the plain storage names the same files without it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
