"""Retention of the registry's personal data (docs/data-dictionary.md, registry.*).

A person is kept while active and for 3 years after deactivation. Then the row goes, unless
another row still needs it (a case, a screening record, a pass...): then every personal
field is blanked and the row stays as an anonymous link, deleted by a later run once
nothing points at it. Status and its date stay: they are why the row is anonymous.
"""

from __future__ import annotations

from fangkong.core.retention import Rule, cutoff, cutoff_date, register
from fangkong.registry.choices import PersonStatus, Sex
from fangkong.registry.models import Household, Person

#: Every field of the dictionary's registry.Person table that says something about the person.
ANONYMOUS_PERSON = {
    "name": "",
    "name_pinyin": "",
    "name_initials": "",
    "sex": Sex.UNKNOWN,
    "birth_date": None,
    "id_number_cipher": "",
    "id_number_index": "",
    "id_number_mask": "",
    "phone_cipher": "",
    "phone_index": "",
    "phone_last4_index": "",
    "phone_mask": "",
    "household": None,
    "relation": "",
    "tags": "",
    "status_reason": "",
    "notes": "",
}

register(
    Rule(
        name="registry.person",
        model=Person,
        period="while active; 3 years after deactivation",
        # An inactive person without a status date is kept: the period's start is unknown.
        expired=lambda now: Person.objects.exclude(status=PersonStatus.ACTIVE).filter(
            status_date__lt=cutoff_date(now, years=3)
        ),
        anonymise=ANONYMOUS_PERSON,
    ),
    Rule(
        name="registry.household_phone",
        model=Household,
        period="while occupied; 3 years after",
        # Households have no "vacated on" date; ``updated`` is never earlier than the change
        # that marked it vacant, so counting from it is never early. The row itself stays
        # while the building exists.
        expired=lambda now: Household.objects.filter(
            is_active=False, updated__lt=cutoff(now, years=3)
        ),
        delete=False,
        anonymise={
            "phone_cipher": "",
            "phone_index": "",
            "phone_last4_index": "",
            "phone_mask": "",
        },
    ),
)
