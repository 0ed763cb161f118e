"""Staff tests keep uploaded patrol photos in a temporary directory, never under var/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _patrol_photos_in_a_temporary_media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
