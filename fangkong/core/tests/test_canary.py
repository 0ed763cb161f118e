"""The canary: a known ID number and phone, pushed through an edit, a search and a reveal,
must afterwards appear in plaintext nowhere but the reveal's own answer.

Not in any page of the access walk, not in the database (every table, dumped), not in the
audit snapshots, the access events, the job logs, nor in anything logged (error reports),
nor in a real server's access log after every way of searching for it.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from fangkong.accounts.models import ApiToken
from fangkong.accounts.tests.factories import PASSWORD
from fangkong.core.api import hash_token
from fangkong.core.jobs import enqueue_job
from fangkong.core.models import AccessEvent, Job, ObjectChange
from fangkong.core.tests.canary import CANARY_FORMS, CANARY_ID, CANARY_PHONE
from fangkong.core.tests.helpers import person_form_data
from fangkong.core.tests.server import database_url_for_a_server, granian
from fangkong.core.tests.walk import World, response_text
from fangkong.core.tests.walk_routes import BUILDERS, ROUTES
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
)

#: How people type a whole ID number or phone into a search box.
SEARCHED = (
    CANARY_ID,
    f"{CANARY_ID[:6]} {CANARY_ID[6:14]} {CANARY_ID[14:]}",
    CANARY_PHONE,
    "139-8765-0321",
    "139 8765 0321",
    "+86 139 8765 0321",
)


def _leaks(text: str) -> list[str]:
    return [form for form in CANARY_FORMS if form in text]


@pytest.mark.django_db
def test_a_canary_id_number_and_phone_appear_in_plaintext_nowhere(
    client: Any,
    officer_a: Any,
    grid_a1: Any,
    community_a: Any,
    grid_worker_a1: Any,
    officer_b: Any,
    grid_worker_a2: Any,
    health_a: Any,
    checkpoint_a: Any,
    volunteer_a: Any,
    street_official: Any,
    caplog: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    caplog.set_level(logging.DEBUG)
    building = BuildingFactory(grid=grid_a1, community=community_a)
    household = HouseholdFactory(building=building)
    person = PersonFactory(household=household)
    client.force_login(officer_a)

    # Given the canary typed into the edit form
    response = client.post(
        reverse("registry:person_edit", args=[person.pk]),
        person_form_data(person, id_number=CANARY_ID, phone=CANARY_PHONE),
    )
    assert response.status_code == 302, response.content[:500]
    person.refresh_from_db()
    assert person.id_number_mask == CANARY_ID[:6] + "********" + CANARY_ID[-4:]

    # When it is searched for, by ID number and by phone, from the search box
    for query in (CANARY_ID, CANARY_PHONE):
        response = client.post(reverse("registry:person_list"), {"q": query})
        assert response.status_code == 200
        assert person.name in response.content.decode()
        assert not _leaks(response.content.decode()), "the search page echoes the number"
    # And typed into a URL by hand: refused (a URL is logged), the number not echoed
    response = client.get(reverse("registry:person_list"), {"q": CANARY_ID})
    assert response.status_code == 400
    assert not _leaks(response.content.decode())

    # And revealed with a reason (the one answer that may show it)
    response = client.post(
        reverse("registry:person_reveal", args=[person.pk]), {"reason": "核实身份"}
    )
    assert CANARY_ID in response.content.decode()
    assert response["Cache-Control"].find("no-store") >= 0

    # And a job ran in the area
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_job("core.selftest", user=officer_a, area_path=community_a.path)

    # Then no page of the access walk shows it, to the officer or anyone else
    world = World(
        community_a,
        grid_a1,
        building,
        household,
        person,
        Job.objects.first(),
        users={
            "officer_a": officer_a,
            "officer_b": officer_b,
            "grid_worker_a1": grid_worker_a1,
            "grid_worker_a2": grid_worker_a2,
            "health_a": health_a,
            "checkpoint_a": checkpoint_a,
            "volunteer_a": volunteer_a,
            "street_official": street_official,
        },
    )
    for build in BUILDERS:
        build(world)
    for name, route in ROUTES.items():
        if route.kind == "public" or name in {"registry:person_reveal", "accounts:logout"}:
            continue
        for user in (officer_a, grid_worker_a1):
            client.force_login(user)
            url = reverse(name, kwargs=route.kwargs(world))
            page = client.get(url, route.data(world)) if route.method == "get" else None
            if page is not None:
                assert not _leaks(response_text(page)), f"{name} shows the canary to {user}"

    # And the database holds it nowhere: every table, dumped
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump, verbosity=0)
    assert not _leaks(dump.getvalue()), "the database dump holds the canary"

    # And the audit rows and access events hold masks only
    for change in ObjectChange.objects.all():
        assert not _leaks(f"{change.before} {change.after} {change.object_repr}")
    assert AccessEvent.objects.filter(kind="reveal", person_id=person.pk).exists()
    assert AccessEvent.objects.filter(kind="search").count() == 2  # the URL searched nothing
    for event in AccessEvent.objects.all():
        assert not _leaks(f"{event.detail} {event.reason} {event.object_repr}")
    for job in Job.objects.all():
        assert not _leaks(f"{job.log} {job.result} {job.params}")

    # And nothing logged (request logs, error reports) carries it
    assert not _leaks(caplog.text)
    assert Person.objects.filter(pk=person.pk, id_number_mask__endswith=CANARY_ID[-4:]).exists()


@pytest.mark.django_db
def test_a_server_error_report_carries_no_canary(
    client: Any,
    officer_a: Any,
    grid_a1: Any,
    community_a: Any,
    caplog: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a form post carrying the canary that makes the service fail unexpectedly
    household = HouseholdFactory(building=BuildingFactory(grid=grid_a1, community=community_a))
    person = PersonFactory(household=household)
    client.force_login(officer_a)
    client.raise_request_exception = False

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("fangkong.registry.services.do_update_person", explode)
    caplog.set_level(logging.DEBUG)
    # When it is posted
    response = client.post(
        reverse("registry:person_edit", args=[person.pk]),
        person_form_data(person, id_number=CANARY_ID, phone=CANARY_PHONE),
    )
    # Then the user gets the error page and the logged report has no canary in it
    assert response.status_code == 500
    assert not _leaks(response.content.decode())
    assert "database went away" in caplog.text
    assert not _leaks(caplog.text)


@pytest.mark.django_db(transaction=True)
def test_searching_for_the_canary_leaves_it_out_of_the_server_s_access_log(
    tmp_path: Path,
    officer_a: Any,
    grid_a1: Any,
    community_a: Any,
) -> None:
    # Given the canary in the registry, an officer, and an API client's token, served by
    # granian as in production, its access log written to a file
    household = HouseholdFactory(building=BuildingFactory(grid=grid_a1, community=community_a))
    person = PersonFactory(household=household, id_number=CANARY_ID, phone=CANARY_PHONE)
    ApiToken.objects.create(user=officer_a, key_hash=hash_token("canary-client"), prefix="canary-c")
    access_log = tmp_path / "access.log"
    answers: list[str] = []
    with granian(database_url_for_a_server(tmp_path), access_log=access_log) as base_url:
        browser = _Browser(base_url)
        browser.log_in(officer_a.username, PASSWORD)
        # When the officer searches from the search box, for each way of writing the numbers
        for query in SEARCHED:
            answers.append(browser.post("/registry/people/", {"q": query}))
        # And an API client posts its searches
        for body in ({"id_number": CANARY_ID}, {"phone": CANARY_PHONE}, {"phone": "139 8765 0321"}):
            answers.append(_post_json(base_url, "/api/v1/people/search/", body))
        # And searches the list by what is harmless in a URL: the last four digits, the name
        answers.append(_get_json(base_url, "/api/v1/people/", {"search": CANARY_PHONE[-4:]}))
        answers.append(browser.get("/registry/people/", {"q": person.name}))
        # granian writes a request's line after its answer, from its own threads, in no
        # promised order: wait for the lines (the assertions below still count them).
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (
            access_log.read_text().count("/registry/people/") < len(SEARCHED) + 1
            or access_log.read_text().count("/api/v1/people/search/") < 3
        ):
            time.sleep(0.1)
    # Then every search found the person
    assert all(person.name in answer for answer in answers)
    # And the access log has a line for each request, and no canary in any of them
    log = access_log.read_text()
    assert log.count("/registry/people/") >= len(SEARCHED) + 1, log
    assert log.count("/api/v1/people/search/") == 3
    assert not _leaks(log), "the access log holds the canary"
    assert not any(_leaks(answer) for answer in answers)


class _Browser:
    """A person at a browser: cookies kept, forms posted with the CSRF token."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def get(self, path: str, query: dict[str, str] | None = None) -> str:
        url = f"{self.base_url}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        with self.opener.open(url, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> str:
        if not any(c.name == "csrftoken" for c in self.cookies):
            self.get("/accounts/login/")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self._csrf()}).encode()
        request = urllib.request.Request(  # noqa: S310 (our own server, over http)
            f"{self.base_url}{path}",
            data=body,
            method="POST",
        )
        with self.opener.open(request, timeout=60) as response:
            return response.read().decode()

    def log_in(self, username: str, password: str) -> None:
        page = self.post("/accounts/login/", {"username": username, "password": password})
        assert re.search(r"/accounts/logout/", page), "login failed"


def _post_json(base_url: str, path: str, body: dict[str, str]) -> str:
    request = urllib.request.Request(  # noqa: S310 (our own server, over http)
        f"{base_url}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer canary-client"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.read().decode()


def _get_json(base_url: str, path: str, query: dict[str, str]) -> str:
    request = urllib.request.Request(  # noqa: S310 (our own server, over http)
        f"{base_url}{path}?{urllib.parse.urlencode(query)}",
        headers={"Authorization": "Bearer canary-client"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.read().decode()
