"""The WSGI entry point production servers load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_wsgi_application_loads_every_view_and_freezes_them_for_the_collector() -> None:
    # A fresh interpreter: freezing the test process's own objects would prove nothing.
    code = (
        "import gc, sys; import fangkong.wsgi as w; "
        "assert callable(w.application); "
        "assert 'fangkong.access.api' in sys.modules; "  # loaded by the URLconf, not lazily
        "print(gc.get_freeze_count())"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DJANGO_SETTINGS_MODULE="fangkong.settings", FANGKONG_TESTING="1")
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 10_000
