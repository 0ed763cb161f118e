"""People at work: the organisations that send staff, their staff, the leading group, teams and
the responsibility matrix (who answers for which duty where).

In the origin story a district bureau sent 14 people to one community; the chief split them
into four groups with clear jobs and set up a leading group with each department's duties.
Staff are not residents: they are kept here, not in the registry, and a phone is protected
exactly like a resident's (ciphertext, blind indexes, mask).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area, CommunityOwned
from fangkong.core.personal_data import Protected
from fangkong.staff.choices import LeadingGroupRole, OrganisationKind
from fangkong.staff.querysets import StaffScopedMixin

if TYPE_CHECKING:
    from fangkong.accounts.models import User


class Organisation(StaffScopedMixin, CommunityOwned):
    """An organisation that sends staff to a community: a district bureau, the street office,
    the community committee, a property company. Recorded by (and scoped to) the community
    it serves; a bureau serving two communities is recorded in each."""

    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    audit_fields = ("kind", "name", "notes", "is_active")

    class Meta:
        ordering = ("community", "name", "pk")
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="staff_organisation_name_unique",
                violation_error_message=_(
                    "This community already has an organisation with this name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("staff:organisation_detail", args=[self.pk])


class StaffMember(StaffScopedMixin, CommunityOwned):
    """A person working in a community's prevention work: an official, a bureau's cadre, a
    grid worker, a gate guard, a volunteer. Linked to a login where they have one, so that
    "my tasks" and "my shifts" find them."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    # The area they serve: the community, or one grid of it.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area served")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_member",
        verbose_name=_("login"),
    )
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_last4_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_mask = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    scope_grid = "area_id"
    audit_fields = (
        "organisation",
        "name",
        "position",
        "area",
        "user",
        "phone_mask",
        "is_active",
        "notes",
    )

    class Meta:
        ordering = ("community", "organisation", "name", "pk")
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        indexes = [models.Index(fields=["community", "name"], name="staff_member_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("staff:member_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.area.path

    def set_phone(self, protected: Protected) -> None:
        self.phone_cipher, self.phone_index, self.phone_mask = (
            protected.cipher,
            protected.index,
            protected.mask,
        )
        self.phone_last4_index = protected.extra.get("last4_index", "")

    @classmethod
    def own_q(cls, user: User) -> Q:
        return Q(user=user)


class LeadingGroup(StaffScopedMixin, CommunityOwned):
    """The community's epidemic prevention leading group (领导小组): one per community."""

    name = models.CharField(_("name"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)

    audit_fields = ("name", "notes")

    class Meta:
        ordering = ("community", "pk")
        verbose_name = _("leading group")
        verbose_name_plural = _("leading groups")
        constraints = [
            models.UniqueConstraint(
                fields=["community"],
                name="staff_leading_group_one_per_community",
                violation_error_message=_("This community already has a leading group."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("staff:leading_group", args=[self.community_id])


class LeadingGroupMember(StaffScopedMixin, CommunityOwned):
    """One seat of the leading group: its head, a deputy or a member, and what they answer for
    (a department's duties, in the story's words)."""

    group = models.ForeignKey(
        LeadingGroup,
        on_delete=models.CASCADE,
        related_name="seats",
        verbose_name=_("leading group"),
    )
    member = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        related_name="leading_group_seats",
        verbose_name=_("staff member"),
    )
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=LeadingGroupRole.choices,
        default=LeadingGroupRole.MEMBER,
    )
    duty = models.TextField(_("duty"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    audit_fields = ("group", "member", "role", "duty", "sort_order")

    class Meta:
        ordering = ("group", "sort_order", "pk")
        verbose_name = _("leading group member")
        verbose_name_plural = _("leading group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member"],
                name="staff_leading_group_member_unique",
                violation_error_message=_("This person already has a seat in the leading group."),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role=LeadingGroupRole.HEAD),
                name="staff_leading_group_one_head",
                violation_error_message=_("The leading group already has a head."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.member}"

    def get_absolute_url(self) -> str:
        return reverse("staff:leading_group", args=[self.community_id])


class Team(StaffScopedMixin, CommunityOwned):
    """A named team with a purpose and members (宣传组 publicity, 排查组 screening…).

    A person may be in several teams. The leader sees the team's task board and approves
    swaps on the shifts the team staffs.
    """

    name = models.CharField(_("name"), max_length=100)
    purpose = models.TextField(_("purpose"), blank=True)
    leader = models.ForeignKey(
        StaffMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        verbose_name=_("leader"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    audit_fields = ("name", "purpose", "leader", "is_active")

    class Meta:
        ordering = ("community", "name", "pk")
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="staff_team_name_unique",
                violation_error_message=_("This community already has a team with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("staff:team_detail", args=[self.pk])

    def is_led_by(self, user: User | None) -> bool:
        """Whether ``user`` is this team's leader (through their staff record)."""
        return bool(
            self.leader_id
            and user is not None
            and getattr(user, "pk", None) is not None
            and (leader := self.leader) is not None
            and leader.user_id == user.pk
        )


class TeamMembership(StaffScopedMixin, CommunityOwned):
    """One person in one team, with what they do in it."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    member = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("staff member"),
    )
    duty = models.CharField(_("duty"), max_length=200, blank=True)

    audit_fields = ("team", "member", "duty")

    class Meta:
        ordering = ("team", "member__name", "pk")
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "member"],
                name="staff_team_member_unique",
                violation_error_message=_("This person is already in the team."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.team}"

    def get_absolute_url(self) -> str:
        return reverse("staff:team_detail", args=[self.team_id])


class Responsibility(StaffScopedMixin, CommunityOwned):
    """One line of the responsibility matrix: which team or organisation answers for which
    duty in which area (the community, or one grid of it)."""

    duty = models.CharField(_("duty"), max_length=200)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name=_("team"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name=_("organisation"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    notes = models.TextField(_("notes"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    audit_fields = ("duty", "team", "organisation", "area", "notes", "sort_order")

    class Meta:
        ordering = ("community", "sort_order", "pk")
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(organisation__isnull=False),
                name="staff_responsibility_has_an_owner",
                violation_error_message=_("Say which team or organisation answers for this duty."),
            ),
        ]

    def __str__(self) -> str:
        return self.duty

    def get_absolute_url(self) -> str:
        return reverse("staff:responsibilities", args=[self.community_id])
