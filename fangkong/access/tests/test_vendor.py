"""Vendored browser code is exactly the published file it says it is."""

from __future__ import annotations

import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "static" / "access" / "vendor"


def test_the_vendored_qr_decoder_is_jsqr_1_4_0_unchanged_with_its_licence() -> None:
    digest = hashlib.sha256((VENDOR / "jsQR.js").read_bytes()).hexdigest()
    assert digest == "bc40c8a15196236b2314db0856f72ca0b49980cd5413b8c852a7349f5fee0859"
    assert "Apache License" in (VENDOR / "jsQR.LICENSE").read_text()
    assert digest in (VENDOR / "README.md").read_text()
