"""Service-level tests read the services' messages in English, the source language.

Pages are requested in the site's default language (Chinese) by the middleware regardless.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield
