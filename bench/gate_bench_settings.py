"""Settings for bench/gate_scan.py: the project's, with the benchmark's own URLconf (which
adds a bare JSON view beside the API). Used only by the benchmark."""

from fangkong.settings import *  # noqa: F403

ROOT_URLCONF = "bench.gate_bench_urls"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,  # no per-request log lines
    "root": {"handlers": [], "level": "WARNING"},
}
