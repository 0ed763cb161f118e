"""Demo logins: one user per role, one grid worker per grid of 在水一方社区, and two staff of
the district bureau lent to 在水一方社区 as screening helpers.

All share the documented demo password (settings.DEMO_PASSWORD, env FANGKONG_DEMO_PASSWORD).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import make_password

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.services import do_add_assignment
from fangkong.core.demo import DemoContext, DemoError, DemoLogin, fake_name

ORDER = 20

#: (username, role, key of the area in DemoContext.areas); grid workers are added per grid.
USERS = (
    # The street's administrator: areas and accounts, no resident's data.
    ("demo-admin", Role.ADMINISTRATOR, "street"),
    ("demo-district", Role.DISTRICT_OFFICIAL, "district"),
    ("demo-street", Role.STREET_OFFICIAL, "street"),
    ("demo-community", Role.COMMUNITY_OFFICER, "community"),
    ("demo-community2", Role.COMMUNITY_OFFICER, "community2"),
    ("demo-health", Role.HEALTH_OFFICER, "community"),
    ("demo-gate", Role.CHECKPOINT_STAFF, "community"),
)
GRID_WORKER_PREFIX = "demo-grid"
MAX_GRID_WORKERS = 20
#: Staff of the district bureau (accounts of the district), lent to 在水一方社区 as screening
#: helpers: grid workers of its first and second grid (who make the calls) until an end date.
LENT_STAFF = ("demo-bureau1", "demo-bureau2")
#: How long the lending lasts around the day the demo is built, in days.
LENT_FROM, LENT_UNTIL = -7, 30


def demo_usernames() -> list[str]:
    return (
        [u for u, _, _ in USERS]
        + [f"{GRID_WORKER_PREFIX}{n}" for n in range(1, MAX_GRID_WORKERS + 1)]
        + list(LENT_STAFF)
    )


def _login(user: User) -> DemoLogin:
    return DemoLogin(
        user.username,
        user.role,
        user.get_role_display(),
        user.area.name if user.area is not None else "",
        user.full_name,
    )


def seed(ctx: DemoContext) -> None:
    rng = ctx.random("accounts")
    plan = [(username, role, ctx.areas[key]) for username, role, key in USERS]
    plan += [
        (f"{GRID_WORKER_PREFIX}{n}", Role.GRID_WORKER, grid)
        for n, grid in enumerate(ctx.grids["community"], start=1)
    ]
    # One hash for all: argon2 costs ~0.1 s a hash by design, and every login shares the
    # documented password anyway.
    hashed = make_password(ctx.password)
    for username, role, area in plan:
        sex = rng.choice("MF")
        user = User.objects.create_user(
            username,
            password=None,
            role=role,
            area=area,
            full_name=fake_name(rng, sex, rng.randint(1970, 1998)),
        )
        user.password = hashed
        user.save(update_fields=["password"])
        ctx.users[username] = user
        ctx.logins.append(_login(user))
    ctx.count("users", len(plan))
    _lend_bureau_staff(ctx, rng, hashed)


def _lend_bureau_staff(ctx: DemoContext, rng: Any, hashed: str) -> None:
    """The lent staff and their assignments. Their dates are counted from the community's
    real today, not the demo's reference date: a lending that had ended before anyone opened
    the demo would show nothing. The first also holds an ended lending to the street's
    second community (an expired assignment: listed, no longer working)."""
    community = ctx.areas["community"]
    grids = ctx.grids["community"]
    today = community.local_today()
    for n, username in enumerate(LENT_STAFF):
        user = User.objects.create_user(
            username,
            password=None,
            role=Role.DISTRICT_OFFICIAL,
            area=ctx.areas["district"],
            full_name=fake_name(rng, rng.choice("MF"), rng.randint(1975, 1995)),
        )
        user.password = hashed
        user.save(update_fields=["password"])
        do_add_assignment(
            user,
            by=None,
            role=Role.GRID_WORKER,
            area=grids[n % len(grids)] if grids else community,
            starts_on=today + dt.timedelta(days=LENT_FROM),
            ends_on=today + dt.timedelta(days=LENT_UNTIL),
            note="区局借调：电话排查助手",
        )
        ctx.users[username] = user
        ctx.logins.append(_login(user))
    if "community2" in ctx.areas:
        do_add_assignment(
            ctx.users[LENT_STAFF[0]],
            by=None,
            role=Role.GRID_WORKER,
            area=ctx.areas["community2"],
            starts_on=today - dt.timedelta(days=40),
            ends_on=today - dt.timedelta(days=10),
            note="区局借调（已结束）",
        )
    ctx.count("lent staff", len(LENT_STAFF))


def find(ctx: DemoContext) -> bool:
    users = list(User.objects.filter(username__in=demo_usernames()).select_related("area"))
    order = {name: i for i, name in enumerate(demo_usernames())}
    for user in sorted(users, key=lambda u: order[u.username]):
        ctx.users[user.username] = user
        ctx.logins.append(_login(user))
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    names = demo_usernames()
    roots = [ctx.areas[k] for k in ("street", "community", "community2") if k in ctx.areas]
    for root in roots:
        # Someone's real account in a demo area means this is not a throwaway demo: stop
        # rather than delete it (it would block deleting the area anyway).
        strangers = (
            User.objects.filter(area__in=root.descendants(include_self=True))
            .exclude(username__in=names)
            .values_list("username", flat=True)
        )
        if strangers:
            raise DemoError(
                f"Users outside the demo are assigned to demo areas: {', '.join(strangers[:5])}. "
                "Move or delete them before rebuilding the demo."
            )
    User.objects.filter(username__in=names).delete()
    ctx.users.clear()
    ctx.logins.clear()
