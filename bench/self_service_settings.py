"""Settings for bench/self_service.py: the project's, with the benchmark's URLconf (bare
views beside the household page). Used only by the benchmark."""

from fangkong.settings import *  # noqa: F403

ROOT_URLCONF = "bench.self_service_urls"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,  # no per-request log lines
    "root": {"handlers": [], "level": "WARNING"},
}
