"""Sending a one-time sign-in code by SMS, through a backend named in the settings.

``FANGKONG_SMS_BACKEND`` (setting ``SMS_BACKEND``) is a dotted path to a class with one
method, ``send(phone: str, text: str) -> None``, which raises ``SmsError`` when the message
could not be handed to the provider. The default, ``ConsoleBackend``, prints the message on
the server's console (the demo); tests use ``MemoryBackend``. A real provider's backend is a
few lines wrapping its HTTP API (docs/selfservice.md).
"""

from __future__ import annotations

import sys
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The message could not be handed to the provider."""


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleBackend:
    """Prints the message (the demo: the code appears in the server's output)."""

    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {phone[:3]}****{phone[-4:]}] {text}\n")
        sys.stdout.flush()


class MemoryBackend:
    """Keeps messages in ``outbox`` (tests)."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "fangkong.selfservice.sms.ConsoleBackend")
    backend_class = import_string(path)
    instance: SmsBackend = backend_class()
    return instance


def send(phone: str, text: str) -> None:
    backend().send(phone, text)
