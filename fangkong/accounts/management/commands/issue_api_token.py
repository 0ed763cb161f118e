"""``manage.py issue_api_token USERNAME [--description ...] [--days N]``: a new API token.

The token is printed once, alone on standard output (so a script can capture it); only its
SHA-256 and its first characters (to tell tokens apart in a list) are stored.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fangkong.accounts.models import ApiToken, User
from fangkong.core.api import hash_token

#: Characters of the token kept in clear, to recognise a token in a list (not to find it).
PREFIX_LENGTH = 8


class Command(BaseCommand):
    """Issue a bearer token for the API to an existing, active user."""

    help = "Print a new API token for USERNAME (shown once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--description", default="", help="What the token is for.")
        parser.add_argument(
            "--days", type=int, default=None,
            help="Expire the token after this many days (default: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No user named {options['username']!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is disabled.")
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")

        key = secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user,
            key_hash=hash_token(key),
            prefix=key[:PREFIX_LENGTH],
            description=options["description"][:200],
            expires=timezone.now() + dt.timedelta(days=days) if days else None,
        )
        self.stdout.write(key)
        expiry = f"expires {token.expires:%Y-%m-%d %H:%M} UTC" if token.expires else "no expiry"
        # On stderr, so that standard output is the token alone.
        self.stderr.write(
            f"Token {token.prefix}… for {user.username} ({expiry}). It is shown only now; "
            f"send it as 'Authorization: Bearer TOKEN'."
        )
