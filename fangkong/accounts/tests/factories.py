"""Factories for users. Every non-superuser needs a role and an area (a database constraint)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django_otp.oath import totp

from fangkong.accounts.choices import Role
from fangkong.accounts.models import Assignment, AuthenticatorDevice, User
from fangkong.accounts.services import do_add_assignment
from fangkong.areas.tests.factories import CommunityFactory

#: The password every factory user has (cheap MD5 hashing under FANGKONG_TESTING).
PASSWORD = "test-password-2020"


class UserFactory(factory.django.DjangoModelFactory):
    """A community officer of a fresh community unless told otherwise."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.COMMUNITY_OFFICER
    area = factory.SubFactory(CommunityFactory)
    password = factory.django.Password(PASSWORD)
    is_active = True

    class Params:
        superuser = factory.Trait(
            is_superuser=True, is_staff=True, role="", area=None, full_name="管理员"
        )


class AuthenticatorDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app (django-otp's TOTP device) of a fresh user."""

    class Meta:
        model = AuthenticatorDevice

    user = factory.SubFactory(UserFactory)
    name = "fangkong"
    confirmed = True


def code_for(device: AuthenticatorDevice, steps_ahead: int = 0) -> str:
    """The code the user's app shows now (or ``steps_ahead`` 30-second steps later: a code
    works once, and the server accepts the next step's too)."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


def lend(
    user: User,
    role: str,
    area: Any,
    *,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    note: str = "",
) -> Assignment:
    """One more assignment for ``user``, made through the service (system work), and the
    user object told to resolve its rights afresh."""
    return do_add_assignment(
        user, by=None, role=role, area=area, starts_on=starts_on, ends_on=ends_on, note=note
    )
