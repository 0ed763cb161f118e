"""Users: one role each, assigned to one area of the jurisdiction tree; their API tokens and
authenticator apps."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangkong.accounts.choices import Role
from fangkong.accounts.roles import role_allows
from fangkong.core.querysets import RestrictedQuerySet
from fangkong.core.scope import Scope, ScopeRule

if TYPE_CHECKING:
    from fangkong.areas.models import Area


class UserManager(DjangoUserManager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    """Django's user manager, with ``restrict()`` for pages that list users."""


class User(AbstractUser):
    """A person who logs in: a worker, an official, a volunteer.

    What they see is the subtree of their ``area``; what they may do there is their ``role``.
    Superusers (installation admins) see everything and are not tied to an area.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("area"),
    )
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    # Set with a password someone else chose (the first administrator's, a reset): the user
    # must choose their own before any page opens (accounts.middleware).
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects: ClassVar[UserManager] = UserManager()
    #: django-otp's mark of the device a login was confirmed with (set by the code step,
    #: kept in the session at login); not a column.
    otp_device: AuthenticatorDevice | None
    #: What the one change being logged was (a password change, a reset), for the audit row.
    audit_event = ""
    audit_reason = ""
    scope_rule = ScopeRule(community=None, area="area_id")

    class Meta:
        ordering = ("username",)
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=True)
                | (models.Q(area__isnull=False) & ~models.Q(role="")),
                name="user_has_role_and_area_unless_superuser",
                violation_error_message=_("Every user needs a role and an area."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def scope(self) -> Scope:
        """What this user covers, as area ids (``fangkong.core.scope``), resolved once per
        user object (a request's ``request.user``)."""
        cached = self.__dict__.get("_scope")
        if cached is not None and cached[0] == (self.is_superuser, self.area_id):
            known: Scope = cached[1]
            return known
        if self.is_superuser:
            scope = Scope(everything=True)
        elif self.area is not None:
            scope = self.area.scope_below()
        else:
            scope = Scope.nothing()
        self.__dict__["_scope"] = ((self.is_superuser, self.area_id), scope)
        return scope

    def has_action(self, model: type[models.Model] | str, action: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        label = model if isinstance(model, str) else model._meta.label_lower
        return role_allows(self.role, label, action)

    @property
    def community(self) -> Area | None:
        return self.area.community if self.area is not None else None

    # What core.audit asks of an audited row. Never the password or its hash.
    def audit_snapshot(self) -> dict[str, Any]:
        snapshot: dict[str, Any] = {
            "username": self.username,
            "full_name": self.full_name,
            "role": self.role,
            "area": self.area_id,
            "is_active": self.is_active,
            "must_change_password": self.must_change_password,
        }
        if self.audit_event:
            snapshot["event"] = self.audit_event
        if self.audit_reason:
            snapshot["reason"] = self.audit_reason
        return snapshot

    def area_path(self) -> str:
        return self.area.path if self.area is not None else ""

    def community_id_for_audit(self) -> int | None:
        community = self.community
        return community.pk if community else None


#: The longest an API token may live: a forgotten token must still end (see do_issue_api_token).
API_TOKEN_MAX_DAYS = 366


def default_token_expiry() -> dt.datetime:
    """``FANGKONG_API_TOKEN_DAYS`` from now: no token lives for ever, even one made in code."""
    return timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)


class ApiTokenQuerySet(RestrictedQuerySet):
    def usable(self, now: dt.datetime | None = None) -> ApiTokenQuerySet:
        """Tokens the API still accepts: neither revoked nor expired."""
        return self.filter(revoked__isnull=True, expires__gt=now or timezone.now())


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash is stored; the token is shown once at issue.

    Issued and revoked only through ``accounts.services`` (audited). A revoked token keeps its
    row, so the list and the audit log still say whose it was and when it stopped working.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("owner")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"), default=default_token_expiry)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    # The owner's area: an officer with the right sees the tokens of their area's users.
    scope_rule = ScopeRule(community=None, area="user__area_id")

    class Meta:
        ordering = ("-created", "-pk")
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        return self.revoked is None and self.expires > (now or timezone.now())

    # What core.audit asks of an audited row. Never the hash: only who, what for, when.
    def audit_snapshot(self) -> dict[str, Any]:
        return {
            "user": self.user_id,
            "prefix": self.prefix,
            "description": self.description,
            "expires": self.expires.isoformat() if self.expires else None,
            "revoked": self.revoked.isoformat() if self.revoked else None,
        }

    def area_path(self) -> str:
        return self.user.area.path if self.user.area is not None else ""

    def community_id_for_audit(self) -> int | None:
        community = self.user.community
        return community.pk if community else None


class AuthenticatorDevice(TOTPDevice):  # type: ignore[misc]  # django-otp has no types
    """A user's authenticator app (django-otp's TOTP device), as the audit log sees it.

    A proxy: the rows are django-otp's own (``otp_totp.TOTPDevice``). It adds what
    ``core.audit`` asks of an audited row; the secret key never enters a snapshot.
    ``audit_event`` names what happened (a wrong code, a reset) for the one change being logged.
    """

    audit_event = ""

    class Meta:
        proxy = True
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return str(self.user)

    def audit_snapshot(self) -> dict[str, Any]:
        snapshot: dict[str, Any] = {
            "user": self.user_id,
            "confirmed": self.confirmed,
            "failed_codes": self.throttling_failure_count,
        }
        if self.audit_event:
            snapshot["event"] = self.audit_event
        return snapshot

    def area_path(self) -> str:
        return self.user.area.path if self.user.area is not None else ""

    def community_id_for_audit(self) -> int | None:
        community = self.user.community
        return community.pk if community else None
