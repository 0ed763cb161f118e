"""The rejected rows of a resident import, downloaded as an .xlsx with the reasons, fixed and
uploaded again: imported once, nobody twice."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent, Job
from fangkong.registry.imports import TEMPLATE_HEADERS
from fangkong.registry.models import Building, Person
from fangkong.registry.tests.factories import BuildingFactory
from fangkong.registry.tests.test_import_views import BAD, GOOD, GOOD_2, ID_2, register, upload


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def building(community_a: Area, grid_a1: Area) -> Building:
    return BuildingFactory(community=community_a, grid=grid_a1, number="1", units=1, floors=6)


def _preview(client: Client, community: Area, file: SimpleUploadedFile) -> Job:
    response = upload(client, community, file)
    assert response.status_code == 302, response.content[:500]
    return Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def _sheet(data: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_rejected_rows_are_downloaded_fixed_and_imported_again_without_duplicates(
    client: Client, officer_a: User, community_a: Area, building: Building
) -> None:
    client.force_login(officer_a)
    # Given a register with one good row and two bad ones: no name, and a short phone
    bad_name = [*GOOD_2[:3], "", *GOOD_2[4:]]
    preview = _preview(client, community_a, register(GOOD, bad_name, BAD))
    page = client.get(reverse("registry:import_detail", args=[preview.pk]))
    assert page.context["can_download_rejected"]
    assert reverse("registry:import_rejected", args=[preview.pk]) in page.content.decode()

    # When the officer downloads the rejected rows
    response = client.get(reverse("registry:import_rejected", args=[preview.pk]))

    # Then the file has the upload's columns, the two rows as typed, and a reason column
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = _sheet(response.content)
    assert rows[0] == [*TEMPLATE_HEADERS, "原因"]
    assert len(rows) == 3
    assert rows[1][5] == ID_2  # the full ID number they typed, as text
    assert "姓名" in rows[1][-1]
    assert rows[2][3] in ("", None)
    assert rows[2][-1]
    assert AccessEvent.objects.filter(
        kind=AccessKind.EXPORT, actor=officer_a, detail__what="import_rejected_rows"
    ).exists()

    # When they import the valid row, fix the two rows in the downloaded file and upload it
    client.post(reverse("registry:import_confirm", args=[preview.pk]), {"action": "import"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    sheet.cell(row=2, column=4, value="马国强")
    sheet.cell(row=3, column=4, value="马小红")
    sheet.cell(row=3, column=7, value="13912340003")
    out = io.BytesIO()
    book.save(out)
    again = _preview(client, community_a, SimpleUploadedFile("返回.xlsx", out.getvalue()))
    assert again.result["rejected"] == 0, again.result["errors"]
    client.post(reverse("registry:import_confirm", args=[again.pk]), {"action": "import"})

    # Then everyone is imported, once
    assert sorted(Person.objects.values_list("name", flat=True)) == ["孙桂兰", "马国强", "马小红"]


def test_only_the_uploader_gets_the_rejected_rows(
    client: Client, officer_a: User, community_a: Area, building: Building
) -> None:
    client.force_login(officer_a)
    preview = _preview(client, community_a, register(GOOD, BAD))
    other = User.objects.create_user(
        username="officer_a2", password="x", role=officer_a.role, area=officer_a.area
    )
    client.force_login(other)

    response = client.get(reverse("registry:import_rejected", args=[preview.pk]))

    assert response.status_code == 404
