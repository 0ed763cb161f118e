"""The canary person's ID number and phone, and the forms they might be spelled out in
(the canary and backup tests look for them)."""

from __future__ import annotations

import datetime as dt

from fangkong.registry.tests.factories import (
    valid_id_number,
)

CANARY_ID = valid_id_number(birth=dt.date(1966, 9, 17), sex="F", area="210112", seq=736)


CANARY_PHONE = "13987650321"


#: How the canary might be spelled out: plain, with a dash, digits of the phone split.
CANARY_FORMS = (
    CANARY_ID,
    CANARY_ID[6:14] + CANARY_ID[14:],
    CANARY_PHONE,
    "139-8765-0321",
    "8765-0321",
    "139 8765 0321",
)
