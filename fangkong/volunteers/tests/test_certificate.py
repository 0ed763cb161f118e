"""The certificate of service: a Chinese PDF with the volunteer's duties and hours."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from fangkong.volunteers import services
from fangkong.volunteers.tests.factories import VolunteerFactory, VolunteerRequestFactory, accept

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing"),
]


def test_the_certificate_names_the_volunteer_the_community_and_the_hours(
    client: Any, officer_a: Any, community_a: Any, tmp_path: Path
) -> None:
    volunteer = VolunteerFactory(community=community_a, name="刘建国")
    wanted = VolunteerRequestFactory(community=community_a, place_name="北门")
    accept(wanted, volunteer)
    services.do_count_hours(wanted, by=None, now=wanted.end)
    client.force_login(officer_a)

    response = client.get(reverse("volunteers:certificate", args=[volunteer.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "certificate.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "志愿服务证明" in text
    assert "刘建国" in text
    assert community_a.name in text
    assert "北门" in text
    assert "2.00" in text


def test_another_communitys_officer_gets_no_certificate(
    client: Any, officer_b: Any, community_a: Any
) -> None:
    volunteer = VolunteerFactory(community=community_a)
    client.force_login(officer_b)
    response = client.get(reverse("volunteers:certificate", args=[volunteer.pk]))
    assert response.status_code == 404
