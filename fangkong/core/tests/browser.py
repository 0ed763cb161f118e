"""Browser tests on a phone-sized screen (360×740) in Debian's Chromium, through Playwright.

A pytest plugin (registered by ``pytest_plugins`` in the root conftest.py) with the fixtures,
and the helpers a browser test module imports::

    from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in

    pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

    def test_it_fits(phone: Any) -> None:
        log_in(phone, "officer_a")
        phone.goto(phone.base_url + "/")
        assert_fits_phone(phone)

``browser`` is one Chromium per test module; ``phone`` a fresh phone-sized page on the live
server per test. A module that needs more (the gate scanner's fake camera) overrides
``chromium_extra_args`` and ``phone_context_options`` instead of launching its own.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

from fangkong.accounts.tests.factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

NEEDS_CHROMIUM = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (CI installs it)",
)

# Elements a finger must hit. Hidden inputs and elements inside closed <details> are skipped.
TAP_TARGETS_TOO_SMALL = """
() => [...document.querySelectorAll(
    'a, button, input:not([type=hidden]), select, textarea, summary')]
  .filter(el => el.offsetParent !== null)
  .map(el => { const r = el.getBoundingClientRect();
               return {tag: el.tagName, text: (el.innerText || el.name || '').slice(0, 30),
                       w: Math.round(r.width), h: Math.round(r.height)}; })
  .filter(r => r.w < 44 || r.h < 44)
"""
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium_extra_args() -> list[str]:
    """Flags added to CHROMIUM_ARGS; a module overrides this fixture to add its own."""
    return []


@contextmanager
def async_unsafe_allowed() -> Iterator[None]:
    """Django's database calls allowed while an event loop runs, for as long as the block
    lasts: Playwright's sync API runs one in the test's thread. Only the browser tests need
    it; every other test keeps Django's check (an ORM call from async code raises)."""
    before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = before


@pytest.fixture(scope="module")
def browser(chromium_extra_args: list[str]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with async_unsafe_allowed(), sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS + chromium_extra_args
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_context_options() -> dict[str, Any]:
    """Options added to the phone's browser context; a module overrides this to add its own."""
    return {}


class _SerialWSGIServer(WSGIServer):
    """The live server answering one request at a time. On SQLite the test database lives in
    memory and the live server's threads share its one connection: two requests at once (a
    page and its data fetch) collide in it ("bad parameter or other API misuse"). Django's
    server closes each connection when it does not run threads, so no browser waits on one."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


def pytest_configure(config: pytest.Config) -> None:
    if connection.vendor == "sqlite":
        LiveServerThread.server_class = _SerialWSGIServer


@pytest.fixture
def phone(
    browser: Any, live_server: Any, transactional_db: None, phone_context_options: dict[str, Any]
) -> Iterator[Any]:
    """A fresh page 360×740 wide, in Chinese, by touch; ``page.base_url`` is the live server."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        **phone_context_options,
    )
    page = context.new_page()
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db: None) -> None:
    """The seeded demo; its users log in with settings.DEMO_PASSWORD."""
    call_command("seed_demo", verbosity=0)


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    # A test may log in as a second user on the same page: drop the first one's session.
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, "login failed"


def assert_fits_phone(page: Any) -> None:
    assert page.evaluate(SIDEWAYS) <= 0, f"{page.url} scrolls sideways"
    small = page.evaluate(TAP_TARGETS_TOO_SMALL)
    assert not small, f"{page.url} has tap targets under 44 px: {small[:5]}"
