"""Who asked, who handles, who counsels: the pickers of the inquiry and counselling forms.

People are found by the registry's search (name, pinyin, room) among those the user may see
in the community, and offered as a short list; a person or household passed in the link (from
the household's page) is accepted when the user sees it. Handlers and counsellors are active
users placed in the community or one of its grids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Household, Person
from fangkong.registry.search import search_people, validate_search_text

if TYPE_CHECKING:
    from django.db import models

#: How many people a search offers.
FOUND_MAX = 10


def people_of(user: Any, community: Area) -> models.QuerySet[Person]:
    return Person.objects.restrict(user).filter(
        community_id=community.pk, status=PersonStatus.ACTIVE
    )


def households_of(user: Any, community: Area) -> models.QuerySet[Household]:
    return Household.objects.restrict(user).filter(community_id=community.pk)


def found_people(user: Any, community: Area, text: str) -> tuple[list[Person], str]:
    """Up to ``FOUND_MAX`` people matching ``text``, and the search's refusal (or "")."""
    text = (text or "").strip()
    if not text:
        return [], ""
    try:
        validate_search_text(text)
    except ValidationError as exc:
        return [], " ".join(exc.messages)
    found = list(
        search_people(people_of(user, community), text).select_related("household__building")[
            :FOUND_MAX
        ]
    )
    return found, "" if found else gettext("Nobody found.")


def person_label(person: Person) -> str:
    parts = [person.name]
    if person.age is not None:
        parts.append(gettext("%(age)s years") % {"age": person.age})
    if person.household is not None:
        parts.append(str(person.household.label))
    return " · ".join(str(p) for p in parts)


def staff_of(community: Area, roles: tuple[str, ...]) -> models.QuerySet[User]:
    """Active users placed in the community or one of its grids, of these roles."""
    found: models.QuerySet[User] = (
        User.objects.filter(is_active=True, role__in=roles)
        .filter(Q(area_id=community.pk) | Q(area__parent_id=community.pk))
        .order_by("full_name", "username")
    )
    return found


HANDLER_ROLES = (Role.COMMUNITY_OFFICER, Role.HEALTH_OFFICER, Role.GRID_WORKER)
COUNSELLOR_ROLES = (Role.COMMUNITY_OFFICER, Role.HEALTH_OFFICER)


def offer_people(form: forms.Form, name: str, queryset: Any, found: list[Person]) -> None:
    """The person field offers this search's results; it accepts anyone the user sees (a
    result of a search typed before the page was reloaded is still valid)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # declared by the forms below
    field.queryset = queryset
    chosen = form.initial.get(name)
    offered = list(found)
    if isinstance(chosen, Person) and chosen not in offered:
        offered.insert(0, chosen)
    field.widget.choices = [(p.pk, person_label(p)) for p in offered]
