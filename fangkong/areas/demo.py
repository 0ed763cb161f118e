"""Demo jurisdiction tree: 沈阳市 > 浑南区 > 五三街道 > 在水一方社区 (six grids) and 阳光社区.

The city and district are looked up by code and reused when an installation already has them
(a real Shenyang installation trying the demo); the street and everything below it belong to
the demo and are what ``--reset`` deletes. The city and district go too when the demo made
them and nothing else hangs below them.
"""

from __future__ import annotations

from django.db.models import Q

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.areas.services import do_create_area
from fangkong.core.audit_chain import delete_rows
from fangkong.core.demo import DemoContext
from fangkong.core.models import AccessEvent, Job, ObjectChange

ORDER = 10

CITY = ("沈阳市", "2101")
DISTRICT = ("浑南区", "210112")
# Street and community codes are the demo's own, not official statistical codes.
STREET = ("五三街道", "210112D53")
COMMUNITY = ("在水一方社区", "210112D53001")
COMMUNITY2 = ("阳光社区", "210112D53002")
GRID_NAMES = ("第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格")
COMMUNITY2_GRIDS = ("第一网格", "第二网格")


def _grid_code(community_code: str, number: int) -> str:
    return f"{community_code}-G{number:02d}"


def _get_or_create(level: str, name: str, code: str, parent: Area | None) -> Area:
    existing: Area | None = Area.objects.filter(code=code).first()
    if existing is not None:
        if existing.level != level:
            raise ValueError(f"area code {code} is already used by a {existing.level}")
        return existing
    return do_create_area(level=level, name=name, code=code, parent=parent, by=None)


def seed(ctx: DemoContext) -> None:
    city = _get_or_create(AreaLevel.CITY, *CITY, parent=None)
    district = _get_or_create(AreaLevel.DISTRICT, *DISTRICT, parent=city)
    street = do_create_area(
        level=AreaLevel.STREET, name=STREET[0], code=STREET[1], parent=district, by=None
    )
    ctx.areas.update(city=city, district=district, street=street)
    for key, (name, code), grid_names in (
        ("community", COMMUNITY, GRID_NAMES),
        ("community2", COMMUNITY2, COMMUNITY2_GRIDS),
    ):
        community = do_create_area(
            level=AreaLevel.COMMUNITY, name=name, code=code, parent=street, by=None
        )
        ctx.areas[key] = community
        ctx.grids[key] = [
            do_create_area(
                level=AreaLevel.GRID,
                name=grid_name,
                code=_grid_code(code, number),
                parent=community,
                by=None,
            )
            for number, grid_name in enumerate(grid_names, start=1)
        ]
    ctx.count("areas", Area.objects.filter(path__startswith=street.path).count())


def find(ctx: DemoContext) -> bool:
    by_code = {
        a.code: a
        for a in Area.objects.filter(
            code__in=[CITY[1], DISTRICT[1], STREET[1], COMMUNITY[1], COMMUNITY2[1]]
        )
    }
    for key, (_, code) in (
        ("city", CITY),
        ("district", DISTRICT),
        ("street", STREET),
        ("community", COMMUNITY),
        ("community2", COMMUNITY2),
    ):
        if code in by_code:
            ctx.areas[key] = by_code[code]
    for key in ("community", "community2"):
        if key in ctx.areas:
            ctx.grids[key] = list(
                Area.objects.filter(parent=ctx.areas[key], level=AreaLevel.GRID).order_by("code")
            )
    return "community" in ctx.areas


def _delete_logs_under(path: str) -> None:
    # The demo's change log, access log and jobs go with its areas: rows about rows that no
    # longer exist would only confuse the next demo's history pages. The logs' hash chains
    # record the places deleted on purpose, so verify_audit still passes.
    for model in (ObjectChange, AccessEvent):
        delete_rows(model.objects.filter(area_path__startswith=path))
    Job.objects.filter(area_path__startswith=path).delete()


def unseed(ctx: DemoContext) -> None:
    roots = [ctx.areas[k] for k in ("street", "community", "community2") if k in ctx.areas]
    if roots:
        subtree = Q()
        for root in roots:
            subtree |= Q(path__startswith=root.path)
        doomed = list(Area.objects.filter(subtree))
        for root in roots:
            _delete_logs_under(root.path)
        # Parents are PROTECTed from deletion while children exist: leaves first.
        for depth in sorted({a.depth for a in doomed}, reverse=True):
            Area.objects.filter(pk__in=[a.pk for a in doomed if a.depth == depth]).delete()
    # The city and district only when nothing else (another street, a user) depends on them.
    for key in ("district", "city"):
        area = ctx.areas.get(key)
        if area is None:
            continue
        if area.children.exists() or area.users.exists():
            break
        _delete_logs_under(area.path)
        area.delete()
    for key in ("city", "district", "street", "community", "community2"):
        ctx.areas.pop(key, None)
    ctx.grids.clear()
