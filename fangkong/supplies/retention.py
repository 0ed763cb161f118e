"""Retention of supplies data.

A donor who is a person is named on the donation (for the receipt and the certificate);
five years after the donation the name of a person donor is blanked (companies and
organisations keep theirs: they are no personal data). A household or person a movement
was issued to is kept with the ledger: the registry's own retention removes the person and
the movement's link is set empty with it (``on_delete=SET_NULL``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from fangkong.core.retention import Rule, register
from fangkong.supplies.choices import DonorKind
from fangkong.supplies.models import Donation

#: How long a person donor's name is kept (docs/data-dictionary.md, supplies.*).
DONOR_YEARS = 5


def expired_person_donors(now: dt.datetime) -> QuerySet[Any]:
    cut = now.date() - dt.timedelta(days=365 * DONOR_YEARS)
    return Donation.objects.filter(donor_kind=DonorKind.PERSON, donated_on__lt=cut).exclude(
        donor_name=""
    )


register(
    Rule(
        name="supplies.person_donor",
        model=Donation,
        period="5 years after the donation (a person's name)",
        expired=expired_person_donors,
        delete=False,
        anonymise={"donor_name": ""},
    )
)
