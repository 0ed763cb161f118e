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
behind. Jobs, tasks and the audit log hold no ciphertext or blind index (masks and counts
only), so they need nothing.

Why it can be stopped at any moment (``kill -9``, a power cut) and run again: rows are
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

from fangkong.core.audit import record_key_rotation
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
        return {"model": self.label, "total": self.total, "checked": self.checked,
                "rotated": self.rotated, "conflicts": self.conflicts,
                "unreadable": self.unreadable}


@dataclass
class RotationResult:
    """A run of ``rotate``: each pass's outcome per model."""

    run_id: str
    dry_run: bool
    passes: list[list[ModelOutcome]] = field(default_factory=list)

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
    def complete(self) -> bool:
        """Every row is under the current key: the retired keys may be dropped."""
        return not self.dry_run and self.remaining == 0

    def as_dict(self) -> dict[str, Any]:
        return {"run": self.run_id, "dry_run": self.dry_run, "rotated": self.rotated,
                "remaining": self.remaining, "complete": self.complete,
                "passes": [[o.as_dict() for o in outcomes] for outcomes in self.passes]}


def rotate(*, dry_run: bool = False, batch_size: int = BATCH_SIZE, pause: float = 0.0,
           progress: Callable[[int, ModelOutcome], None] | None = None) -> RotationResult:
    """Bring every protected value under the current data key; see the module's docstring.

    ``pause`` seconds are waited between batches (a busy SQLite office keeps its write lock
    free for the gates); ``progress`` hears (pass number, outcome so far) after each batch.
    """
    pmodels = protected_models()
    run_id = f"rotate-{timezone.localtime():%Y%m%d%H%M%S}"
    result = RotationResult(run_id, dry_run)
    for number in range(1, 2 if dry_run else MAX_PASSES + 1):
        outcomes = [_rotate_model(p, number, run_id, dry_run=dry_run, batch_size=batch_size,
                                  pause=pause, progress=progress) for p in pmodels]
        result.passes.append(outcomes)
        if not any(o.rotated for o in outcomes):
            break  # a pass that found nothing to rewrite has checked every row
    return result


def _rotate_model(pmodel: ProtectedModel, pass_number: int, run_id: str, *, dry_run: bool,
                  batch_size: int, pause: float,
                  progress: Callable[[int, ModelOutcome], None] | None) -> ModelOutcome:
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


def _load(pmodel: ProtectedModel, after: Any, size: int, *, lock: bool) -> list[tuple]:
    rows = pmodel.model._base_manager.order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after)  # keyset paging: each row is seen once per pass
    if lock and connection.features.has_select_for_update:
        # PostgreSQL: an edit saved meanwhile waits for the batch instead of being
        # overwritten by it (SQLite's IMMEDIATE transaction already holds the write lock).
        rows = rows.select_for_update()
    return list(rows.values_list("pk", *pmodel.columns)[:size])


def _plan(pmodel: ProtectedModel, batch: list[tuple], outcome: ModelOutcome
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
    meta = pmodel.model._meta
    sql = (f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - names quoted, values bound
           + ", ".join(f"{quote(meta.get_field(c).column)} = %s" for c in columns)
           + f" WHERE {quote(meta.pk.column)} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[values[c] for c in columns] + [pk]
                                 for pk, values in changes.items()])


def _write_one_by_one(pmodel: ProtectedModel, changes: dict[Any, dict[str, str]],
                      outcome: ModelOutcome) -> None:
    """Write each row in its own savepoint, setting aside the rows whose index clashes."""
    for pk in list(changes):
        try:
            with transaction.atomic():
                _write(pmodel, {pk: changes[pk]})
        except IntegrityError:
            outcome.conflicts.append(pk)
            del changes[pk]


def _audit(pmodel: ProtectedModel, run_id: str, pass_number: int, batch: list[tuple],
           changes: dict[Any, dict[str, str]]) -> None:
    """One change-log row per batch that rewrote rows, written in the batch's transaction:
    counts and field names only, never a value, so the log agrees with the data after any
    interruption."""
    if not changes:
        return
    record_key_rotation(pmodel.model, run_id=run_id, summary={
        "operation": "rotate_data_key", "run": run_id, "pass": pass_number,
        "fields": [f.name for f in pmodel.fields], "rotated": len(changes),
        "first": str(batch[0][0]), "last": str(batch[-1][0]),
        "retired_keys": len(settings.DATA_KEYS_OLD),
    })
