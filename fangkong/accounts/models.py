"""Users: a role in an area of the jurisdiction tree (their own, undated assignment) and any
number of further, possibly dated assignments (lent to another area for a time); their API
tokens and authenticator apps."""

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
from fangkong.core.models import AuditedModel
from fangkong.core.querysets import RestrictedQuerySet
from fangkong.core.scope import Scope, ScopeRule

if TYPE_CHECKING:
    from fangkong.areas.models import Area


class UserManager(DjangoUserManager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    """Django's user manager, with ``restrict()`` for pages that list users."""


class User(AbstractUser):
    """A person who logs in: a worker, an official, a volunteer.

    ``role`` on ``area`` is the user's own, undated assignment (what most users have, and
    what the code reads for "the user's community"); :class:`Assignment` rows add others, each
    a role in an area, optionally from a start to an end date. What a user may do in an area is
    the union over the assignments in force that cover it, per assignment (``scope_for``).
    An account made only for a dated assignment has a blank ``role``: when the assignment
    ends, it can do nothing. Superusers (installation admins) see everything and are not tied
    to an area.
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
    # Whether the user holds Assignment rows that had not ended when they last changed (set by
    # accounts.services): a user with their own assignment alone costs no query to resolve.
    has_assignments = models.BooleanField(default=False, editable=False)

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
            # The role may be blank: an account made for a dated assignment only.
            models.CheckConstraint(
                condition=models.Q(is_superuser=True) | models.Q(area__isnull=False),
                name="user_has_area_unless_superuser",
                violation_error_message=_("Every user needs an area."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    # --- rights, per assignment ----------------------------------------------------------

    def _grants(self) -> list[tuple[str, int | None, Area | None]]:
        """(role, area id, area) of each assignment in force today: the user's own, then the
        dated ones (only looked up when the user has any). Once per user object."""
        key = (self.is_superuser, self.is_active, self.role, self.area_id, self.has_assignments)
        cached = self.__dict__.get("_cached_grants")
        if cached is not None and cached[0] == key:
            known: list[tuple[str, int | None, Area | None]] = cached[1]
            return known
        # The own assignment's area is read only if a scope is asked for (has_action needs
        # none): None here.
        grants: list[tuple[str, int | None, Area | None]] = (
            [(self.role, self.area_id, None)] if self.role else []
        )
        if self.has_assignments and self.pk is not None:
            recent = timezone.now().date() - dt.timedelta(days=1)  # any zone's today is later
            assignments = Assignment.objects.filter(
                user_id=self.pk, ended_at__isnull=True
            ).select_related("area")
            assignments = assignments.filter(
                models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=recent)
            )
            grants += [(a.role, a.area_id, a.area) for a in assignments if a.in_force()]
        self.__dict__["_cached_grants"] = (key, grants)
        self.__dict__.pop("_cached_scopes", None)
        return grants

    def _area_scope(self, area_id: int | None, area: Area | None) -> Scope:
        """One area's scope (``Area.scope_below``), once per area per user object."""
        if area_id is None:
            return Scope.nothing()
        scopes: dict[Any, Scope] = self.__dict__.setdefault("_cached_scopes", {})
        if area_id not in scopes:
            place = area if area is not None else self.area
            scopes[area_id] = place.scope_below() if place is not None else Scope.nothing()
        return scopes[area_id]

    def scope(self) -> Scope:
        """What this user covers, as area ids (``fangkong.core.scope``), whatever the rights:
        the union of every assignment in force. Resolved once per user object (a request's
        ``request.user``)."""
        if self.is_superuser:
            return Scope(everything=True)
        grants = self._grants()
        scopes: dict[Any, Scope] = self.__dict__.setdefault("_cached_scopes", {})
        if "all" not in scopes:
            scopes["all"] = Scope.union([self._area_scope(pk, area) for _role, pk, area in grants])
        return scopes["all"]

    def scope_for(
        self,
        model: type[models.Model] | str,
        action: str,
        also: tuple[str, str] | None = None,
    ) -> Scope:
        """In which areas this user may ``action`` rows of ``model`` (and, with ``also``, hold
        that second right too): the union of the areas of the assignments in force whose role
        allows it, per assignment. core's ``restrict()``, ``require()`` and ``covers()`` ask
        this; an empty scope means nowhere."""
        if not self.is_active:
            return Scope.nothing()
        if self.is_superuser:
            return Scope(everything=True)
        label = model if isinstance(model, str) else model._meta.label_lower
        grants = self._grants()
        cache: dict[Any, Scope] = self.__dict__.setdefault("_cached_scopes", {})
        key = (label, action, also)
        if key not in cache:
            allowed = [
                (pk, area)
                for role, pk, area in grants
                if role_allows(role, label, action) and (also is None or role_allows(role, *also))
            ]
            if len(allowed) == len(grants):
                # Every assignment allows it: the scope of them all (one object, whose
                # subtree is read once).
                cache[key] = self.scope()
            else:
                cache[key] = Scope.union([self._area_scope(pk, area) for pk, area in allowed])
        return cache[key]

    def has_action(self, model: type[models.Model] | str, action: str) -> bool:
        """Whether some assignment in force lets this user ``action`` rows of ``model``
        somewhere (``scope_for`` is not empty), without resolving any area."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        label = model if isinstance(model, str) else model._meta.label_lower
        return any(role_allows(role, label, action) for role, _pk, _area in self._grants())

    def roles_in_force(self) -> list[str]:
        """The roles of the assignments in force, the user's own first."""
        return [role for role, _pk, _area in self._grants()]

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


class Assignment(AuditedModel):
    """One more place a user works: a role in an area, optionally from ``starts_on`` to
    ``ends_on`` (both days included, in the area's time zone): "lent to 在水一方社区 as a
    screening helper until 2020-03-15". The user's own role and area are not a row here.

    In force from its start to its end day with no job: ``User.scope_for`` compares the
    dates with the area's local today on every request. Ending one sets ``ends_on``; rows are
    never deleted (the audit log and the assignments page keep the history).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("area"),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Set when someone ends the assignment now (``do_end_assignment``): it stops at once, not
    # at the end of its last day.
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)

    # Seen by the users who cover the area it is in (an officer sees who is lent to them).
    scope_rule = ScopeRule(community=None, area="area_id")
    audit_fields = ("user", "role", "area", "starts_on", "ends_on", "note", "ended_at")

    class Meta:
        ordering = ("user_id", "starts_on", "id")
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["area", "ends_on"], name="assignment_area_ends")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_it_starts",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=~models.Q(role=""),
                name="assignment_has_a_role",
                violation_error_message=_("Choose a role from the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"

    def local_today(self) -> dt.date:
        return self.area.local_today()

    def state(self, today: dt.date | None = None) -> str:
        """``active``, ``future`` (not started) or ``ended``, on the area's today."""
        if self.ended_at is not None:
            return "ended"
        today = today or self.local_today()
        if self.ends_on is not None and self.ends_on < today:
            return "ended"
        if self.starts_on is not None and self.starts_on > today:
            return "future"
        return "active"

    def in_force(self, today: dt.date | None = None) -> bool:
        return self.state(today) == "active"

    def area_path(self) -> str:
        return self.area.path

    def community_id_for_audit(self) -> int | None:
        community = self.area.community
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
