"""Phone screening (电话排查): questionnaires, campaigns, call lists, attempts, answers, alerts.

A campaign covers an area (a community, a grid, or a whole district) and asks one
questionnaire of every household in it. Starting it writes one ``CallAssignment`` per
household — the household's place on its caller's list. Each call is a ``CallAttempt``; a
call that reaches the household produces a ``ScreeningRecord`` (the answers, kept with the
questionnaire version they were given in); answers that matter raise an ``Alert``.

Rows under a community carry ``community_id`` and their ``grid`` so that a grid worker sees
exactly their grid's households through ``restrict()``, without joins.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area, CommunityOwned
from fangkong.core.models import AuditedModel
from fangkong.core.querysets import RestrictedQuerySet
from fangkong.core.scope import ScopeRule
from fangkong.screening.choices import (
    CHOICE_KINDS,
    AlertKind,
    AlertLevel,
    AlertStatus,
    AssignmentStatus,
    CampaignKind,
    CampaignStatus,
    CampaignUnit,
    Outcome,
    ProposalStatus,
    QuestionKind,
    RecordSource,
)

USER = settings.AUTH_USER_MODEL


def _area_community_id(area: Area) -> int | None:
    community = area.community
    return community.pk if community is not None else None


# --- Questionnaires ------------------------------------------------------------------------


class Questionnaire(AuditedModel):
    """A named questionnaire of an area, e.g. a community's screening register (排查登记表).

    Its questions live in versions: every saved edit makes a new ``QuestionnaireVersion`` and
    ``current`` moves to it; answers keep the version they were given in.
    """

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    current = models.ForeignKey(
        "QuestionnaireVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("current version"),
    )
    #: The register shipped with fangkong, created for an area on first use.
    is_default = models.BooleanField(_("shipped register"), default=False)

    # A street's questionnaire is used by its communities and grids (view only).
    scope_rule = ScopeRule(community=None, area="area_id", reaches_below=True)
    audit_fields = ("area", "name", "description", "current", "is_default")

    class Meta:
        ordering = ("area__path", "name", "pk")
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(is_default=True),
                name="questionnaire_one_default_per_area",
                violation_error_message=_("This area already has the shipped register."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("screening:questionnaire_detail", args=[self.pk])

    @property
    def current_version(self) -> QuestionnaireVersion:
        """``current``, which is empty only while ``do_create_questionnaire`` writes the
        first version: past that, a questionnaire always has questions."""
        if self.current is None:
            raise ValueError(f"questionnaire {self.pk} has no current version")
        return self.current

    def area_path(self) -> str:
        return self.area.path

    def community_id_for_audit(self) -> int | None:
        return _area_community_id(self.area)


class QuestionnaireVersion(models.Model):
    """One saved state of a questionnaire's questions. Never changed once written."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("questionnaire"),
    )
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rule = ScopeRule(community=None, area="questionnaire__area_id", reaches_below=True)

    class Meta:
        ordering = ("questionnaire", "-number")
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"],
                name="questionnaire_version_unique",
                violation_error_message=_("This version of the questionnaire already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} v{self.number}"


class Question(models.Model):
    """One question of one questionnaire version.

    ``code`` is stable across versions (answers are keyed by it). A question is shown only
    when ``show_if_code``'s answer is one of ``show_if_values``; it raises an alert of
    ``alert_kind``/``alert_level`` when answered with one of ``alert_values`` — or, for a
    temperature, at or above the community's fever threshold.
    """

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=40)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=False)
    #: ``[{"value": "train", "label": "火车"}, ...]`` for single and multiple choice.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    show_if_code = models.SlugField(_("shown only if"), max_length=40, blank=True)
    show_if_values = models.JSONField(default=list, blank=True)
    alert_values = models.JSONField(default=list, blank=True)
    alert_kind = models.CharField(
        _("alert kind"), max_length=12, choices=AlertKind.choices, blank=True
    )
    alert_level = models.CharField(
        _("alert level"), max_length=10, choices=AlertLevel.choices, blank=True
    )
    min_value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ("version", "position")
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="question_code_unique",
                violation_error_message=_("Two questions share a code."),
            ),
            models.UniqueConstraint(
                fields=["version", "position"], name="question_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def raises_alert(self) -> bool:
        return bool(self.alert_level)


# --- Campaigns ------------------------------------------------------------------------------


class Campaign(AuditedModel):
    """A screening campaign: every household of an area called and asked a questionnaire.

    ``area`` is usually a community; a district can run one over all its communities.
    ``grids`` and ``buildings``, when given, narrow it to part of the area.
    """

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("questionnaire"),
    )
    unit = models.CharField(
        _("records"), max_length=10, choices=CampaignUnit.choices, default=CampaignUnit.HOUSEHOLD
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=CampaignKind.choices, default=CampaignKind.SCREENING
    )
    #: What the caller says, from the script library (fangkong.outreach): shown on every
    #: household's call screen with the household's fields filled in.
    script_version = models.ForeignKey(
        "outreach.NotificationScriptVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("call script"),
        help_text=_("What the caller says: shown on every household's call screen."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    retry_delay_minutes = models.PositiveIntegerField(
        _("retry after (minutes)"),
        default=120,
        help_text=_("A household not reached is offered again after this delay."),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("failed calls before a door visit"), default=3
    )
    grids = models.ManyToManyField(
        Area,
        blank=True,
        related_name="+",
        verbose_name=_("only these grids"),
        limit_choices_to={"level": AreaLevel.GRID},
    )
    buildings = models.ManyToManyField(
        "registry.Building", blank=True, related_name="+", verbose_name=_("only these buildings")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        db_index=True,
    )
    households_total = models.PositiveIntegerField(_("households"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # A street's campaign is run by its communities' workers (who see it, not change it).
    scope_rule = ScopeRule(community=None, area="area_id", reaches_below=True)
    audit_fields = (
        "area",
        "name",
        "questionnaire",
        "unit",
        "kind",
        "script_version",
        "starts_on",
        "ends_on",
        "retry_delay_minutes",
        "max_attempts",
        "status",
        "households_total",
    )

    class Meta:
        ordering = ("-starts_on", "-pk")
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
                violation_error_message=_("A campaign cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(max_attempts__gte=1) & models.Q(retry_delay_minutes__gte=1),
                name="campaign_retries_are_positive",
                violation_error_message=_("Retries need at least one attempt and one minute."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("screening:campaign_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.area.path

    def community_id_for_audit(self) -> int | None:
        return _area_community_id(self.area)

    @property
    def is_running(self) -> bool:
        return self.status == CampaignStatus.RUNNING

    @property
    def per_person(self) -> bool:
        return self.unit == CampaignUnit.PERSON

    @property
    def is_notification(self) -> bool:
        """A notification run: callers read the script and record who was reached; no
        questions are asked."""
        return self.kind == CampaignKind.NOTIFICATION


class GridScoped(CommunityOwned):
    """A row about one household of a community: scoped by the household's grid first."""

    grid = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grid"),
    )

    scope_rule = ScopeRule(grid="grid_id")

    class Meta:
        abstract = True

    def area_path(self) -> str:
        return self.grid.path if self.grid is not None else self.community.path


class CallAssignment(GridScoped):
    """One household on one caller's list in one campaign, and where it stands.

    ``version`` (optimistic locking) goes up with every attempt, so two callers saving the
    same household at once cannot both win.
    """

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("campaign"),
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("caller"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("failed calls"), default=0)
    last_outcome = models.CharField(
        _("last outcome"), max_length=16, choices=Outcome.choices, blank=True
    )
    last_attempt_at = models.DateTimeField(_("last call"), null=True, blank=True)
    #: When a household not reached is offered again (null: now).
    next_call_at = models.DateTimeField(_("call again at"), null=True, blank=True)
    reached_at = models.DateTimeField(_("reached"), null=True, blank=True)
    alert_level = models.CharField(
        _("alert"), max_length=10, choices=AlertLevel.choices, blank=True
    )
    #: The staff task sent to the grid worker after the failed calls (fangkong.staff).
    door_visit_task_id = models.BigIntegerField(null=True, blank=True)

    audit_fields = (
        "campaign",
        "household",
        "grid",
        "assignee",
        "status",
        "attempts",
        "last_outcome",
        "alert_level",
    )

    class Meta:
        ordering = ("campaign", "pk")
        verbose_name = _("call assignment")
        verbose_name_plural = _("call assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"],
                name="assignment_one_per_household",
                violation_error_message=_("This household is already in the campaign."),
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "assignee", "status"], name="assignment_caller_idx"),
            models.Index(fields=["campaign", "grid", "status"], name="assignment_grid_idx"),
            models.Index(fields=["assignee", "status"], name="assignment_mine_idx"),
        ]

    def __str__(self) -> str:
        # Ids only: bulk audit writes this for thousands of rows without a query each.
        return f"#{self.campaign_id}/{self.household_id}"

    def get_absolute_url(self) -> str:
        return reverse("screening:call", args=[self.pk])


class CallAttempt(GridScoped):
    """One call (or visit) to a household by a caller, and its outcome.

    A save that lost to a concurrent one is still kept (``conflicted``) with what the caller
    typed in ``input``, so no work is lost.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(
        CallAssignment, on_delete=models.CASCADE, related_name="call_attempts"
    )
    caller = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("caller"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    conflicted = models.BooleanField(_("lost to a concurrent save"), default=False)
    input = models.JSONField(default=dict, blank=True)

    audit_fields = ("campaign", "assignment", "caller", "outcome", "at", "note", "conflicted")

    class Meta:
        ordering = ("-at", "-pk")
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        indexes = [models.Index(fields=["campaign", "at"], name="attempt_campaign_time_idx")]

    def __str__(self) -> str:
        return f"#{self.assignment_id} {self.get_outcome_display()}"


class ScreeningRecord(GridScoped):
    """The answers given for a household (or one of its people) in a campaign.

    ``answers`` maps question codes to values: ``"yes"``/``"no"``, a choice value or a list of
    them, ``"36.8"``, ``"2026-01-05"``, text. ``version`` says which questions they answer.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="records")
    assignment = models.ForeignKey(CallAssignment, on_delete=models.CASCADE, related_name="records")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(default=dict)
    attempt = models.ForeignKey(
        CallAttempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    source = models.CharField(
        _("source"), max_length=10, choices=RecordSource.choices, default=RecordSource.CALL
    )
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    alert_level = models.CharField(
        _("alert"), max_length=10, choices=AlertLevel.choices, blank=True
    )
    #: False once a later record for the same household (or person) replaced it.
    is_current = models.BooleanField(default=True)

    audit_fields = (
        "campaign",
        "household",
        "person",
        "questionnaire_version",
        "answers",
        "source",
        "alert_level",
        "is_current",
    )

    class Meta:
        ordering = ("-recorded_at", "-pk")
        verbose_name = _("screening record")
        verbose_name_plural = _("screening records")
        indexes = [models.Index(fields=["campaign", "is_current"], name="record_current_idx")]

    def __str__(self) -> str:
        return f"#{self.assignment_id}/{self.pk}"

    def audit_person_id(self) -> int | None:
        return self.person_id


class Alert(GridScoped):
    """An answer that needs the officer: contact with a case, fever, a high-risk trip.

    The health module turns an open alert into a quarantine and marks it acted on through
    ``services.do_resolve_alert``.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="alerts")
    record = models.ForeignKey(ScreeningRecord, on_delete=models.CASCADE, related_name="alerts")
    assignment = models.ForeignKey(CallAssignment, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AlertKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=AlertLevel.choices)
    question_code = models.SlugField(max_length=40)
    question_text = models.CharField(_("question"), max_length=300)
    answer = models.CharField(_("answer"), max_length=300)
    #: ``[[question, answer], …]``: what raised the alert, read question by question (two
    #: questions of one kind make one alert; ``question_text`` and ``answer`` hold them glued).
    pairs = models.JSONField(_("questions and answers"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AlertStatus.choices,
        default=AlertStatus.OPEN,
        db_index=True,
    )
    raised_at = models.DateTimeField(_("raised"))
    resolved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    outcome_note = models.CharField(_("what was done"), max_length=300, blank=True)
    task_id = models.BigIntegerField(null=True, blank=True)

    audit_fields = (
        "campaign",
        "household",
        "person",
        "kind",
        "level",
        "question_code",
        "answer",
        "status",
        "outcome_note",
    )

    class Meta:
        ordering = ("-raised_at", "-pk")
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["community", "status"], name="alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("screening:alert_detail", args=[self.pk])

    def audit_person_id(self) -> int | None:
        return self.person_id

    @property
    def answer_pairs(self) -> list[tuple[str, str]]:
        """Each question with its answer; an alert raised before pairs were kept has one."""
        if self.pairs:
            return [(str(q), str(a)) for q, a in self.pairs]
        return [(self.question_text, self.answer)]

    @property
    def summary(self) -> str:
        """The pairs as one line: "家中是否有人发热？ 是；今日体温（℃） 38.3"."""
        return "；".join(f"{q} {a}" for q, a in self.answer_pairs)


class MoveOutProposal(GridScoped):
    """A caller heard that a person moved away (已搬离); the grid worker confirms or rejects.

    Confirming deactivates the person in the registry through its service.
    """

    assignment = models.ForeignKey(
        CallAssignment, on_delete=models.CASCADE, related_name="proposals"
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    date = models.DateField(_("moved on"))
    reason = models.CharField(_("what the caller heard"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempt = models.ForeignKey(
        CallAttempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    audit_fields = ("household", "person", "date", "reason", "status")

    class Meta:
        ordering = ("-created", "-pk")
        verbose_name = _("move-out proposal")
        verbose_name_plural = _("move-out proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status=ProposalStatus.PENDING),
                name="proposal_one_pending_per_person",
                violation_error_message=_("A move-out of this person is already waiting."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.household_id}/{self.person_id}"

    def audit_person_id(self) -> int | None:
        return self.person_id


class CampaignHelper(GridScoped):
    """A helper (e.g. the bureau's staff) who took a share of a grid's households."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="helpers")
    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("helper")
    )
    households = models.PositiveIntegerField(_("households taken"), default=0)
    added_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    audit_fields = ("campaign", "grid", "user", "households")

    class Meta:
        ordering = ("campaign", "grid", "pk")
        verbose_name = _("helper")
        verbose_name_plural = _("helpers")

    def __str__(self) -> str:
        return f"#{self.campaign_id} helper {self.user_id}"


class CoverageCount(models.Model):
    """Stored coverage of one campaign: its households in one (community, grid, caller)
    cell, by where they stand. The coverage page of a district campaign sums these rows
    instead of grouping every assignment (see ``fangkong.screening.coverage_store``)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    total = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    unreachable = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    alerts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("campaign", "community", "grid", "assignee", "pk")
        indexes = [models.Index(fields=["campaign", "community"], name="coverage_count_idx")]

    def __str__(self) -> str:
        return f"coverage {self.campaign_id}/{self.community_id}: {self.reached}/{self.total}"


class CoverageState(models.Model):
    """When a campaign's coverage in one community was counted: at which place of the
    community's audit chain and which version of the campaign (its start adds households
    without a change-log row in each community)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    audit_seq = models.BigIntegerField(default=0)
    campaign_version = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("campaign", "community")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "community"], name="coverage_state_unique")
        ]

    def __str__(self) -> str:
        return f"coverage of {self.campaign_id} in {self.community_id} @{self.audit_seq}"
