"""Retention: each kind of personal data is kept for a period (docs/data-dictionary.md), and
this module purges what has outlived it.

Each app declares its rules in ``<app>/retention.py`` with ``register(Rule(...))``; core loads
those modules at start-up, as it loads ``jobs`` and ``periodic``. A rule names a model, says
which of its rows have come to the end of their period as of a moment (``expired(now)``, a
queryset), and what happens to them:

* ``delete=True``: the rows are deleted, except rows another row still needs (a PROTECT or
  RESTRICT foreign key points at them): those have their ``anonymise`` fields overwritten
  instead, and a later run deletes them once nothing points at them any more;
* ``delete=False``: the rows stay (figures count them); their ``anonymise`` fields are
  overwritten.

The change log keeps its own copies of those values (``ObjectChange.before``/``after``, 5
years), so the batch that deletes or anonymises rows also scrubs the change rows of those
rows (same content type, same object ids): the values of the rule's ``anonymise`` fields
become ``null``, and for a deleted row every value but its links (foreign keys, by key), its
choices (status, kind) and its flags does; ``object_repr`` becomes "<verbose name> #<pk>".
Action, actor, time and the keys stay, so the trail still says who did what and when.
Each scrubbed change row is resealed in its hash chain (``audit_chain.reseal``: its first
hash kept in ``chain_original``, which still links the chain), and the rules deleting audit
rows themselves record the places they delete in the chains' heads
(``audit_chain.record_removal``), so ``manage.py verify_audit`` passes after a purge.

``purge_expired(now)`` runs every rule, children before parents (apps in reverse
``INSTALLED_APPS`` order, an app's rules in the order it registers them), in batches of a
few hundred primary keys, each batch in its own transaction together with the change-log row
that counts what the rule purged in this run (counts only, never a value). Running it again
purges nothing: deleted rows are gone and anonymised ones already hold the anonymous values.

The daily run is a job (``core.retention_purge``) enqueued by ``core.periodic``;
``manage.py purge_expired [--dry-run] [--json]`` runs it by hand.

Periods count conservatively: a date field ends its period only on a day strictly after the
same date ``n`` years later (so a community a few hours behind the server's time zone is
never purged early), and "while active" means never while active.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.deletion import PROTECT, RESTRICT, get_candidate_relations_to_delete
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from fangkong.core.audit import record_purge, update_purge
from fangkong.core.audit_chain import RESEAL_FIELDS, record_removal, reseal
from fangkong.core.choices import ChangeAction
from fangkong.core.jobs import JobContext, job_kind
from fangkong.core.models import AccessEvent, Job, ObjectChange

logger = logging.getLogger(__name__)

#: Primary keys handled per transaction: bounded memory, short locks.
BATCH_SIZE = 500
JOB_KIND = "core.retention_purge"


@dataclass(frozen=True)
class Rule:
    """One retention period of one model, as the data dictionary states it."""

    #: Stable name, ``<app label>.<what>``: the audit rows and the command's output use it.
    name: str
    model: type[models.Model]
    #: The period in the data dictionary's words ("3 years after deactivation").
    period: str
    #: Rows whose period has ended as of ``now``.
    expired: Callable[[dt.datetime], models.QuerySet[Any]]
    delete: bool = True
    #: Field → anonymous value, for rows that stay (all of them when ``delete`` is False).
    anonymise: Mapping[str, Any] = field(default_factory=dict)
    #: Called with the rows about to be deleted, in the batch's transaction (the audit
    #: logs record the places they leave in their hash chains).
    before_delete: Callable[[models.QuerySet[Any]], Any] | None = None

    def __post_init__(self) -> None:
        if not self.delete and not self.anonymise:
            raise ValueError(f"retention rule {self.name}: keeps rows but anonymises nothing")
        opts = self.model._meta
        for name in self.anonymise:
            f = opts.get_field(name)  # raises FieldDoesNotExist on a typo
            if isinstance(f, models.Field) and f.primary_key:
                raise ValueError(f"retention rule {self.name}: cannot anonymise the key")

    def anonymised_keys(self) -> frozenset[str]:
        """Change-log snapshot keys of the ``anonymise`` fields: a snapshot is keyed by field
        name (``household``), but accept the attribute name (``household_id``) too."""
        opts = self.model._meta
        return frozenset(
            key
            for name in self.anonymise
            for key in (name, getattr(opts.get_field(name), "attname", name))
        )

    def not_yet_anonymous(self) -> Q:
        """Rows holding any value the rule would overwrite."""
        return ~Q(**self.anonymise) if self.anonymise else Q(pk__in=[])


_RULES: dict[str, Rule] = {}


def register(*rules: Rule) -> None:
    """Declare an app's rules (from its ``retention.py``); registering again replaces."""
    for rule in rules:
        _RULES[rule.name] = rule


def rules() -> list[Rule]:
    """Every registered rule, children before parents: apps in reverse INSTALLED_APPS order
    (dependencies point from domain apps down to core), each app's rules as registered."""
    position = {config.label: i for i, config in enumerate(apps.get_app_configs())}
    declared = list(_RULES.values())
    return sorted(
        declared,
        key=lambda r: (-position.get(r.model._meta.app_label, -1), declared.index(r)),
    )


# --- Cut-offs ------------------------------------------------------------------------------


def _years_back(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February: the 28th, earlier, so never early
        return day.replace(year=day.year - years, day=28)


def cutoff(now: dt.datetime, *, years: int = 0, days: int = 0) -> dt.datetime:
    """Moments before this one are past a period of ``years`` and ``days``."""
    local = timezone.localtime(now)
    day = _years_back(local.date(), years)
    return local.replace(year=day.year, month=day.month, day=day.day) - dt.timedelta(days=days)


def cutoff_date(now: dt.datetime, *, years: int = 0, days: int = 0) -> dt.date:
    """Dates before this one are past a period of ``years`` and ``days``: a row dated D goes
    on the day after D plus the period, never on that day itself."""
    return _years_back(timezone.localdate(now), years) - dt.timedelta(days=days)


# --- Running -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one rule did (or, in a dry run, would do) in one run."""

    rule: str
    period: str
    deleted: int = 0
    anonymised: int = 0
    #: Change-log rows whose snapshots of purged rows were scrubbed (not counted in a dry run).
    changes_scrubbed: int = 0
    failed: bool = False


@dataclass
class PurgeResult:
    as_of: dt.datetime
    dry_run: bool
    outcomes: list[Outcome]

    @property
    def failed(self) -> list[str]:
        return [o.rule for o in self.outcomes if o.failed]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "rules": [asdict(o) for o in self.outcomes],
        }


def needed_keys(model: type[models.Model], pks: Iterable[Any]) -> set[Any]:
    """Which of ``pks`` another row still needs: a PROTECT or RESTRICT foreign key points at
    them, so deleting them would fail (or, without the check, break that row)."""
    pks = list(pks)
    needed: set[Any] = set()
    # django-stubs types these as fields; Django yields the reverse relations into the model.
    for related in cast(Iterable[ForeignObjectRel], get_candidate_relations_to_delete(model._meta)):
        fk = related.field
        if fk.remote_field.on_delete not in (PROTECT, RESTRICT):
            continue
        needed.update(
            related.related_model._base_manager.filter(**{f"{fk.name}__in": pks}).values_list(
                fk.attname, flat=True
            )
        )
    return needed


def _anonymise(rule: Rule, rows: models.QuerySet[Any]) -> int:
    values = dict(rule.anonymise)
    if any(f.name == "version" for f in rule.model._meta.concrete_fields):
        # An edit form opened before the purge must not write the old values back.
        values["version"] = F("version") + 1
    return rows.update(**values)


def _purge_batch(
    rule: Rule, now: dt.datetime, pks: list[Any], *, dry_run: bool
) -> tuple[int, int, int]:
    # Asked again inside the transaction: a row may have changed (a person reactivated).
    rows = rule.expired(now).filter(pk__in=pks)
    if rule.delete:
        needed = needed_keys(rule.model, pks)
        deletable = rows.exclude(pk__in=needed)
        stays = rows.filter(pk__in=needed)
    else:
        deletable, stays = rows.none(), rows
    if dry_run:
        return deletable.count(), stays.filter(rule.not_yet_anonymous()).count(), 0
    gone = list(deletable.values_list("pk", flat=True)) if rule.delete else []
    # Every row that stays anonymous, even one anonymised by an earlier run: its change rows
    # are scrubbed once (a scrubbed row is not written again).
    kept = list(stays.values_list("pk", flat=True)) if rule.anonymise else []
    deleted = 0
    if gone:
        if rule.before_delete is not None:
            rule.before_delete(rule.model._base_manager.filter(pk__in=gone))
        # delete(), not a raw DELETE: it sets SET_NULL links (a household's head) too.
        _, per_model = rule.model._base_manager.filter(pk__in=gone).delete()
        deleted = per_model.get(rule.model._meta.label, 0)
    anonymised = _anonymise(rule, stays.filter(rule.not_yet_anonymous())) if rule.anonymise else 0
    return deleted, anonymised, scrub_changes(rule, deleted=gone, anonymised=kept)


# --- The change log's copies -----------------------------------------------------------------


def _kept_keys_of_deleted(rule: Rule) -> frozenset[str]:
    """Snapshot keys a deleted row's change rows keep: what it linked to (by key), its choices
    (status, kind) and its flags, unless the rule anonymises them. Free text, JSON (answers),
    numbers (a temperature) and dates go."""
    keep: set[str] = set()
    for f in rule.model._meta.concrete_fields:
        if f.primary_key or f.is_relation or f.choices or isinstance(f, models.BooleanField):
            keep.update((f.name, f.attname))
    return frozenset(keep) - rule.anonymised_keys()


def _scrubbed(snapshot: Any, scrub: Callable[[str], bool]) -> Any:
    if not isinstance(snapshot, dict):
        return snapshot
    return {key: None if scrub(key) else value for key, value in snapshot.items()}


def scrub_changes(rule: Rule, *, deleted: list[Any], anonymised: list[Any]) -> int:
    """Scrub the change log's snapshots of rows the rule has just deleted or anonymised.

    One query fetches the batch's change rows (content type and object ids); only rows that
    still hold something to scrub are written, in one bulk update, so a second run writes
    nothing. The marker is ``null``: one value for every kind of field (text, a key, a date,
    answers), which the change log shows as empty rather than as a plausible value (``""``
    would read as "the name was blank"). Returns the number of change rows rewritten.
    """
    model = rule.model
    if not (deleted or anonymised) or not hasattr(model, "audit_snapshot"):
        return 0  # only audited models have change rows of their own
    gone = {str(pk) for pk in deleted}
    anonymous_keys = rule.anonymised_keys()
    kept_keys = _kept_keys_of_deleted(rule)

    def scrub_anonymised(key: str) -> bool:
        return key in anonymous_keys

    def scrub_deleted(key: str) -> bool:
        return key not in kept_keys

    with translation.override(settings.LANGUAGE_CODE):
        label = str(model._meta.verbose_name)
    changes = ObjectChange._base_manager.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id__in=[str(pk) for pk in [*deleted, *anonymised]],
    )  # every column: a scrubbed row is sealed again over all it holds
    dirty = []
    for change in changes:
        scrub = scrub_deleted if change.object_id in gone else scrub_anonymised
        before, after = _scrubbed(change.before, scrub), _scrubbed(change.after, scrub)
        repr_ = f"{label} #{change.object_id}"[:200]
        if (before, after, repr_) != (change.before, change.after, change.object_repr):
            change.before, change.after, change.object_repr = before, after, repr_
            # Its first hash stays its link in the chain, recorded as the scrub's marker.
            reseal(change)
            dirty.append(change)
    ObjectChange._base_manager.bulk_update(
        dirty, ["before", "after", "object_repr", *RESEAL_FIELDS], batch_size=BATCH_SIZE
    )
    return len(dirty)


def _run_rule(
    rule: Rule, now: dt.datetime, *, dry_run: bool, batch_size: int, run_id: str
) -> Outcome:
    outcome = Outcome(rule.name, rule.period)
    # Rows that only get anonymised leave the set once done; walk only those still to do.
    candidates = rule.expired(now)
    if not rule.delete:
        candidates = candidates.filter(rule.not_yet_anonymous())
    audit: ObjectChange | None = None
    last = None
    while True:
        batch = candidates.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)  # keyset paging: rows that stay are not seen twice
        pks = list(batch.values_list("pk", flat=True)[:batch_size])
        if not pks:
            return outcome
        last = pks[-1]
        with transaction.atomic():
            deleted, anonymised, scrubbed = _purge_batch(rule, now, pks, dry_run=dry_run)
            outcome.deleted += deleted
            outcome.anonymised += anonymised
            outcome.changes_scrubbed += scrubbed
            if dry_run or not (deleted or anonymised or scrubbed):
                continue
            summary = _summary(rule, now, outcome)
            if audit is None:
                action = ChangeAction.DELETE if rule.delete else ChangeAction.UPDATE
                audit = record_purge(
                    rule.model, rule.name, action=action, summary=summary, run_id=run_id
                )
            else:
                update_purge(audit, summary)


def _summary(rule: Rule, now: dt.datetime, outcome: Outcome) -> dict[str, Any]:
    """What the change log keeps of a rule's run: counts and field names, never values."""
    return {
        "rule": rule.name,
        "period": rule.period,
        "as_of": now.isoformat(),
        "deleted": outcome.deleted,
        "anonymised": outcome.anonymised,
        "anonymised_fields": sorted(rule.anonymise),
        "changes_scrubbed": outcome.changes_scrubbed,
    }


def purge_expired(
    now: dt.datetime | None = None, *, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> PurgeResult:
    """Run every retention rule as of ``now``; with ``dry_run``, count and change nothing.

    A rule that fails is logged and marked; the others still run (a purge that stopped at
    the first error would keep everything after it forever)."""
    now = now or timezone.now()
    run_id = f"purge-{timezone.localtime(now):%Y%m%d%H%M%S}"
    outcomes = []
    for rule in rules():
        try:
            outcome = _run_rule(rule, now, dry_run=dry_run, batch_size=batch_size, run_id=run_id)
        except Exception:
            logger.exception("retention rule %s failed", rule.name)
            outcome = Outcome(rule.name, rule.period, failed=True)
        outcomes.append(outcome)
    return PurgeResult(now, dry_run, outcomes)


@job_kind(JOB_KIND, _("Retention purge"))
def purge_job(context: JobContext) -> dict[str, Any]:
    """The daily purge as a job (enqueued by ``core.periodic``): the log lists counts only."""
    as_of = context.params.get("as_of")
    result = purge_expired(dt.datetime.fromisoformat(as_of) if as_of else None)
    for o in result.outcomes:
        state = "failed" if o.failed else f"{o.deleted} deleted, {o.anonymised} anonymised"
        context.log(f"{o.rule}: {state}")
    if result.failed:
        raise RuntimeError(f"retention rules failed: {', '.join(result.failed)}")
    return result.as_dict()


# --- core's own rows ---


def _old_jobs(before: dt.datetime) -> models.QuerySet[Any]:
    """Jobs whose log and result are older than ``before``: finished before it, or never
    finished and neither created nor started since (the log is never older than the row)."""
    unfinished = Q(finished=None, created__lt=before) & (Q(started=None) | Q(started__lt=before))
    return Job.objects.filter(Q(finished__lt=before) | unfinished)


register(
    Rule(
        name="core.change_log",
        model=ObjectChange,
        period="5 years",
        expired=lambda now: ObjectChange.objects.filter(time__lt=cutoff(now, years=5)),
        before_delete=record_removal,
    ),
    Rule(
        name="core.access_log",
        model=AccessEvent,
        period="5 years",
        expired=lambda now: AccessEvent.objects.filter(time__lt=cutoff(now, years=5)),
        before_delete=record_removal,
    ),
    Rule(
        name="core.jobs",
        model=Job,
        period="90 days",
        # The log and result are never older than the row; a job that never finished counts
        # from its creation.
        expired=lambda now: _old_jobs(cutoff(now, days=90)),
    ),
)
