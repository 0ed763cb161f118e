"""Tables of the registry pages. Only masks and ages appear: never an ID number, a phone or
a birth date. Querysets fed to them must ``select_related`` what the accessors follow."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fangkong.core.tables import Column, Table
from fangkong.registry.models import Household, Person


def _household_label(person: Person) -> str:
    return person.household.label if person.household is not None else ""


def _tags(person: Person) -> str:
    return ", ".join(person.tag_labels())


class PersonTable(Table):
    """The people list: who, where, and how to reach them (masked)."""

    columns = [
        Column("name", capfirst(_("name")), link=True),
        Column("sex", capfirst(_("sex"))),
        Column("age", capfirst(_("age"))),
        Column("household", capfirst(_("household")), accessor=_household_label),
        Column("phone_mask", capfirst(_("phone"))),
        Column("residency", capfirst(_("residency"))),
        Column("tags", capfirst(_("tags")), accessor=_tags),
        Column("status", capfirst(_("status"))),
    ]


class MemberTable(Table):
    """The members of one household."""

    columns = [
        Column("name", capfirst(_("name")), link=True),
        Column("relation", capfirst(_("relation to head"))),
        Column("sex", capfirst(_("sex"))),
        Column("age", capfirst(_("age"))),
        Column("phone_mask", capfirst(_("phone"))),
        Column("residency", capfirst(_("residency"))),
        Column("tags", capfirst(_("tags")), accessor=_tags),
        Column("status", capfirst(_("status"))),
    ]


def _head_name(household: Household) -> str:
    return household.head.name if household.head is not None else ""


class HouseholdTable(Table):
    """The households of one building; rows need ``member_count`` annotated."""

    columns = [
        Column("room", capfirst(_("room")), accessor=lambda h: f"{h.unit}-{h.room}", link=True),
        Column("head", capfirst(_("head of household")), accessor=_head_name),
        Column("member_count", capfirst(_("members"))),
        Column("phone_mask", capfirst(_("phone"))),
    ]
