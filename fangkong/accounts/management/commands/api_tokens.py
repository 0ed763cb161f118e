"""``manage.py api_tokens list|issue|revoke``: API tokens for operators.

* ``list [--user USERNAME] [--all]``: the tokens still working (``--all``: revoked and
  expired ones too), one a line: id, prefix, owner, created, expires, last used, state.
* ``issue USERNAME [--description TEXT] [--days N]``: a new token, printed once, alone on
  standard output (so a script can capture it); only its SHA-256 and prefix are stored.
* ``revoke ID_OR_PREFIX... | --user USERNAME``: stop tokens now (``--user``: all of that
  user's, e.g. someone who left).

Issuing and revoking go through ``accounts.services`` and are in the audit log, with the
command (not a user) as the actor.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from fangkong.accounts.models import ApiToken, User
from fangkong.accounts.services import do_issue_api_token, do_revoke_api_token


def _when(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "-"


def _state(token: ApiToken, now: Any) -> str:
    if token.revoked is not None:
        return "revoked"
    return "active" if token.expires > now else "expired"


class Command(BaseCommand):
    """List, issue and revoke API tokens."""

    help = "List, issue (shown once; only its hash is stored) and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Tokens still working (--all: every token).")
        listing.add_argument("--user", help="Only this user's tokens.")
        listing.add_argument("--all", action="store_true", help="Revoked and expired too.")
        issue = sub.add_parser("issue", help="Print a new token for USERNAME.")
        add_issue_arguments(issue)
        revoke = sub.add_parser("revoke", help="Stop tokens now.")
        revoke.add_argument("tokens", nargs="*", metavar="ID_OR_PREFIX")
        revoke.add_argument("--user", help="Every token of this user.")

    def handle(self, *args: Any, **options: Any) -> None:
        actions = {"list": self.list_tokens, "issue": self.issue, "revoke": self.revoke}
        actions[options["action"]](options)

    def list_tokens(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created")
        if options["user"]:
            tokens = tokens.filter(user=_user(options["user"], active=False))
        if not options["all"]:
            tokens = tokens.usable(now)
        self.stdout.write(
            "\t".join(
                ("id", "prefix", "owner", "created", "expires", "last used", "state", "description")
            )
        )
        for token in tokens:
            self.stdout.write(
                "\t".join(
                    (
                        str(token.pk),
                        token.prefix,
                        token.user.get_username(),
                        _when(token.created),
                        _when(token.expires),
                        _when(token.last_used),
                        _state(token, now),
                        token.description,
                    )
                )
            )

    def issue(self, options: dict[str, Any]) -> None:
        issue_token(self, options)

    def revoke(self, options: dict[str, Any]) -> None:
        wanted = options["tokens"]
        if bool(wanted) == bool(options["user"]):
            raise CommandError("Name the tokens (id or prefix) or --user, not both.")
        if options["user"]:
            tokens = list(
                ApiToken.objects.filter(
                    user=_user(options["user"], active=False), revoked__isnull=True
                )
            )
        else:
            tokens = [_token(ref) for ref in wanted]
        for token in tokens:
            do_revoke_api_token(token.pk, by=None)
            self.stdout.write(f"Revoked {token.prefix}… of {token.user.get_username()}.")
        if not tokens:
            self.stdout.write("No token to revoke.")


def add_issue_arguments(parser: CommandParser) -> None:
    parser.add_argument("username")
    parser.add_argument("--description", default="", help="What the token is for.")
    parser.add_argument(
        "--days",
        type=int,
        default=None,
        help="Expire the token after this many days (default: FANGKONG_API_TOKEN_DAYS).",
    )


def issue_token(command: BaseCommand, options: dict[str, Any]) -> None:
    """Shared with the older ``issue_api_token`` command."""
    user = _user(options["username"], active=True)
    try:
        token, key = do_issue_api_token(
            user, by=None, description=options["description"], days=options["days"]
        )
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
    command.stdout.write(key)
    # On stderr, so that standard output is the token alone.
    command.stderr.write(
        f"Token {token.prefix}… for {user.get_username()} (expires "
        f"{_when(token.expires)}). It is shown only now; send it as "
        f"'Authorization: Bearer TOKEN'."
    )


def _user(username: str, *, active: bool) -> User:
    try:
        user: User = User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
    if active and not user.is_active:
        raise CommandError(f"User {username!r} is disabled.")
    return user


def _token(ref: str) -> ApiToken:
    """A token by its id or its prefix (a prefix shared by two tokens is refused)."""
    query = Q(prefix=ref)
    if ref.isascii() and ref.isdigit() and len(ref) < 19:  # within a 64-bit id
        query |= Q(pk=int(ref))
    matches: list[ApiToken] = list(ApiToken.objects.select_related("user").filter(query)[:2])
    if not matches:
        raise CommandError(f"No token with id or prefix {ref!r}.")
    if len(matches) > 1:
        raise CommandError(f"{ref!r} names more than one token: use its id.")
    return matches[0]
