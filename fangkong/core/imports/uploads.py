"""Uploads kept between an import's preview and the import itself, and its progress.

Files go through Django's storage API, the ``uploads`` alias of ``STORAGES`` (by default a
``FileSystemStorage`` under ``var/media/imports``): the web process that received the file
and the worker that imports it may run on different machines when the alias names a
shared store. An upload is named by a random token kept in the job's parameters, never by a
path from outside.

The running import's progress is kept in the store too (``<token>.progress``): rows are
written inside the import's transaction, where the job row's own progress cannot be seen
until it commits (SQLite has one writer; PostgreSQL shows other sessions the row as it was).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from typing import IO

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages

#: The ``STORAGES`` alias uploads are kept in.
STORAGE_ALIAS = "uploads"
UPLOAD_SUFFIXES = (".xlsx", ".csv", ".txt")
#: Uploads never confirmed or cancelled are deleted after this long (``purge_stale_uploads``).
UPLOAD_LIFETIME = dt.timedelta(hours=24)
_TOKEN_RE = re.compile(r"[0-9a-f]{32}")
_PROGRESS = ".progress"


def upload_storage() -> Storage:
    return storages[STORAGE_ALIAS]


class _Chunks(File):  # type: ignore[type-arg]
    """Chunks of bytes (an upload's, or a test's) as the File the storage API expects."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__(None)
        self._chunks = chunks

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield from self._chunks

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True


def _name(token: str) -> str:
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        raise ValueError("not an upload token")  # never a name from outside
    return token


def store_upload(content: File | Iterable[bytes]) -> str:  # type: ignore[type-arg]
    """Keep an uploaded file (a ``File``, such as Django's upload, or chunks of bytes);
    returns its token."""
    token = uuid.uuid4().hex
    storage = upload_storage()
    file = content if isinstance(content, File) else _Chunks(content)
    try:
        saved = storage.save(token, file)
    except BaseException:
        with contextlib.suppress(Exception):
            storage.delete(token)  # a full disk: no half file left behind
        raise
    if saved != token:  # a store that renames what it is given would lose the upload
        storage.delete(saved)
        raise RuntimeError(f"the uploads store renamed {token} to {saved}")
    return token


def upload_exists(token: str) -> bool:
    try:
        return upload_storage().exists(_name(token))
    except ValueError:
        return False


@contextlib.contextmanager
def reading_upload(token: str) -> Iterator[IO[bytes]]:
    """The upload, open for reading (seekable, as spreadsheets need); ``FileNotFoundError``
    when it is gone or the token is not one."""
    try:
        name = _name(token)
    except ValueError:
        raise FileNotFoundError(token) from None
    file = upload_storage().open(name, "rb")
    try:
        yield file
    finally:
        file.close()


def delete_upload(token: str) -> None:
    with contextlib.suppress(ValueError):
        upload_storage().delete(_name(token))


def write_progress(token: str, done: int, total: int) -> None:
    """Progress of a running import, for its page (read with ``read_progress``)."""
    storage, name = upload_storage(), _name(token) + _PROGRESS
    # Replaced whole: a store may not overwrite, and a reader that finds no file between
    # the two calls shows the job's own progress for a moment.
    storage.delete(name)
    storage.save(name, ContentFile(json.dumps({"done": done, "total": total}).encode()))


def read_progress(token: str) -> tuple[int, int] | None:
    try:
        with upload_storage().open(_name(token) + _PROGRESS, "rb") as file:
            data = json.loads(file.read())
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def delete_progress(token: str) -> None:
    with contextlib.suppress(ValueError, OSError):
        upload_storage().delete(_name(token) + _PROGRESS)


def purge_stale_uploads(now: dt.datetime) -> int:
    """Delete uploads (and progress) older than ``UPLOAD_LIFETIME``; returns how many."""
    storage = upload_storage()
    try:
        _dirs, files = storage.listdir("")
    except FileNotFoundError:
        return 0  # nothing was ever uploaded
    cutoff = now - UPLOAD_LIFETIME
    purged = 0
    for name in files:
        with contextlib.suppress(FileNotFoundError):
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                purged += 1
    return purged
