"""Encrypted backups of the whole database (``manage.py backup``) and restoring them
(``manage.py restore``).

A backup is what the database engine itself copies — SQLite through its online backup API
(a consistent copy while the office keeps working), PostgreSQL through ``pg_dump -Fc`` —
sealed into one file that is useless without the data key: the names, rooms and health
records in it are as sensitive as the ID numbers, which are encrypted a second time.

The file (format 1)::

    MAGIC (16 bytes) | header length (4 bytes) | header (JSON) | block | block | …
    block = length (4 bytes) | AES-256-GCM ciphertext of up to CHUNK_SIZE bytes, with its tag

* The key is derived (HKDF-SHA256) from the data key with this module's own label and a
  random salt kept in the header, so each file has its own key and the data key itself
  never touches the file. The header also keeps a *key check* (an HMAC under the file's
  key) so that restoring with the wrong key says so plainly instead of "damaged".
* Blocks are sealed one by one (a big database is never held in memory). Each block's nonce
  is its number and whether it is the last, and every block authenticates the header: a
  changed byte, a changed header, blocks swapped, dropped or cut off all fail the check.
* A backup made before a key rotation is opened with the retired key, if it is still
  listed in ``FANGKONG_DATA_KEYS_OLD`` (restoring then needs ``rotate_data_key``).

Restoring decrypts and checks the whole file into a temporary file first: the database is
touched only once every block has passed, so a tampered backup changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

MAGIC = b"FANGKONG-BACKUP\x01"
FORMAT = 1
CHUNK_SIZE = 1 << 20  # 1 MiB of the database per block
SUFFIX = ".fkbackup"
_KEY_LABEL = b"fangkong backup v1"
_LENGTH = struct.Struct(">I")
_MAX_HEADER = 64 * 1024
_TAG = 16


class BackupError(Exception):
    """A backup or restore that cannot go on; ``code`` says why, the message how to fix it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- The sealed file --------------------------------------------------------------------------


def _file_key(data_key: str, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_KEY_LABEL).derive(
        data_key.encode()
    )


def _key_check(key: bytes) -> str:
    return hmac.new(key, b"fangkong backup key check", hashlib.sha256).hexdigest()[:32]


def _nonce(number: int, last: bool) -> bytes:
    return number.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


@dataclass(frozen=True)
class Header:
    """What a backup says about itself, in the clear (and authenticated by every block)."""

    vendor: str
    created: str
    salt: str
    key_check: str
    chunk_size: int = CHUNK_SIZE
    format: int = FORMAT

    def encode(self) -> bytes:
        return json.dumps(self.__dict__, sort_keys=True).encode()


def seal(
    blocks: Iterable[bytes], out: IO[bytes], *, vendor: str, chunk_size: int = CHUNK_SIZE
) -> int:
    """Write ``blocks`` (the database's bytes, in any pieces) to ``out`` as a sealed backup
    under the current data key. Returns the number of plaintext bytes."""
    salt = secrets.token_bytes(16)
    key = _file_key(settings.DATA_KEY, salt)
    header = Header(
        vendor=vendor,
        created=timezone.localtime().isoformat(timespec="seconds"),
        salt=salt.hex(),
        key_check=_key_check(key),
        chunk_size=chunk_size,
    ).encode()
    out.write(MAGIC + _LENGTH.pack(len(header)) + header)
    aad = hashlib.sha256(MAGIC + header).digest()
    aes = AESGCM(key)
    number = total = 0
    buffer = bytearray()

    def emit(piece: bytes, last: bool) -> None:
        nonlocal number
        sealed = aes.encrypt(_nonce(number, last), piece, aad)
        out.write(_LENGTH.pack(len(sealed)) + sealed)
        number += 1

    for block in blocks:
        buffer += block
        total += len(block)
        while len(buffer) > chunk_size:  # keep a piece back: the last block is marked
            emit(bytes(buffer[:chunk_size]), last=False)
            del buffer[:chunk_size]
    emit(bytes(buffer), last=True)
    return total


def read_header(source: IO[bytes]) -> tuple[Header, bytes]:
    """The header of a backup file, and its raw bytes (what the blocks authenticate)."""
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("not_a_backup", "not a fangkong backup")
    (length,) = _LENGTH.unpack(_read_exactly(source, _LENGTH.size))
    if length > _MAX_HEADER:
        raise BackupError("damaged", _("its header"))
    raw = _read_exactly(source, length)
    try:
        fields = json.loads(raw)
        header = Header(**fields)
    except (ValueError, TypeError):
        raise BackupError("damaged", _("its header")) from None
    if header.format != FORMAT:
        raise BackupError("format", str(header.format))
    return header, raw


def _read_exactly(source: IO[bytes], size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise BackupError("truncated", _("it ends too early"))
    return data


def key_for(header: Header) -> tuple[bytes, bool]:
    """The file's key from the current data key or a retired one; whether it was retired."""
    salt = bytes.fromhex(header.salt)
    for position, data_key in enumerate(
        dict.fromkeys([settings.DATA_KEY, *settings.DATA_KEYS_OLD])
    ):
        key = _file_key(data_key, salt)
        if hmac.compare_digest(_key_check(key), header.key_check):
            return key, position > 0
    raise BackupError("wrong_key", "made under another data key")


def unseal(source: IO[bytes]) -> Iterator[bytes]:
    """The plaintext of a sealed backup, block by block, each checked before it is given.

    Raises ``BackupError`` on a wrong key, a changed byte anywhere, blocks out of order,
    missing or cut off, or anything after the last block."""
    header, raw = read_header(source)
    key, _retired = key_for(header)
    aes = AESGCM(key)
    aad = hashlib.sha256(MAGIC + raw).digest()
    number = 0
    while True:
        size_bytes = source.read(_LENGTH.size)
        if len(size_bytes) < _LENGTH.size:
            raise BackupError("truncated", _("its last block is missing"))
        (size,) = _LENGTH.unpack(size_bytes)
        if size < _TAG or size > header.chunk_size + _TAG:
            raise BackupError("damaged", _("block %(number)s") % {"number": number + 1})
        sealed = _read_exactly(source, size)
        for last in (False, True):
            try:
                plaintext = aes.decrypt(_nonce(number, last), sealed, aad)
                break
            except InvalidTag:
                continue
        else:
            raise BackupError("damaged", _("block %(number)s") % {"number": number + 1})
        number += 1
        yield plaintext
        if last:
            if source.read(1):
                raise BackupError("damaged", _("data after its last block"))
            return


# --- Making a backup --------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    size: int  # bytes of the database (before sealing)


def default_directory() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def backup_path(directory: Path, vendor: str) -> Path:
    """A dated file name in ``directory`` that no earlier backup has taken."""
    stem = f"fangkong-{vendor}-{timezone.localtime():%Y%m%d-%H%M%S}"
    path = directory / f"{stem}{SUFFIX}"
    number = 1
    while path.exists():  # two backups within one second
        path = directory / f"{stem}-{number}{SUFFIX}"
        number += 1
    return path


def make_backup(output: Path) -> BackupResult:
    """Back the configured database up into ``output`` (a file, written whole or not at all).

    The sealed file is written beside its final name and renamed once complete, so a
    backup interrupted midway never looks like a good one."""
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError("vendor", vendor)
    if connection.in_atomic_block:
        # SQLite's backup API would wait forever on the transaction's own lock; and a
        # backup is of what is committed.
        raise BackupError("in_transaction", "backup inside a transaction")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    try:
        with _private_file(partial) as out:
            if vendor == "sqlite":
                with _sqlite_copy(output.parent) as copy, copy.open("rb") as data:
                    size = seal(iter(lambda: data.read(CHUNK_SIZE), b""), out, vendor=vendor)
            else:
                size = _seal_pg_dump(out)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(output, vendor, size)


@contextlib.contextmanager
def _private_file(path: Path) -> Iterator[IO[bytes]]:
    """A new file only its owner can read (the backup of a registry of residents)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        yield out


@contextlib.contextmanager
def _sqlite_copy(near: Path) -> Iterator[Path]:
    """A consistent copy of the SQLite database, made with the online backup API (writers
    wait only for each step; readers not at all), in a private directory removed after."""
    with tempfile.TemporaryDirectory(dir=near, prefix=".fangkong-backup-") as directory:
        path = Path(directory) / "copy.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            # Through Django's own connection: the database it is configured with, file
            # or (in tests) memory. In one step: under WAL it reads a snapshot while the
            # gates keep writing (copied in steps, each write would restart the copy).
            connection.connection.backup(target)
        finally:
            target.close()
        yield path


def pg_environment() -> dict[str, str]:
    """The environment that points pg_dump and pg_restore at the configured database
    (the password in PGPASSWORD, never on a command line other users can read)."""
    db = connection.settings_dict
    options = db.get("OPTIONS") or {}
    wanted = {
        "PGDATABASE": db["NAME"],
        "PGHOST": db["HOST"],
        "PGPORT": db["PORT"],
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"],
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    # Unset ones are left to libpq's defaults (a Unix socket when there is no host).
    return {
        **os.environ,
        "PGAPPNAME": "fangkong-backup",
        **{name: str(value) for name, value in wanted.items() if value},
    }


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError("no_tool", name)
    return path


def _seal_pg_dump(out: IO[bytes]) -> int:
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - a fixed program, arguments not from input
            [_pg_tool("pg_dump"), "--format=custom", "--no-password"],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=pg_environment(),
        )
        stdout = process.stdout
        assert stdout is not None
        try:
            size = seal(iter(lambda: stdout.read(CHUNK_SIZE), b""), out, vendor="postgresql")
        finally:
            stdout.close()
            returncode = process.wait()
        if returncode != 0:
            errors.seek(0)
            raise BackupError("tool_failed", errors.read().decode(errors="replace").strip())
    return size


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups of ``directory``; the ones deleted."""
    backups = sorted(
        directory.glob(f"fangkong-*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in backups[keep:]:
        old.unlink()
    return backups[keep:]


# --- Restoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inspection:
    """What restoring a file would do: the header, and whether a retired key opens it."""

    header: Header
    retired_key: bool


def inspect(path: Path) -> Inspection:
    with path.open("rb") as source:
        header, _raw = read_header(source)
    _key, retired = key_for(header)
    return Inspection(header, retired)


def database_label() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db['NAME']}@{db['HOST'] or 'localhost'}"


def restore_backup(path: Path) -> Inspection:
    """Replace the configured database with the backup in ``path``.

    Every block is decrypted and checked into a private temporary file first; only then is
    the database touched: SQLite through the backup API into the open database (one write
    transaction: other connections see the old database or the new, never half of one),
    PostgreSQL with ``pg_restore --clean --if-exists --single-transaction``."""
    if connection.in_atomic_block:
        raise BackupError("in_transaction", "restore inside a transaction")
    found = inspect(path)
    if found.header.vendor != connection.vendor:
        raise BackupError("vendor_mismatch", found.header.vendor)
    # The plaintext copy stays on the database's own disk (and in a private directory).
    db = connections[connection.alias]  # the wrapper itself (``connection`` is a proxy)
    near = (
        Path(db.settings_dict["NAME"]).parent
        if isinstance(db, SQLiteDatabaseWrapper) and not db.is_in_memory_db()
        else None
    )
    if near is not None:
        near.mkdir(parents=True, exist_ok=True)  # the database may be gone with its folder
    with tempfile.TemporaryDirectory(dir=near, prefix=".fangkong-restore-") as directory:
        plain = Path(directory) / "restore"
        with path.open("rb") as source, _private_file(plain) as out:
            for block in unseal(source):
                out.write(block)
        if connection.vendor == "sqlite":
            _restore_sqlite(plain)
        else:
            _restore_pg(plain)
    return found


def _restore_sqlite(plain: Path) -> None:
    source = sqlite3.connect(plain)
    try:
        if source.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError("damaged", _("the database in it"))
        connection.ensure_connection()
        source.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError("damaged", str(exc)) from None
    finally:
        source.close()
    connection.close()  # nothing cached from the database that was there before


def _restore_pg(plain: Path) -> None:
    connection.close()  # our own connection must hold no lock on the tables to be dropped
    result = subprocess.run(  # noqa: S603 - a fixed program, arguments not from input
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            "--dbname",
            connection.settings_dict["NAME"],
            str(plain),
        ],
        capture_output=True,
        env=pg_environment(),
        check=False,
    )
    if result.returncode != 0:
        raise BackupError("tool_failed", result.stderr.decode(errors="replace").strip())


def summary() -> dict[str, Any]:
    """Row counts of every table of the configured database (what a restore drill compares)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def explain(error: BackupError, file: Path | str = "") -> str:
    """What an operator is told about ``error``: what happened, and what to do."""
    values = {"file": str(file), "detail": str(error), "vendor": connection.vendor}
    messages = {
        "not_a_backup": _("%(file)s is not a fangkong backup file."),
        "wrong_key": _(
            "%(file)s was made under another data key. Set FANGKONG_DATA_KEY to "
            "the key in use when it was made, or list that key in "
            "FANGKONG_DATA_KEYS_OLD. Nothing was restored."
        ),
        "damaged": _("%(file)s is damaged or has been altered (%(detail)s). Nothing was restored."),
        "truncated": _(
            "%(file)s is incomplete (%(detail)s): it was cut off, or is still "
            "being copied. Nothing was restored."
        ),
        "format": _(
            "%(file)s was written by another version of fangkong (backup format %(detail)s)."
        ),
        "vendor_mismatch": _(
            "%(file)s is a backup of a %(detail)s database, but this "
            "installation uses %(vendor)s. Nothing was restored."
        ),
        "no_tool": _(
            "%(detail)s was not found: install PostgreSQL's client tools of the "
            "server's version (Debian: postgresql-client)."
        ),
        "tool_failed": _("PostgreSQL's tool failed: %(detail)s"),
        "vendor": _("Backups support SQLite and PostgreSQL, not %(detail)s."),
        "in_transaction": _("Backups and restores cannot run inside a transaction."),
    }
    return messages.get(error.code, "%(detail)s") % values
