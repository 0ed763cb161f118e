"""Vendored browser code is exactly the published file it says it is."""

from __future__ import annotations

import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "static" / "reports" / "vendor" / "echarts"


def test_the_vendored_charts_are_echarts_5_6_0_unchanged_with_their_licences() -> None:
    digest = hashlib.sha256((VENDOR / "echarts.common.min.js").read_bytes()).hexdigest()
    assert digest == "55974cf42cc160e6cf9099cd3ed8cdedfaa9779919fcee7e2272c85f6ca30e27"
    assert "Apache License" in (VENDOR / "LICENSE").read_text()
    assert "Apache ECharts" in (VENDOR / "NOTICE").read_text()
    assert (
        "BSD" in (VENDOR / "LICENSE-d3").read_text()
        or "Redistribution" in (VENDOR / "LICENSE-d3").read_text()
    )
    assert digest in (VENDOR / "README.md").read_text()
