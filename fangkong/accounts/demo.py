"""Demo logins: one user per role, and one grid worker per grid of 在水一方社区.

All share the documented demo password (settings.DEMO_PASSWORD, env FANGKONG_DEMO_PASSWORD).
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
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


def demo_usernames() -> list[str]:
    return [u for u, _, _ in USERS] + [
        f"{GRID_WORKER_PREFIX}{n}" for n in range(1, MAX_GRID_WORKERS + 1)
    ]


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
