"""Test set-up shared by every app: settings for tests and a few personas.

The personas live in one small jurisdiction tree::

    city > district > street > community_a (grids a1, a2)
                             > community_b (grids b1, b2)

Users are named by what they do and where: ``officer_a`` is the community officer of
community A, ``grid_worker_a1`` the grid worker of grid a1. Registry rows are made in each
test with the factories next to their app (``fangkong/registry/tests/factories.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.areas.tests.factories import AreaFactory
from fangkong.core.personal_data import reset_keys

# fangkong/settings.py reads FANGKONG_TESTING (cheap password hashing, fixed keys, jobs run
# inline) and defaults it to on under pytest. pytest-django loads the settings *before* this
# module is imported, so setting the variable here only reaches subprocesses (manage.py run
# by a test); pytest_configure stops a run whose settings were loaded without it.
os.environ.setdefault("FANGKONG_TESTING", "1")

# The Playwright fixtures (browser, phone, demo) shared by every app's test_browser.py.
pytest_plugins = ["fangkong.core.tests.browser"]


def pytest_configure(config: pytest.Config) -> None:
    if not settings.TESTING:
        pytest.exit(
            "fangkong settings were loaded with FANGKONG_TESTING off: unset it or set it to 1 "
            "(argon2 hashing and the database task backend would make the suite slow and "
            "jobs would never run).",
            returncode=4,
        )


@pytest.fixture(autouse=True)
def _fresh_data_keys() -> Iterator[None]:
    """Derived keys are cached; a test that overrides DATA_KEY must not leak it to the next."""
    reset_keys()
    yield
    reset_keys()


@pytest.fixture(autouse=True)
def _uploads_in_memory(settings: Any) -> None:
    """Imports' uploads in memory (a fresh store each test): the code reaches them only
    through the storage API, as it must when web and worker are different machines."""
    settings.STORAGES = {
        **settings.STORAGES,
        "uploads": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counts (core.ratelimit) start empty in each test: every test client calls
    from the same address, so counts carried over would throttle an unrelated test."""
    from django.core.cache import caches

    caches["ratelimit"].clear()


# --- The area tree --------------------------------------------------------------------------


@pytest.fixture
def city(db: None) -> Area:
    return AreaFactory(level=AreaLevel.CITY, name="沈阳市", code="2101")


@pytest.fixture
def district(city: Area) -> Area:
    return AreaFactory(parent=city, name="和平区", code="210102")


@pytest.fixture
def street(district: Area) -> Area:
    return AreaFactory(parent=district, name="南湖街道", code="210102001")


@pytest.fixture
def community_a(street: Area) -> Area:
    return AreaFactory(parent=street, name="文化社区", code="210102001001")


@pytest.fixture
def community_b(street: Area) -> Area:
    return AreaFactory(parent=street, name="长白社区", code="210102001002")


@pytest.fixture
def grid_a1(community_a: Area) -> Area:
    return AreaFactory(parent=community_a, name="文化第一网格", code="210102001001-1")


@pytest.fixture
def grid_a2(community_a: Area) -> Area:
    return AreaFactory(parent=community_a, name="文化第二网格", code="210102001001-2")


@pytest.fixture
def grid_b1(community_b: Area) -> Area:
    return AreaFactory(parent=community_b, name="长白第一网格", code="210102001002-1")


@pytest.fixture
def grid_b2(community_b: Area) -> Area:
    return AreaFactory(parent=community_b, name="长白第二网格", code="210102001002-2")


# --- Users ----------------------------------------------------------------------------------


def _user(username: str, role: Role, area: Area) -> User:
    return UserFactory(username=username, role=role, area=area)


@pytest.fixture
def officer_a(community_a: Area) -> User:
    return _user("officer_a", Role.COMMUNITY_OFFICER, community_a)


@pytest.fixture
def officer_b(community_b: Area) -> User:
    return _user("officer_b", Role.COMMUNITY_OFFICER, community_b)


@pytest.fixture
def grid_worker_a1(grid_a1: Area) -> User:
    return _user("grid_worker_a1", Role.GRID_WORKER, grid_a1)


@pytest.fixture
def grid_worker_a2(grid_a2: Area) -> User:
    return _user("grid_worker_a2", Role.GRID_WORKER, grid_a2)


@pytest.fixture
def health_a(community_a: Area) -> User:
    return _user("health_a", Role.HEALTH_OFFICER, community_a)


@pytest.fixture
def district_official(district: Area) -> User:
    return _user("district_official", Role.DISTRICT_OFFICIAL, district)


@pytest.fixture
def street_official(street: Area) -> User:
    return _user("street_official", Role.STREET_OFFICIAL, street)


@pytest.fixture
def checkpoint_a(community_a: Area) -> User:
    return _user("checkpoint_a", Role.CHECKPOINT_STAFF, community_a)


@pytest.fixture
def volunteer_a(community_a: Area) -> User:
    return _user("volunteer_a", Role.VOLUNTEER, community_a)


@pytest.fixture
def administrator(street: Area) -> User:
    """The street's administrator: its areas and accounts, no resident's data."""
    return _user("administrator", Role.ADMINISTRATOR, street)


@pytest.fixture
def superuser(db: None) -> User:
    return UserFactory(username="admin", superuser=True)
