"""Rotating the data key: every protected value re-encrypted and re-indexed under the current key.

The procedure (docs/deploy.md, "Rotating the data key"): the new key becomes
``FANGKONG_DATA_KEY`` and the old one is listed in ``FANGKONG_DATA_KEYS_OLD``; the services are
restarted; ``manage.py rotate_data_key`` rewrites every row; once it reports every row under
the current key, the old key is dropped. Between the restart and the end of the command,
lookups try every listed key's blind index (``core.personal_data.*_indexes``), so searches
and duplicate checks keep finding everyone.

What is rotated is found, not listed: every model with a ``<name>_cipher`` column (its
``<name>_index`` and, for phones, ``<name>_last4_index`` beside it). A new kind of protected
value must be taught here (``INDEXERS``), or the command refuses to run rather than leave it
behind. Jobs and tasks hold no ciphertext or blind index (masks and counts only), so they
need nothing.

The audit log holds none either, but its hash chains are sealed with a key derived from the
data key (``core.audit_chain``), so they move too, or ``verify_audit`` would call every older
row edited once the old key is dropped. Before anything changes, every chain is verified
under the keys listed: a chain already broken stops the command (the operator must see the
tampering before a new seal could hide it), unless ``reseal_broken_audit`` says to mend it
(``audit_chain.mend``), recorded in the change log in the same transaction. After the data,
every audit row and head a retired key sealed is sealed again under the current key, in
batches, each batch one transaction holding its chain's head as writers do; links never
change, so a chain half done still verifies and a second run finishes what the first began.
One change-log row per run counts what was sealed, brought up to date in each batch's
transaction. Last, the chains are verified under the current key alone: that is what says
the old key may go.

Why the data can be stopped at any moment (``kill -9``, a power cut) and run again: rows are
rewritten in batches, each batch one transaction, and a row *knows* whether it is done, with
no marker column: its ciphertexts decrypt under the current key alone and its indexes equal
the current key's. A run skips such rows, so a second run finishes what the first began. A
last pass checks every row again (a page open during the rotation may have saved a value it
loaded before its row was rewritten), and the run reports whether the old key may go.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from fangkong.core.audit import (
    record_audit_mending,
    record_audit_rekeying,
    record_key_rotation,
    update_run_counts,
)
from fangkong.core.audit_chain import (
    GLOBAL,
    MODELS,
    Mending,
    Problem,
    Report,
    chain_size,
    lock_heads,
    mend,
    rekey_head,
    rekey_rows,
    verify,
)
from fangkong.core.bulk import column_of, concrete_field
from fangkong.core.models import AuditChain, ObjectChange
from fangkong.core.personal_data import (
    decrypt,
    decrypt_current,
    encrypt,
    id_number_index,
    phone_index,
    phone_last4_index,
)

BATCH_SIZE = 1000
#: Passes over every row at most: the first rewrites, the next ones check (and catch rows
#: saved meanwhile from values loaded before the rewrite).
MAX_PASSES = 3

#: How each kind of protected value is indexed: the full value's index, and the last four
#: digits' (phones only). The same functions ``protect_*`` use, so a rotated row equals a row
#: written fresh under the current key.
INDEXERS: dict[str, tuple[Callable[[str], str] | None, Callable[[str], str] | None]] = {
    "id_number": (id_number_index, None),
    "phone": (phone_index, phone_last4_index),
    # What a health hand-over typed, kept encrypted until the background search has run:
    # never looked up, so never indexed (health.Contact).
    "handover_id": (None, None),
    "handover_phone": (None, None),
    # A phone a household proposed for itself, kept until a grid worker decides: copied into
    # the registry (and indexed there) on approval, never looked up (selfservice.Correction).
    "proposed_phone": (None, None),
}


@dataclass(frozen=True)
class ProtectedField:
    """One protected value of a model: its ciphertext and blind-index columns."""

    name: str
    has_last4: bool
    has_index: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        index = (f"{self.name}_index",) if self.has_index else ()
        last4 = (f"{self.name}_last4_index",) if self.has_last4 else ()
        return (f"{self.name}_cipher", *index, *last4)


@dataclass(frozen=True)
class ProtectedModel:
    """A model holding protected values, and which."""

    model: type[models.Model]
    fields: tuple[ProtectedField, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for f in self.fields for c in f.columns)


def protected_models() -> list[ProtectedModel]:
    """Every model with a ``<name>_cipher`` column, in a stable order."""
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        protected = []
        for name in sorted(n.removesuffix("_cipher") for n in names if n.endswith("_cipher")):
            has_index = name in INDEXERS and INDEXERS[name][0] is not None
            if name not in INDEXERS or (has_index and f"{name}_index" not in names):
                raise ImproperlyConfigured(
                    f"{model._meta.label}.{name}_cipher: core.key_rotation does not know how "
                    f"to index this kind of value; add it to INDEXERS before rotating keys."
                )
            has_last4 = INDEXERS[name][1] is not None
            if has_last4 and f"{name}_last4_index" not in names:
                raise ImproperlyConfigured(f"{model._meta.label}: {name}_last4_index is missing")
            protected.append(ProtectedField(name, has_last4, has_index))
        if protected:
            found.append(ProtectedModel(model, tuple(protected)))
    return sorted(found, key=lambda p: p.label)


class Unreadable(Exception):
    """A ciphertext no listed key decrypts: written under a key that is no longer listed."""


def current_values(pmodel: ProtectedModel, row: dict[str, str]) -> dict[str, str]:
    """The columns of ``row`` that differ from what the current key gives; {} when rotated.

    ``row`` maps the model's protected columns to their stored values.
    """
    changes: dict[str, str] = {}
    for pfield in pmodel.fields:
        cipher_column = f"{pfield.name}_cipher"
        token = row[cipher_column]
        if not token:
            continue  # nothing stored (indexes are blank with it)
        plaintext = decrypt_current(token)
        cipher = token
        if plaintext is None:
            try:
                plaintext = decrypt(token)
            except InvalidToken:
                raise Unreadable(pfield.name) from None
            cipher = encrypt(plaintext)
        index, last4 = INDEXERS[pfield.name]
        wanted = {cipher_column: cipher}
        if index is not None:
            wanted[f"{pfield.name}_index"] = index(plaintext)
        if last4 is not None:
            wanted[f"{pfield.name}_last4_index"] = last4(plaintext)
        if any(row[column] != value for column, value in wanted.items()):
            changes.update(wanted)
    return changes


@dataclass
class ModelOutcome:
    """What one pass did to one model (or, in a dry run, would do)."""

    label: str
    total: int = 0
    checked: int = 0
    rotated: int = 0
    #: Rows whose new index clashes with another row's (two people with one ID number in a
    #: community, recorded under different keys): left under the old key, named by key.
    conflicts: list[Any] = field(default_factory=list)
    #: Rows no listed key decrypts.
    unreadable: list[Any] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.label,
            "total": self.total,
            "checked": self.checked,
            "rotated": self.rotated,
            "conflicts": self.conflicts,
            "unreadable": self.unreadable,
        }


class AuditChainsBroken(Exception):
    """The audit chains were broken before the rotation began; nothing was changed."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.problems)} problem(s) in the audit chains")
        self.report = report

    @property
    def key_missing(self) -> bool:
        """Most rows verify under no listed key: far likelier a key left out of
        FANGKONG_DATA_KEYS_OLD than that much tampering."""
        return self.report.unsealed * 2 > self.report.rows


@dataclass
class ChainProgress:
    """Where the sealing of one audit chain stands, within one pass."""

    community: int
    total: int
    checked: int = 0
    rekeyed: int = 0


@dataclass
class AuditOutcome:
    """What a rotation did to the audit chains (in a dry run: would do)."""

    #: Breaks the check before the rotation found (all mended, or the run was refused).
    found: list[Problem] = field(default_factory=list)
    #: That check's whole report.
    checked_before: Report = field(default_factory=Report)
    #: Chains mended on the operator's word (``--reseal-broken-audit``).
    mended: list[Mending] = field(default_factory=list)
    passes: int = 0
    checked: int = 0
    #: Rows and heads sealed again under the current key (dry: still under a retired one).
    rekeyed: int = 0
    heads: int = 0
    #: Rows or heads no listed key verified while they were being sealed: changed since the
    #: check, left as they are.
    broken: list[Problem] = field(default_factory=list)
    #: What ``verify_audit`` will report once the retired keys are dropped; None in a dry run.
    left: list[Problem] | None = None

    @property
    def complete(self) -> bool:
        return self.left == []

    def as_dict(self) -> dict[str, Any]:
        return {
            "found": [str(p) for p in self.found],
            "mended": [m.as_dict() for m in self.mended],
            "passes": self.passes,
            "checked": self.checked,
            "rekeyed": self.rekeyed,
            "heads": self.heads,
            "broken": [str(p) for p in self.broken],
            "left": None if self.left is None else [str(p) for p in self.left],
            "complete": self.complete,
        }


@dataclass
class RotationResult:
    """A run of ``rotate``: each pass's outcome per model, and the audit chains'."""

    run_id: str
    dry_run: bool
    passes: list[list[ModelOutcome]] = field(default_factory=list)
    audit: AuditOutcome = field(default_factory=AuditOutcome)

    @property
    def rotated(self) -> int:
        return sum(o.rotated for outcomes in self.passes for o in outcomes)

    @property
    def remaining(self) -> int:
        """Rows the last pass found (or, dry, would find) not under the current key alone."""
        if not self.passes:
            return 0
        last = self.passes[-1]
        return sum(o.rotated + len(o.conflicts) + len(o.unreadable) for o in last)

    @property
    def data_complete(self) -> bool:
        """Every protected value is under the current key."""
        return not self.dry_run and self.remaining == 0

    @property
    def complete(self) -> bool:
        """Every protected value, audit row and head is under the current key alone: the
        retired keys may be dropped."""
        return self.data_complete and self.audit.complete

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "dry_run": self.dry_run,
            "rotated": self.rotated,
            "remaining": self.remaining,
            "complete": self.complete,
            "passes": [[o.as_dict() for o in outcomes] for outcomes in self.passes],
            "audit": self.audit.as_dict(),
        }


def rotate(
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    pause: float = 0.0,
    progress: Callable[[int, ModelOutcome], None] | None = None,
    audit_progress: Callable[[int, ChainProgress], None] | None = None,
    reseal_broken_audit: bool = False,
) -> RotationResult:
    """Bring every protected value and the audit chains under the current data key; see the
    module's docstring. Raises ``AuditChainsBroken``, having changed nothing, when a chain
    is broken and ``reseal_broken_audit`` is not given (a dry run reports it instead).

    ``pause`` seconds are waited between batches (a busy SQLite office keeps its write lock
    free for the gates); ``progress`` hears (pass number, outcome so far) after each batch
    of data, ``audit_progress`` (pass number, chain so far) after each batch of audit rows.
    """
    pmodels = protected_models()
    run_id = f"rotate-{timezone.localtime():%Y%m%d%H%M%S}"
    result = RotationResult(run_id, dry_run)
    result.audit.checked_before = verify()
    result.audit.found = result.audit.checked_before.problems
    if result.audit.found and not dry_run:
        if not reseal_broken_audit:
            raise AuditChainsBroken(result.audit.checked_before)
        result.audit.mended = _mend(result.audit.found, run_id)
    for number in range(1, 2 if dry_run else MAX_PASSES + 1):
        outcomes = [
            _rotate_model(
                p,
                number,
                run_id,
                dry_run=dry_run,
                batch_size=batch_size,
                pause=pause,
                progress=progress,
            )
            for p in pmodels
        ]
        result.passes.append(outcomes)
        if not any(o.rotated for o in outcomes):
            break  # a pass that found nothing to rewrite has checked every row
    _rekey_audit(
        result.audit,
        run_id,
        dry_run=dry_run,
        batch_size=batch_size,
        pause=pause,
        progress=audit_progress,
    )
    return result


def _rotate_model(
    pmodel: ProtectedModel,
    pass_number: int,
    run_id: str,
    *,
    dry_run: bool,
    batch_size: int,
    pause: float,
    progress: Callable[[int, ModelOutcome], None] | None,
) -> ModelOutcome:
    manager = pmodel.model._base_manager
    outcome = ModelOutcome(pmodel.label, total=manager.count())
    after = None
    while True:
        with _batch_transaction(dry_run):
            batch = _load(pmodel, after, batch_size, lock=not dry_run)
            if not batch:
                return outcome
            after = batch[-1][0]
            changes = _plan(pmodel, batch, outcome)
            if changes and not dry_run:
                try:
                    with transaction.atomic():  # a savepoint: a clash undoes only the write
                        _write(pmodel, changes)
                except IntegrityError:
                    _write_one_by_one(pmodel, changes, outcome)
                _audit(pmodel, run_id, pass_number, batch, changes)
            outcome.checked += len(batch)
            outcome.rotated += len(changes)
        if progress is not None:
            progress(pass_number, outcome)
        if pause:
            time.sleep(pause)


@contextlib.contextmanager
def _batch_transaction(dry_run: bool) -> Iterator[None]:
    # A dry run only reads: no transaction, so no write lock held on SQLite.
    if dry_run:
        yield
    else:
        with transaction.atomic():
            yield


def _load(pmodel: ProtectedModel, after: Any, size: int, *, lock: bool) -> list[tuple[Any, ...]]:
    rows = pmodel.model._base_manager.order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after)  # keyset paging: each row is seen once per pass
    if lock and connection.features.has_select_for_update:
        # PostgreSQL: an edit saved meanwhile waits for the batch instead of being
        # overwritten by it (SQLite's IMMEDIATE transaction already holds the write lock).
        rows = rows.select_for_update()
    return list(rows.values_list("pk", *pmodel.columns)[:size])


def _plan(
    pmodel: ProtectedModel, batch: list[tuple[Any, ...]], outcome: ModelOutcome
) -> dict[Any, dict[str, str]]:
    """The rows of ``batch`` to rewrite, each with all its protected columns as they must be."""
    changes: dict[Any, dict[str, str]] = {}
    for pk, *values in batch:
        row = dict(zip(pmodel.columns, values, strict=True))
        try:
            wanted = current_values(pmodel, row)
        except Unreadable:
            outcome.unreadable.append(pk)
            continue
        if wanted:
            changes[pk] = {**row, **wanted}
    return changes


def _write(pmodel: ProtectedModel, changes: dict[Any, dict[str, str]]) -> None:
    # One UPDATE per row through executemany, setting every protected column of the model
    # (bulk_update's CASE WHEN costs more). ``updated`` and ``version`` stay: the values are
    # the same, and an edit form open meanwhile must not fail as if someone had changed them.
    columns = pmodel.columns
    quote = connection.ops.quote_name
    model = pmodel.model
    meta = model._meta
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - names quoted, values bound
        + ", ".join(f"{quote(column_of(concrete_field(model, c)))} = %s" for c in columns)
        + f" WHERE {quote(column_of(concrete_field(model)))} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [[values[c] for c in columns] + [pk] for pk, values in changes.items()]
        )


def _write_one_by_one(
    pmodel: ProtectedModel, changes: dict[Any, dict[str, str]], outcome: ModelOutcome
) -> None:
    """Write each row in its own savepoint, setting aside the rows whose index clashes."""
    for pk in list(changes):
        try:
            with transaction.atomic():
                _write(pmodel, {pk: changes[pk]})
        except IntegrityError:
            outcome.conflicts.append(pk)
            del changes[pk]


def _audit(
    pmodel: ProtectedModel,
    run_id: str,
    pass_number: int,
    batch: list[tuple[Any, ...]],
    changes: dict[Any, dict[str, str]],
) -> None:
    """One change-log row per batch that rewrote rows, written in the batch's transaction:
    counts and field names only, never a value, so the log agrees with the data after any
    interruption."""
    if not changes:
        return
    record_key_rotation(
        pmodel.model,
        run_id=run_id,
        summary={
            "operation": "rotate_data_key",
            "run": run_id,
            "pass": pass_number,
            "fields": [f.name for f in pmodel.fields],
            "rotated": len(changes),
            "first": str(batch[0][0]),
            "last": str(batch[-1][0]),
            "retired_keys": len(settings.DATA_KEYS_OLD),
        },
    )


# --- The audit chains ----------------------------------------------------------------------


def _mend(found: list[Problem], run_id: str) -> list[Mending]:
    """Mend each broken chain in its own transaction, recording what was found in it."""
    mended = []
    for community in sorted({p.community for p in found}):  # the global chain first
        with transaction.atomic():
            mending = mend(community)
            if mending.problems:
                record_audit_mending(
                    community,
                    run_id=run_id,
                    summary={
                        "operation": "reseal_broken_audit",
                        "run": run_id,
                        **mending.as_dict(),
                    },
                )
                mended.append(mending)
    return mended


class _Counts:
    """The run's change-log row, written with the first batch that seals anything and kept
    up to date by every later one, in the batch's own transaction."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.row: ObjectChange | None = None
        self.rows = self.heads = 0
        self.chains: set[int] = set()

    def add(self, community: int, *, rows: int = 0, heads: int = 0, pass_number: int) -> None:
        self.rows += rows
        self.heads += heads
        self.chains.add(community)
        summary = {
            "operation": "rekey_audit",
            "run": self.run_id,
            "pass": pass_number,
            "rows": self.rows,
            "heads": self.heads,
            "chains": len(self.chains),
            "retired_keys": len(settings.DATA_KEYS_OLD),
        }
        if self.row is None:
            self.row = record_audit_rekeying(summary=summary, run_id=self.run_id)
        else:
            update_run_counts(self.row, summary)

    def heads_to_lock(self, community: int) -> list[int]:
        # Writing the row appends to the global chain: its head is taken first, in the
        # order every writer takes heads.
        return [GLOBAL, community] if self.row is None else [community]


def _rekey_audit(
    outcome: AuditOutcome,
    run_id: str,
    *,
    dry_run: bool,
    batch_size: int,
    pause: float,
    progress: Callable[[int, ChainProgress], None] | None,
) -> None:
    counts = _Counts(run_id)
    for number in range(1, 2 if dry_run else MAX_PASSES + 1):
        outcome.passes = number
        before = outcome.rekeyed + outcome.heads
        outcome.broken = []
        for community in list(
            AuditChain.objects.order_by("community_id").values_list("community_id", flat=True)
        ):
            _rekey_chain(
                community,
                outcome,
                counts,
                number,
                dry_run=dry_run,
                batch_size=batch_size,
                pause=pause,
                progress=progress,
            )
        if dry_run:
            return
        outcome.left = verify(retired_keys=False).problems
        if not outcome.left or outcome.rekeyed + outcome.heads == before:
            # Intact under the current key alone, or a pass sealed nothing more: another
            # would not either. (A pass that did seal rows means a writer still sealed under
            # a retired key after the first: one not restarted with the new key.)
            return


def _rekey_chain(
    community: int,
    outcome: AuditOutcome,
    counts: _Counts,
    pass_number: int,
    *,
    dry_run: bool,
    batch_size: int,
    pause: float,
    progress: Callable[[int, ChainProgress], None] | None,
) -> None:
    chain = ChainProgress(community, chain_size(community))
    for log in MODELS:
        after: tuple[int, int] | None = (0, 0)
        while after is not None:
            with _batch_transaction(dry_run):
                if not dry_run:
                    lock_heads(counts.heads_to_lock(community))
                batch = rekey_rows(log, community, after, size=batch_size, dry_run=dry_run)
                if batch.rekeyed and not dry_run:
                    counts.add(community, rows=batch.rekeyed, pass_number=pass_number)
            after = batch.after
            chain.checked += batch.checked
            chain.rekeyed += batch.rekeyed
            outcome.checked += batch.checked
            outcome.rekeyed += batch.rekeyed
            outcome.broken += batch.broken
            if batch.checked and progress is not None:
                progress(pass_number, chain)
            if pause and batch.checked:
                time.sleep(pause)
    with _batch_transaction(dry_run):
        if not dry_run:
            lock_heads(counts.heads_to_lock(community))
        sealed = rekey_head(community, dry_run=dry_run)
        if sealed and not dry_run:
            counts.add(community, heads=1, pass_number=pass_number)
    if sealed is None:
        outcome.broken.append(
            Problem(
                community,
                "the chain's head does not match its seal "
                "(changed since the chains were checked): "
                "left as it is",
            )
        )
    outcome.heads += bool(sealed)
