"""``manage.py issue_api_token USERNAME [--description ...] [--days N]``: a new API token.

The older name of ``manage.py api_tokens issue`` (kept for operators' scripts): the token is
printed once, alone on standard output, and expires after ``FANGKONG_API_TOKEN_DAYS`` unless
``--days`` says otherwise.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fangkong.accounts.management.commands.api_tokens import add_issue_arguments, issue_token


class Command(BaseCommand):
    """Issue a bearer token for the API to an existing, active user."""

    help = "Print a new API token for USERNAME (shown once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_issue_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        issue_token(self, options)
