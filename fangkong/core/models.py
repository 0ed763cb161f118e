"""Rows every app shares: the change log, the access log for personal data, and jobs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fangkong.core.choices import AccessKind, ChainReseal, ChangeAction, JobStatus
from fangkong.core.querysets import RestrictedQuerySet
from fangkong.core.scope import ScopeRule


class AuditedModel(models.Model):
    """Base for domain rows: restricted manager, a version for optimistic locking, audit hooks.

    ``audit_fields`` lists what the change log records; protected values are recorded by
    their mask only (``<name>_mask``), never their ciphertext or plaintext.
    """

    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    audit_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def audit_snapshot(self) -> dict[str, Any]:
        snapshot: dict[str, Any] = {}
        for name in self.audit_fields:
            value = getattr(self, name)
            if isinstance(value, models.Model):
                value = value.pk
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)  # JSON has no decimal; "37.3" keeps the digits exactly
            snapshot[name] = value
        return snapshot

    def area_path(self) -> str:
        """The most specific area path of this row (what the audit log is scoped by)."""
        raise NotImplementedError

    def community_id_for_audit(self) -> int | None:
        return getattr(self, "community_id", None)


class ChainedLogQuerySet(RestrictedQuerySet):
    """The audit logs' queryset: ``bulk_create`` puts new rows into their hash chain first,
    as ``save()`` does for one row (see ``fangkong.core.audit_chain``)."""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        from fangkong.core import audit_chain

        objs = list(objs)
        # One transaction for the chain's lock, the new head and the rows.
        with transaction.atomic(using=self.db, savepoint=False):
            audit_chain.seal_objects([obj for obj in objs if not obj.chain_hash])
            return super().bulk_create(objs, *args, **kwargs)


class ChainedLog(models.Model):
    """What the change log and the access log share: a place in a hash chain.

    Each community's rows of both logs form one chain (rows with no community, another);
    ``fangkong.core.audit_chain`` writes these columns, ``manage.py verify_audit`` checks
    them. ``time`` is set when the row is built, not at INSERT (``auto_now_add``), because
    it is part of what the seal covers.
    """

    time = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    #: Place in the chain: 1, 2, 3... per community, across both logs.
    chain_seq = models.BigIntegerField(editable=False)
    #: The link of the row before (its ``chain_original`` or else ``chain_hash``).
    chain_prev = models.CharField(max_length=64, blank=True, editable=False)
    #: Keyed hash (HMAC-SHA256) over the row's content, its place and ``chain_prev``.
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)
    #: Set when the system rewrote the row after chaining it (retention scrubbing its
    #: snapshots, a purge's running counts): the hash it had, which the next row links to.
    chain_original = models.CharField(max_length=64, blank=True, editable=False)
    #: Why it was sealed again when not because the system rewrote it: a key rotation
    #: (content as first written) or the mending of a broken chain (content as found). Part
    #: of what the seal covers when set, so it cannot be flipped to pass one for the other.
    chain_reseal = models.CharField(
        max_length=5,
        choices=ChainReseal.choices,
        blank=True,
        default=ChainReseal.NONE,
        editable=False,
    )

    #: Which log (the canonical content names it, so a row cannot move between tables).
    chain_log: ClassVar[str] = ""

    objects = ChainedLogQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or self.chain_hash:
            super().save(*args, **kwargs)
            return
        from fangkong.core import audit_chain

        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            audit_chain.seal_objects([self])
            super().save(*args, **kwargs)

    @property
    def is_resealed(self) -> bool:
        """Its content is no longer what it first said: rewritten by the system after it was
        chained (retention, a run's counts), or sealed again as found in a broken chain. A
        row a key rotation sealed again says what it first said."""
        return bool(self.chain_original) and self.chain_reseal != ChainReseal.REKEY

    @property
    def reseal_note(self) -> str:
        """What the change-log page says about a row sealed again since it was written."""
        if self.chain_reseal == ChainReseal.MEND:
            return str(
                _(
                    "Sealed again as found when its broken chain was mended: see the "
                    "audit chains' mending record"
                )
            )
        if not self.is_resealed:
            return ""
        # A run's own row (a purge, a re-seal) has no object: counts kept up to date. Both
        # logs have the column; ChainedLog, their abstract base, does not declare it.
        if not getattr(self, "object_id", ""):
            return str(_("Counts updated as the run went on"))
        return str(_("Since rewritten by the retention purge"))


class ObjectChange(ChainedLog):
    """One create, update or delete of a domain row: who, when, what, before and after.

    Written by service functions (so bulk paths and scripts are logged too). Snapshots hold
    masked values only.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=200)
    # Scoping without a foreign key into an app above core: the object's area path.
    area_path = models.CharField(max_length=255, db_index=True)
    # Indexed by the chain's constraint below (community first).
    community_id = models.BigIntegerField(null=True, blank=True)
    # People the change concerns (for "filter by person" on rows of other models).
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    chain_log = "change"
    # One community's rows by its indexed id; rows above community level by their area.
    scope_rule = ScopeRule(area_path="area_path")

    class Meta:
        ordering = ("-time", "-pk")
        verbose_name = _("change")
        verbose_name_plural = _("change log")
        constraints = [
            # A place in a community's chain is taken once: two writers that both read the
            # same head could not both commit (the chain's lock keeps them from trying).
            models.UniqueConstraint(
                fields=["community_id", "chain_seq"], name="objectchange_chain_place"
            ),
        ]
        indexes = [
            # The audit log: one community's changes newest first. Without it the database
            # walked the time index backwards across every community's rows.
            models.Index(fields=["community_id", "time", "id"], name="objectchange_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def changed_fields(self) -> list[tuple[str, bool, Any, Any]]:
        """The fields that differ, as a page shows them: (name, whether the name is a code,
        before, after), with the field's name in the reader's language and a choice's label
        rather than the stored codes (``status``: ``pending``)."""
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        model = self.content_type.model_class() if self.content_type_id else None
        rows = []
        for key in keys:
            if before.get(key) == after.get(key):
                continue
            field = _model_field(model, key)
            named = field is not None and field.verbose_name != field.name.replace("_", " ")
            rows.append(
                (
                    # A field with no name of its own is shown as its code (the template
                    # marks it up as code): Django's made-up name would be English.
                    capfirst(field.verbose_name) if named else key,
                    not named,
                    _shown_value(field, before.get(key)),
                    _shown_value(field, after.get(key)),
                )
            )
        return rows


def _model_field(model: type[models.Model] | None, name: str) -> Any:
    """The model's field of a snapshot key (``household`` or ``household_id``), or None."""
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _shown_value(field: Any, value: Any) -> Any:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    choices = getattr(field, "flatchoices", None)
    if choices and not isinstance(value, (list, dict)):
        return dict(choices).get(value, value)
    return value


class AccessEvent(ChainedLog):
    """A reveal, export, call or search touching sensitive personal data (never the value)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=10, choices=AccessKind.choices)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    area_path = models.CharField(max_length=255, db_index=True)
    # The community of ``area_path`` (None above community level): the row's chain.
    community_id = models.BigIntegerField(null=True, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    # What was touched: field names, row counts, filters — never the sensitive values.
    detail = models.JSONField(default=dict, blank=True)

    chain_log = "access"
    scope_rule = ScopeRule(area_path="area_path")

    class Meta:
        ordering = ("-time", "-pk")
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        constraints = [
            models.UniqueConstraint(
                fields=["community_id", "chain_seq"], name="accessevent_chain_place"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_repr}"


class AuditChain(models.Model):
    """The head of one hash chain of the audit logs: a community's, or (``community_id``
    0) the chain of rows with no community.

    Appending takes this row's lock (``SELECT ... FOR UPDATE``) until the transaction ends,
    so two writers never give two rows the same place. ``seq`` and ``head`` are the last
    row's place and link (deleting the newest rows shows against them); ``pruned`` lists
    the places retention (or a demo reset) deleted on purpose, each as ``[first, last,
    link before, link of last]`` so the verifier can step over them; the global chain's
    ``chains`` counts the community chains ever started (deleting a whole community's
    trail, head included, shows against it). ``seal`` is a keyed hash over all of it.
    """

    community_id = models.BigIntegerField(unique=True)
    seq = models.BigIntegerField(default=0)
    head = models.CharField(max_length=64, blank=True)
    pruned = models.JSONField(default=list, blank=True)
    chains = models.BigIntegerField(default=0)
    seal = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("community_id",)
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")

    def __str__(self) -> str:
        return f"audit chain {self.community_id or 'global'} @{self.seq}"


class Job(models.Model):
    """A piece of background work the UI shows and polls: an import, export, report, purge.

    The row is the job's public face; the work runs as one task on Django's tasks framework.
    """

    kind = models.CharField(max_length=50, db_index=True)
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    area_path = models.CharField(max_length=255, db_index=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    log = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rule = ScopeRule(community=None, area_path="area_path")

    class Meta:
        ordering = ("-created", "-pk")
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.kind_label} #{self.pk}"

    @property
    def kind_label(self) -> str:
        """What the kind is called on pages; its code when no label was registered."""
        from fangkong.core.jobs import JOB_LABELS  # core.jobs imports this module

        return str(JOB_LABELS.get(self.kind, self.kind))

    @property
    def percent(self) -> int:
        if self.status == JobStatus.COMPLETED:
            return 100
        return int(self.progress * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.COMPLETED, JobStatus.FAILED}


class TickRun(models.Model):
    """One slot of one periodic task taken by a ``tick`` run (keeps ticks from doubling)."""

    name = models.CharField(max_length=200)
    slot = models.BigIntegerField()
    ran_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="tickrun_unique_slot")]
        ordering = ("-ran_at", "-pk")

    def __str__(self) -> str:
        return f"{self.name}@{self.slot}"
