"""Printing pass cards is its own right: the card carries every member's name and the token
the gate scans, so only the community officer prints; whoever else may see passes does not,
and for them no PDF is ever made."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from fangkong.access import exports as access_exports
from fangkong.access.models import Pass
from fangkong.access.tests.factories import household_with_pass
from fangkong.access.views import passes as passes_views
from fangkong.accounts.choices import Role
from fangkong.accounts.roles import role_allows
from fangkong.core import exports as core_exports
from fangkong.core.choices import JobStatus
from fangkong.core.models import AccessEvent, Job

pytestmark = pytest.mark.django_db

#: Everyone who sees a household's pass in community A but may not print it.
NOT_PRINTING = [
    "checkpoint_a",
    "grid_worker_a1",
    "health_a",
    "street_official",
    "district_official",
]


@pytest.fixture
def no_pdf() -> Any:
    """Fails the test if a card PDF is rendered at all."""
    with mock.patch(
        "fangkong.access.cards.render_cards_pdf",
        side_effect=AssertionError("a PDF was rendered"),
    ) as render:
        yield render


def test_only_the_community_officer_holds_the_print_right() -> None:
    printing = {role for role in Role.values if role_allows(role, "access.pass", "print")}
    assert printing == {Role.COMMUNITY_OFFICER}


@pytest.mark.parametrize("persona", NOT_PRINTING)
def test_it_refuses_to_print_a_card_to_whoever_may_only_see_passes(
    client: Any, request: Any, home_a: Any, no_pdf: Any, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    _, item = home_a
    client.force_login(user)
    assert Pass.objects.restrict(user).filter(pk=item.pk).exists()  # they do see the pass

    one = client.get(reverse("access:pass_print"), {"pass": item.pk})
    every = client.get(reverse("access:pass_print"))
    filtered = client.get(reverse("access:pass_print"), {"household": item.household_id})

    assert [one.status_code, every.status_code, filtered.status_code] == [403, 403, 403]
    for response in (one, every, filtered):
        assert response.get("Content-Type", "") != "application/pdf"
    no_pdf.assert_not_called()


def test_a_pass_out_of_the_caller_s_scope_is_not_found_before_the_right_is_asked(
    client: Any, grid_worker_a2: Any, home_a: Any, no_pdf: Any
) -> None:
    client.force_login(grid_worker_a2)  # home_a is in grid a1
    assert client.get(reverse("access:pass_print"), {"pass": home_a[1].pk}).status_code == 404
    no_pdf.assert_not_called()


def test_the_community_officer_prints_one_card_and_a_list(
    client: Any, officer_a: Any, home_a: Any
) -> None:
    client.force_login(officer_a)
    with mock.patch(
        "fangkong.access.cards.render_cards_pdf", return_value=b"%PDF-1.7 cards"
    ) as render:
        one = client.get(reverse("access:pass_print"), {"pass": home_a[1].pk})
        every = client.get(reverse("access:pass_print"))
    assert (one.status_code, every.status_code) == (200, 200)
    assert one["Content-Type"] == "application/pdf"
    assert render.call_count == 2


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("officer_a", True),
        ("checkpoint_a", False),
        ("grid_worker_a1", False),
        ("street_official", False),
    ],
)
def test_the_print_buttons_show_only_to_those_who_may_print(
    client: Any, request: Any, home_a: Any, persona: str, shown: bool
) -> None:
    client.force_login(request.getfixturevalue(persona))
    print_url = reverse("access:pass_print")
    detail = client.get(reverse("access:pass_detail", args=[home_a[1].pk]))
    listing = client.get(reverse("access:pass_list"))
    assert (detail.status_code, listing.status_code) == (200, 200)
    assert (print_url in detail.content.decode()) is shown
    assert (print_url in listing.content.decode()) is shown


def test_a_whole_community_past_the_card_limit_prints_as_one_job_of_zipped_pdfs(
    client: Any,
    officer_a: Any,
    community_a: Any,
    grid_a1: Any,
    settings: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Given five cards and a limit of two a PDF (400 in production: 1,901 households
    # would otherwise be refused, or printed in 5 clicks of 400)
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(access_exports, "MAX_CARDS", 2)
    monkeypatch.setattr(passes_views, "MAX_CARDS", 2)
    monkeypatch.setitem(
        core_exports.EXPORTERS,
        access_exports.PASS_CARDS.name,
        dataclasses.replace(access_exports.PASS_CARDS, inline_rows=2),
    )
    for _ in range(5):
        household_with_pass(community_a, grid_a1)
    client.force_login(officer_a)

    # When the officer prints the whole list
    with (
        mock.patch(
            "fangkong.access.cards.render_cards_pdf",
            side_effect=lambda passes: b"%PDF-" + str(len(list(passes))).encode(),
        ) as render,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.get(reverse("access:pass_print"))

    # Then it is one job, with its progress, whose zip holds a PDF per two cards
    job = Job.objects.get(kind=core_exports.EXPORT_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == JobStatus.COMPLETED, job.log
    assert (job.progress, job.total) == (5, 5)
    assert render.call_count == 3
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "出入证卡片" in page.content.decode()
    download = client.post(reverse("core:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert [archive.read(name) for name in sorted(archive.namelist())] == [
        b"%PDF-2",
        b"%PDF-2",
        b"%PDF-1",
    ]
    assert AccessEvent.objects.get(kind="export").detail["export"] == "access.pass_cards"
    assert client.post(reverse("core:job_download", args=[job.pk])).status_code == 410
