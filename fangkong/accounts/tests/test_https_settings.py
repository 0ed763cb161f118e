"""Behind the TLS proxy of docs/deploy.md: HSTS, https:// links, secure cookies, and a clean
``manage.py check --deploy`` with the documented production settings (``bin/check-deploy``,
which CI runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fangkong.registry.tests.factories import PersonFactory

PEOPLE = reverse("api:person-list")
YEAR = 365 * 24 * 3600


def settings_under(tmp_path: Any, **env: str) -> dict[str, Any]:
    """Settings as a real start with this environment makes them (debug off, no test mode)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k != "PYTEST_VERSION" and not k.startswith("FANGKONG_")
    }
    clean.update(
        FANGKONG_TESTING="0",
        FANGKONG_SECRET_KEY="x" * 50,
        FANGKONG_DATA_KEY="y" * 50,
        FANGKONG_VAR_DIR=str(tmp_path),
        **env,
    )
    names = [
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "TRUSTED_PROXIES",
    ]
    code = (
        "import json, fangkong.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=clean,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(out.stdout)


def test_check_deploy_is_clean_with_the_documented_production_settings() -> None:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE while they run (and the caller's shell
    # might); a deployment never does, and check --deploy rightly refuses it, so the child
    # runs without it.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    out = subprocess.run(
        [str(settings.BASE_DIR / "bin" / "check-deploy")],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )

    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stderr + out.stdout


def test_behind_the_tls_proxy_https_is_trusted_required_and_remembered(tmp_path: Any) -> None:
    values = settings_under(
        tmp_path, FANGKONG_BEHIND_TLS_PROXY="1", FANGKONG_TRUSTED_PROXIES="127.0.0.1,::1"
    )

    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": YEAR,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "TRUSTED_PROXIES": ["127.0.0.1", "::1"],
    }


def test_without_a_proxy_no_header_is_trusted(tmp_path: Any) -> None:
    values = settings_under(tmp_path)

    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["TRUSTED_PROXIES"] == []


def test_each_https_setting_can_be_changed(tmp_path: Any) -> None:
    values = settings_under(
        tmp_path,
        FANGKONG_BEHIND_TLS_PROXY="1",
        FANGKONG_SSL_REDIRECT="0",
        FANGKONG_HSTS_SECONDS="3600",
        FANGKONG_HSTS_INCLUDE_SUBDOMAINS="1",
        FANGKONG_HSTS_PRELOAD="1",
    )

    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True


@pytest.mark.django_db
def test_behind_the_proxy_links_are_https_and_hsts_is_sent(
    officer_a: Any, community_a: Any, settings: Any
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["fangkong.lan"]
    for _ in range(2):
        PersonFactory(household=None, community=community_a)
    # What nginx passes on (docs/deploy.md): the Host the phone asked for, and the scheme
    client = Client(HTTP_HOST="fangkong.lan")
    client.force_login(officer_a)

    response = client.get(PEOPLE, {"page_size": 1}, HTTP_X_FORWARDED_PROTO="https")

    assert response.json()["next"].startswith("https://fangkong.lan/api/v1/people/")
    assert response["Strict-Transport-Security"] == f"max-age={YEAR}"
    # A request that did not come over HTTPS is neither told https:// nor pinned
    plain = client.get(PEOPLE, {"page_size": 1})
    assert plain.json()["next"].startswith("http://")
    assert not plain.has_header("Strict-Transport-Security")
