"""Hash chains over the audit logs: the change log and the access log are tamper-evident.

Each community's rows of both logs form one chain; rows with no community form the global
chain (``community_id`` 0 in ``AuditChain``). A row carries its place (``chain_seq``: 1, 2,
3...), the link of the row before it (``chain_prev``) and its own ``chain_hash``: a keyed
hash (HMAC-SHA256) over its canonical content, its log, its place and ``chain_prev``. The
key is derived from ``FANGKONG_DATA_KEY``, which is held outside the database: someone who
can only write to the database can edit, delete or insert rows, but cannot compute the
hashes that would hide it. Retired data keys (``FANGKONG_DATA_KEYS_OLD``) still verify the
rows sealed under them, until ``rotate_data_key`` has sealed them again (below).

What ``verify()`` finds, and how:

* an edited row: its content no longer gives its hash;
* a deleted row: its place is missing (the next row's place jumps, or the chain ends below
  its head's ``seq``), and the next row's ``chain_prev`` does not follow;
* an inserted row: its hash is not one the key gives, and its place is taken already or
  lies beyond the head;
* a rewritten head (``AuditChain``): its own seal; a removed community chain: the global
  head counts the chains ever started.

Rows the system changes or deletes on purpose stay verifiable:

* retention scrubbing a row's snapshots (and a purge updating its running counts) *reseals*
  it: ``chain_original`` keeps the hash it had — the link the next row points to — and
  ``chain_hash`` becomes a seal over the new content together with that original hash, so
  the rewritten row is still covered and the chain still links. A row so marked shows that
  it was rewritten; its content can no longer be compared with what it first said.
* retention (or a demo reset) deleting rows records each run of consecutive deleted places
  in the head's ``pruned`` list (first, last, the link before, the link of the last); the
  verifier steps over a gap only when such a record bridges it exactly.

A key rotation (``manage.py rotate_data_key``, ``core.key_rotation``) seals every row and
head again under the current key without changing a single link: a row's hash becomes its
``chain_original`` (so the next row's ``chain_prev`` still points at it) and ``chain_hash``
a seal under the new key over the same content, that original hash and the mark
``chain_reseal = "rekey"`` (content as first written, unlike a retention rewrite). Rows are
independent of each other, so the work goes in any order and in batches, each under its
chain's head lock: a chain half done verifies while the old key is listed, a row already
under the current key is skipped, and once every row and head is, the chain verifies
under the current key alone and the old key may go. A chain found broken first is refused,
or, on the operator's word (``--reseal-broken-audit``), *mended* (``mend()``): edited rows
sealed again as found (``chain_reseal = "mend"``), deleted places recorded as pruned,
inserted rows moved to the chain's end, the head made to match; what was found is recorded
in the change log.

Writers take the chain's head row with ``SELECT ... FOR UPDATE`` (on SQLite the IMMEDIATE
transaction already holds the one write lock) and keep it until their transaction ends, so
two transactions never fork a chain; a unique constraint on (community, place) in each log
backs it. Every path writing audit rows goes through ``seal()``: ``save()`` and
``bulk_create()`` of the two models, and the raw bulk writers (imports, the demo) call it
themselves. ``chain_seq`` is NOT NULL, so a writer that forgets fails loudly.
"""

# The chain's parts live in this package's modules; importers name the package alone.
from fangkong.core.audit_chain.mend import (
    Mending,
    mend,
)
from fangkong.core.audit_chain.rekey import (
    RekeyBatch,
    chain_size,
    rekey_head,
    rekey_rows,
)
from fangkong.core.audit_chain.sealing import (
    ACCESS,
    CHAIN_FIELDS,
    CHANGE,
    FIELDS,
    FORMAT,
    GLOBAL,
    MEND,
    MODELS,
    REKEY,
    RESEAL_FIELDS,
    _as_row,
    _derived,
    _hash,
    _head_message,
    _keys,
    _message,
    _values,
    delete_rows,
    link_of,
    record_removal,
    reseal,
    seal,
    seal_objects,
)
from fangkong.core.audit_chain.verify import (
    Problem,
    Report,
    _Walk,
    lock_heads,
    verify,
)

# The package's names, for its importers (mypy: explicit re-exports).
__all__ = [
    "ACCESS",
    "CHAIN_FIELDS",
    "CHANGE",
    "FIELDS",
    "FORMAT",
    "GLOBAL",
    "MEND",
    "MODELS",
    "REKEY",
    "RESEAL_FIELDS",
    "Mending",
    "Problem",
    "RekeyBatch",
    "Report",
    "_Walk",
    "_as_row",
    "_derived",
    "_hash",
    "_head_message",
    "_keys",
    "_message",
    "_values",
    "chain_size",
    "delete_rows",
    "link_of",
    "lock_heads",
    "mend",
    "record_removal",
    "rekey_head",
    "rekey_rows",
    "reseal",
    "seal",
    "seal_objects",
    "verify",
]
