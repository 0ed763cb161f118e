"""Outside the browser tests Django's async-safety check is on: an ORM call from a running
event loop raises, as in production. The browser tests allow it only while they run
(``core.tests.browser.async_unsafe_allowed``), never for the whole process."""

from __future__ import annotations

import asyncio
import os

import pytest
from django.core.exceptions import SynchronousOnlyOperation

from fangkong.accounts.models import User
from fangkong.core.tests.browser import ASYNC_UNSAFE, async_unsafe_allowed


async def _count_users() -> int:
    return User.objects.count()


@pytest.mark.django_db
def test_an_orm_call_from_an_event_loop_raises_outside_the_browser_tests() -> None:
    assert ASYNC_UNSAFE not in os.environ
    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(_count_users())


def test_the_browser_tests_allowance_ends_with_them() -> None:
    with async_unsafe_allowed():
        assert os.environ[ASYNC_UNSAFE] == "true"
    assert ASYNC_UNSAFE not in os.environ
