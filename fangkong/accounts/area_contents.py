"""Active accounts placed on an area (``core.area_contents``). They are never moved with a
closed grid: giving someone another area is a change of their rights, made on the accounts
pages; a grid worker simply follows their grid when it moves to another community."""

from __future__ import annotations

from django.utils.translation import ngettext

from fangkong.accounts.models import User
from fangkong.core.area_contents import Content, Span, register


def _accounts(span: Span) -> int:
    count: int = User.objects.filter(is_active=True, area_id__in=span.area_ids).count()
    return count


register(
    Content(
        key="accounts",
        label=lambda n: (
            ngettext("%(count)s active account", "%(count)s active accounts", n) % {"count": n}
        ),
        count=_accounts,
        blocks_grid_move=False,
        order=50,
    )
)
