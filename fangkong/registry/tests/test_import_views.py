"""The import pages (upload, preview, import or not) and the export pages."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fangkong.accounts.models import User
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.models import Area
from fangkong.core.choices import AccessKind, JobStatus
from fangkong.core.imports.uploads import upload_exists, upload_storage, write_progress
from fangkong.core.models import AccessEvent, Job
from fangkong.registry import import_views
from fangkong.registry.imports import TEMPLATE_HEADERS
from fangkong.registry.models import Building, Person
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    valid_id_number,
)

ID_1 = valid_id_number(birth=dt.date(1966, 2, 3), sex="F", area="210102", seq=36)
ID_2 = valid_id_number(birth=dt.date(1964, 9, 9), sex="M", area="210102", seq=91)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def building(community_a: Area, grid_a1: Area) -> Building:
    return BuildingFactory(community=community_a, grid=grid_a1, number="1", units=1, floors=6)


def register(*rows: list[Any]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    workbook.active.append(list(TEMPLATE_HEADERS))
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("登记表.xlsx", out.getvalue())


GOOD = ["1", "1", "301", "孙桂兰", "", ID_1, "13912340001", "户主", "常住", ""]
GOOD_2 = ["1", "1", "301", "马国强", "", ID_2, "13912340002", "配偶", "常住", ""]
BAD = ["1", "1", "302", "", "", "", "1391234", "户主", "常住", ""]


def upload(client: Client, community: Area, file: SimpleUploadedFile) -> Any:
    return client.post(reverse("registry:import_start", args=[community.pk]), {"file": file})


def test_an_officer_sees_the_preview_with_every_rejected_row_before_anything_is_written(
    client: Client,
    officer_a: User,
    community_a: Area,
    building: Building,
) -> None:
    client.force_login(officer_a)

    response = upload(client, community_a, register(GOOD, BAD))

    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    job = page.context["job"]
    assert job.params["mode"] == "preview"
    assert [(e["row"], e["column"]) for e in page.context["errors"]] == [(3, "姓名"), (3, "手机号")]
    assert "*" in page.context["errors"][1]["value"]  # the bad phone, masked
    assert page.context["can_confirm"]
    assert 'value="import"' in text
    assert not Person.objects.exists()


def test_importing_the_valid_rows_writes_them_and_forgets_the_file(
    client: Client,
    officer_a: User,
    community_a: Area,
    building: Building,
) -> None:
    client.force_login(officer_a)
    preview = Job.objects.get(pk=_job_pk(upload(client, community_a, register(GOOD, GOOD_2, BAD))))

    response = client.post(
        reverse("registry:import_confirm", args=[preview.pk]), {"action": "import"}
    )

    imported = Job.objects.get(pk=_job_pk(response))
    assert imported.params["mode"] == "import"
    assert imported.status == JobStatus.COMPLETED
    assert (imported.result["created"], imported.result["rejected"]) == (2, 1)
    assert set(Person.objects.values_list("name", flat=True)) == {"孙桂兰", "马国强"}
    assert not upload_exists(preview.params["upload"])
    preview.refresh_from_db()
    assert preview.params["confirmed"] == imported.pk
    page = client.get(reverse("registry:import_detail", args=[preview.pk]))
    assert not page.context["can_confirm"]  # a second click imports nothing twice


def test_a_second_confirm_from_another_tab_is_told_the_file_was_dealt_with(
    client: Client,
    officer_a: User,
    community_a: Area,
    building: Building,
) -> None:
    # Given a preview imported from one tab
    client.force_login(officer_a)
    preview = Job.objects.get(pk=_job_pk(upload(client, community_a, register(GOOD))))
    url = reverse("registry:import_confirm", args=[preview.pk])
    client.post(url, {"action": "import"})

    # When the other tab, still showing the preview, imports it too
    response = client.post(url, {"action": "import"}, follow=True)

    # Then it lands on the preview with the reason, and nothing is imported twice
    assert response.redirect_chain[-1][0] == reverse("registry:import_detail", args=[preview.pk])
    assert "这个文件已经处理过了。" in [str(m) for m in response.context["messages"]]
    assert Job.objects.filter(params__mode="import").count() == 1
    assert Person.objects.count() == 1


def test_importing_none_forgets_the_file(
    client: Client,
    officer_a: User,
    community_a: Area,
    building: Building,
) -> None:
    client.force_login(officer_a)
    preview = Job.objects.get(pk=_job_pk(upload(client, community_a, register(GOOD))))

    response = client.post(
        reverse("registry:import_confirm", args=[preview.pk]), {"action": "cancel"}
    )

    assert response.status_code == 302
    assert not upload_exists(preview.params["upload"])
    assert not Person.objects.exists()


def test_only_the_uploader_decides_about_a_preview(
    client: Client,
    officer_a: User,
    community_a: Area,
    building: Building,
) -> None:
    client.force_login(officer_a)
    preview = _job_pk(upload(client, community_a, register(GOOD)))
    colleague = UserFactory(username="officer_a2", role=officer_a.role, area=community_a)
    client.force_login(colleague)

    response = client.post(reverse("registry:import_confirm", args=[preview]), {"action": "import"})

    assert response.status_code == 404
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64)),
        ("register.xls", b"\xd0\xcf\x11\xe0"),
        ("register.csv", bytes(range(128, 256)) * 10),
    ],
)
def test_a_refused_file_is_explained_on_the_upload_page(
    client: Client,
    officer_a: User,
    community_a: Area,
    building: Building,
    name: str,
    data: bytes,
) -> None:
    client.force_login(officer_a)

    response = upload(client, community_a, SimpleUploadedFile(name, data))

    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not Job.objects.exists()
    assert upload_storage().listdir("") == ([], [])  # the upload was not kept


def test_a_large_file_runs_as_a_job_whose_page_shows_progress(
    client: Client,
    officer_a: User,
    community_a: Area,
    building: Building,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    monkeypatch.setattr(import_views._ResidentImport, "sync_rows", 1)
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        response = upload(client, community_a, register(GOOD, GOOD_2))

    page = client.get(response["Location"])
    assert page.context["running"]
    assert b'data-refresh="2"' in page.content  # polled by core/refresh.js, no <meta refresh>
    # While it runs, the page reads the progress the job writes beside the upload.
    job = page.context["job"]
    write_progress(job.params["upload"], 1, 2)
    assert client.get(response["Location"]).context["percent"] == 50
    for callback in waiting:
        callback()  # the worker picks the job up
    page = client.get(response["Location"])
    assert not page.context["running"]
    assert page.context["result"]["created"] == 2


def test_a_grid_worker_may_not_import_and_another_community_is_not_found(
    client: Client,
    grid_worker_a1: User,
    officer_b: User,
    community_a: Area,
    building: Building,
) -> None:
    client.force_login(grid_worker_a1)
    assert client.get(reverse("registry:import_start", args=[community_a.pk])).status_code == 403
    client.force_login(officer_b)
    assert client.get(reverse("registry:import_start", args=[community_a.pk])).status_code == 404


def test_the_template_download_is_an_export(
    client: Client,
    officer_a: User,
    community_a: Area,
) -> None:
    client.force_login(officer_a)

    response = client.get(reverse("registry:import_template", args=[community_a.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == list(TEMPLATE_HEADERS)
    assert AccessEvent.objects.get().kind == AccessKind.EXPORT


def test_the_upload_page_offers_the_sample_only_in_the_demo(
    client: Client,
    officer_a: User,
    community_a: Area,
) -> None:
    client.force_login(officer_a)

    page = client.get(reverse("registry:import_start", args=[community_a.pk]))

    assert page.status_code == 200
    assert not page.context["sample"]
    assert client.get(reverse("registry:import_sample", args=[community_a.pk])).status_code == 404


# --- Exports --------------------------------------------------------------------------------


@pytest.fixture
def people(building: Building, grid_a2: Area) -> list[Person]:
    household = HouseholdFactory(building=building, unit=1, room="401")
    other = HouseholdFactory(building=BuildingFactory(grid=grid_a2, number="2"), room="101")
    return [
        PersonFactory(household=household, name="钱秀英", id_number=ID_1, residency="tenant"),
        PersonFactory(household=other, name="赵建国", id_number=ID_2),
    ]


def test_the_export_page_counts_the_rows_of_the_lists_filters(
    client: Client,
    officer_a: User,
    people: list[Person],
) -> None:
    client.force_login(officer_a)

    page = client.get(reverse("registry:person_export") + "?residency=tenant")

    assert page.status_code == 200
    assert page.context["count"] == 1
    assert 'action="?residency=tenant"' in page.content.decode()


def test_an_exported_file_is_masked_and_logged_with_its_filters(
    client: Client,
    officer_a: User,
    people: list[Person],
) -> None:
    client.force_login(officer_a)

    response = client.post(
        reverse("registry:person_export") + "?residency=tenant", {"format": "csv"}
    )

    text = response.content.decode("gb18030")
    assert response["Content-Type"].startswith("text/csv")
    assert "钱秀英" in text
    assert "赵建国" not in text
    assert ID_1 not in text
    assert ID_1[:6] + "********" + ID_1[-4:] in text
    event = AccessEvent.objects.get()
    assert event.detail["filters"] == {"residency": "tenant"}
    assert event.detail["rows"] == 1
    assert response["Cache-Control"].startswith("max-age=0")


def test_an_unmasked_export_needs_a_reason(
    client: Client,
    officer_a: User,
    people: list[Person],
) -> None:
    client.force_login(officer_a)
    url = reverse("registry:person_export")

    refused = client.post(url, {"format": "xlsx", "reveal": "on", "reason": ""})
    assert refused.status_code == 400
    assert not AccessEvent.objects.exists()

    allowed = client.post(url, {"format": "xlsx", "reveal": "on", "reason": "上报街道"})

    cells = [
        c.value
        for row in openpyxl.load_workbook(io.BytesIO(allowed.content)).active.iter_rows()
        for c in row
    ]
    assert ID_1 in cells
    assert AccessEvent.objects.get().reason == "上报街道"


def test_a_grid_worker_may_not_export(
    client: Client,
    grid_worker_a1: User,
    people: list[Person],
) -> None:
    client.force_login(grid_worker_a1)

    assert client.get(reverse("registry:person_export")).status_code == 403
    assert client.post(reverse("registry:household_export"), {"format": "csv"}).status_code == 403


def test_households_export_by_building(
    client: Client,
    officer_a: User,
    people: list[Person],
    building: Building,
) -> None:
    client.force_login(officer_a)

    response = client.post(
        reverse("registry:household_export") + f"?building={building.pk}", {"format": "csv-utf8"}
    )

    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("1,1,")


def _job_pk(response: Any) -> int:
    assert response.status_code == 302, response.content[:300]
    return int(response["Location"].rstrip("/").split("/")[-1])
