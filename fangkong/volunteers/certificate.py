"""A volunteer's certificate of service (志愿服务证明): a PDF in Chinese, with every duty
counted and the hours in total (``core.pdf``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from fangkong.core.pdf import render_pdf
from fangkong.staff.duty_hours import zone_of
from fangkong.volunteers.choices import Answer
from fangkong.volunteers.models import Volunteer


def certificate_context(volunteer: Volunteer) -> dict[str, Any]:
    zone = zone_of(volunteer.community)
    duties = []
    total = Decimal("0")
    for response in (
        volunteer.responses.filter(answer=Answer.ACCEPTED, hours__isnull=False)
        .select_related("request__checkpoint")
        .order_by("request__start")
    ):
        request = response.request
        hours = response.hours or Decimal("0")
        total += hours
        duties.append(
            {
                "day": timezone.localtime(request.start, zone).date(),
                "place": request.place,
                "hours": hours,
            }
        )
    return {
        "name": volunteer.display_name,
        "community": volunteer.community.name,
        "duties": duties,
        "total": total,
        "issued": volunteer.community.local_today(),
    }


def certificate_pdf(volunteer: Volunteer) -> bytes:
    return render_pdf("volunteers/certificate.html", certificate_context(volunteer))
