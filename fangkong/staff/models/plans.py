"""The prevention plan (防控方案): one versioned document per community.

Every save is a new version with who wrote it, when and a note of what changed; the newest
is the plan in force, shown to every staff member of the community. The text is Markdown,
rendered with every HTML tag escaped (see fangkong.staff.plan_text).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import CommunityOwned
from fangkong.staff.querysets import StaffScopedMixin


class PreventionPlan(StaffScopedMixin, CommunityOwned):
    """A community's prevention plan; its text lives in its versions."""

    title = models.CharField(_("title"), max_length=200)
    current_number = models.PositiveIntegerField(_("current version"), default=0)

    audit_fields = ("title", "current_number")

    class Meta:
        ordering = ("community", "pk")
        verbose_name = _("prevention plan")
        verbose_name_plural = _("prevention plans")
        constraints = [
            models.UniqueConstraint(
                fields=["community"],
                name="staff_plan_one_per_community",
                violation_error_message=_("This community already has a prevention plan."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("staff:plan", args=[self.community_id])


class PlanVersion(StaffScopedMixin, CommunityOwned):
    """One saved text of a prevention plan. Versions are never changed or deleted."""

    plan = models.ForeignKey(
        PreventionPlan,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("prevention plan"),
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    summary = models.CharField(_("what changed"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(_("author"), max_length=150, blank=True)

    audit_fields = ("plan", "number", "title", "summary")

    class Meta:
        ordering = ("plan", "-number")
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="staff_plan_version_unique",
                violation_error_message=_(
                    "Someone else saved the plan at the same time; "
                    "open it again and save once more."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("staff:plan_version", args=[self.pk])
