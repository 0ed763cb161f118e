"""Demo data: what ``manage.py seed_demo`` runs, and the generators every app's demo shares.

Each app with demo rows ships ``<app>/demo.py`` declaring:

* ``ORDER: int`` — its place in the dependency order (areas 10, accounts 20, registry 30;
  staff, screening, access, health... take 40 and up);
* ``seed(ctx: DemoContext) -> None`` — create the app's rows, reading what earlier apps put
  into the context and adding its own for later apps;
* optionally ``find(ctx) -> bool`` — load the app's existing demo rows into the context
  (for ``--reset`` and for the summary printed when the demo exists); areas answers whether
  the demo is there at all;
* optionally ``unseed(ctx) -> None`` — delete the app's demo rows; called in reverse order,
  so rows are gone before the rows they point to.

A new app adds its ``demo.py``; the command finds it without being edited.

Everything is deterministic: each app draws from its own ``random.Random`` seeded from
``DEMO_SEED`` and its label, and dates are computed from ``REFERENCE_DATE``, not today, so
every run on every day builds the same rows (the same masked ID numbers, the same names).
Names are generated; no real person or business from the origin story appears.

The demo must build in seconds (browser tests build it once per test): apps write their big
tables through ``fangkong.core.bulk`` (also named at the end of this module: ``insert_rows``,
``insert_values``, ``update_rows``, ``record_changes_in_bulk``, ``delete_rows``) — the rows
``bulk_create``, ``bulk_update``, ``record_changes`` and ``delete()`` would write, without
their per-value overhead — and ``run_demo`` pauses the cyclic garbage collector.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any, cast

from django.apps import apps
from django.db import models, transaction
from django.db.models import signals
from django.db.models.deletion import DO_NOTHING, get_candidate_relations_to_delete
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils.module_loading import module_has_submodule
from stdnum.cn import ric

from fangkong.core import bulk
from fangkong.core.audit import record_changes
from fangkong.core.choices import ChangeAction

DEMO_SEED = 2020
#: "Today" for the demo: ages and status dates count from here so reruns on other days give
#: the same rows. It lies in the past, so no generated date is in the future.
REFERENCE_DATE = dt.date(2026, 1, 1)


class DemoError(Exception):
    """The demo cannot be (re)built safely; the message says why and what to do."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    #: The role's (lazily translated) label; printed in the site's language.
    role_label: Any
    area: str
    full_name: str


@dataclass
class DemoContext:
    """What one demo module hands the next: created objects by key, logins, counts.

    Keys of ``areas``: ``city``, ``district``, ``street``, ``community`` (在水一方社区) and
    ``community2`` (阳光社区); ``grids``, ``buildings``, ``households`` and ``people`` are
    keyed by the community's key. Later apps keep their objects in ``extra``.
    """

    password: str
    log: Callable[[str], None] = print
    areas: dict[str, Any] = field(default_factory=dict)
    grids: dict[str, list[Any]] = field(default_factory=dict)
    buildings: dict[str, list[Any]] = field(default_factory=dict)
    households: dict[str, list[Any]] = field(default_factory=dict)
    people: dict[str, list[Any]] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)
    #: Lines ``seed_demo`` prints after the logins (a demo household's own link).
    notes: list[str] = field(default_factory=list)

    def random(self, label: str) -> random.Random:
        """A generator of the app's own, so growing one app's demo never shifts another's."""
        return random.Random(f"{DEMO_SEED}:{label}")

    def count(self, label: str, value: int) -> None:
        self.counts.append((label, value))


@dataclass
class DemoResult:
    created: bool
    context: DemoContext
    modules: list[str] = field(default_factory=list)


# --- Discovery and running ------------------------------------------------------------------


def demo_modules() -> list[ModuleType]:
    """Every project app's ``demo`` module that declares ``ORDER`` and ``seed``, in order."""
    found: list[tuple[int, int, ModuleType]] = []
    for position, config in enumerate(apps.get_app_configs()):
        # Third-party apps might ship an unrelated ``demo`` module; only ours take part.
        if not config.name.startswith("fangkong.") or not module_has_submodule(
            config.module, "demo"
        ):
            continue
        module = import_module(f"{config.name}.demo")
        if hasattr(module, "ORDER") and callable(getattr(module, "seed", None)):
            found.append((module.ORDER, position, module))
    return [module for _, _, module in sorted(found, key=lambda item: item[:2])]


def _module_label(module: ModuleType) -> str:
    return module.__name__.removeprefix("fangkong.").removesuffix(".demo")


def find_demo(ctx: DemoContext, modules: list[ModuleType] | None = None) -> bool:
    """Load existing demo rows into ``ctx``; whether the demo exists."""
    exists = False
    for module in modules if modules is not None else demo_modules():
        finder = getattr(module, "find", None)
        if finder is not None:
            exists = bool(finder(ctx)) or exists
    return exists


def delete_demo(ctx: DemoContext | None = None) -> None:
    """Delete every app's demo rows (tests call this to clean up after themselves)."""
    modules = demo_modules()
    ctx = ctx or DemoContext(password="", log=lambda _: None)
    with transaction.atomic():
        find_demo(ctx, modules)
        for module in reversed(modules):
            unseed = getattr(module, "unseed", None)
            if unseed is not None:
                unseed(ctx)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Seeding allocates a million objects and keeps most of them to the end (the context,
    the rows of each bulk insert): the cyclic garbage collector's passes over them cost a
    tenth of the run and free nothing. Reference counting still frees everything else."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_demo(*, reset: bool, password: str, log: Callable[[str], None]) -> DemoResult:
    """Build the demo unless it exists; with ``reset``, delete it first and rebuild.

    One transaction: a failure leaves the previous demo (or nothing) in place.
    """
    modules = demo_modules()
    labels = [_module_label(m) for m in modules]
    with _no_cycle_collection(), transaction.atomic():
        ctx = DemoContext(password=password, log=log)
        if find_demo(ctx, modules) and not reset:
            return DemoResult(created=False, context=ctx, modules=labels)
        # Also when the demo is absent: clears leftovers of a half-deleted demo (users whose
        # areas were removed by hand) that would otherwise collide with the new rows.
        for module in reversed(modules):
            unseed = getattr(module, "unseed", None)
            if unseed is not None:
                unseed(ctx)
        ctx = DemoContext(password=password, log=log)
        for module, label in zip(modules, labels, strict=True):
            log(f"  {label} …")
            module.seed(ctx)
    return DemoResult(created=True, context=ctx, modules=labels)


# --- Generated people: names, ID numbers, phones --------------------------------------------

# Common surnames, the northeast's most frequent first (repeated to weigh them).
SURNAMES = (
    "王王王李李李张张张刘刘刘赵赵陈杨杨孙孙于于马马高高徐周吴郭何林罗郑梁谢宋唐韩冯"
    "邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜姜崔钟谭陆汪范金石廖贾韦付方白"
    "邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤关单那佟"
)
# Given-name characters by generation: names follow the fashion of the years people were born.
GIVEN_OLDER_M = "国建军华明德志文海学俊伟强永庆福成贵春富宝林忠祥玉振"
GIVEN_OLDER_F = "秀英桂兰淑玉凤芳珍霞丽华琴云素敏红梅荣翠春香静艳"
GIVEN_MIDDLE_M = "伟涛磊鹏东刚勇斌超军辉波峰亮宏健飞鑫龙杰浩松明冬"
GIVEN_MIDDLE_F = "丽娜静敏艳燕婷红颖丹雪莉晶慧琳爽佳楠璐杰倩宁薇"
GIVEN_YOUNG_M = "子浩宇轩博睿泽阳铭俊皓然辰逸晨昊天一诺梓航佑鑫晟"
GIVEN_YOUNG_F = "子涵欣怡梓萱诗雨可馨悦琪思彤若汐语嘉一佳雅桐琳"
#: Names of real people in the origin story: never generated.
FORBIDDEN_NAMES = frozenset({"许海清", "夏宇"})


def fake_surname(rng: random.Random) -> str:
    return rng.choice(SURNAMES)


def fake_name(rng: random.Random, sex: str, birth_year: int, surname: str | None = None) -> str:
    """A plausible name for someone of this sex born in this year (never a forbidden one)."""
    if birth_year < 1965:
        chars = GIVEN_OLDER_M if sex == "M" else GIVEN_OLDER_F
        single = 0.35
    elif birth_year < 1995:
        chars = GIVEN_MIDDLE_M if sex == "M" else GIVEN_MIDDLE_F
        single = 0.3
    else:
        chars = GIVEN_YOUNG_M if sex == "M" else GIVEN_YOUNG_F
        single = 0.15
    while True:
        given = rng.choice(chars)
        if rng.random() >= single:
            given += rng.choice(chars)
        name = (surname or fake_surname(rng)) + given
        if name not in FORBIDDEN_NAMES and len(set(given)) == len(given):
            return name


def birth_date_for_age(rng: random.Random, age: int) -> dt.date:
    """A birth date making someone exactly ``age`` on REFERENCE_DATE."""
    ref = REFERENCE_DATE
    latest = ref.replace(year=ref.year - age)
    earliest = ref.replace(year=ref.year - age - 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rng.randrange((latest - earliest).days + 1))


# Area codes of ID numbers: Shenyang's districts first, then Liaoning and a few provinces.
# python-stdnum (and so our validator) accepts a code only for birth years when the code
# existed (Shenyang's districts from 1983), so people born earlier get codes it accepts
# for their year: rural counties around Shenyang and a few cities. See _codes_for_year.
LOCAL_CODES = {
    "210112": 30,
    "210103": 8,
    "210102": 6,
    "210104": 6,
    "210105": 6,
    "210106": 6,
    "210111": 4,
    "210113": 4,
    "210114": 5,
}
REGIONAL_CODES = {
    "210121": 5,
    "210122": 5,
    "211021": 4,
    "210321": 3,
    "210421": 3,
    "210726": 2,
    "210727": 2,
    "210921": 2,
    "210922": 2,
    "210224": 1,
    "210202": 3,
    "210302": 3,
    "210402": 2,
    "211002": 2,
}
DISTANT_CODES = {
    "110101": 2,
    "310104": 1,
    "220102": 3,
    "230102": 3,
    "370102": 2,
    "130102": 2,
    "150102": 2,
    "410102": 2,
    "420102": 1,
    "320102": 1,
}


@cache
def _accepts(code: str, year: int) -> bool:
    body = f"{code}{year}0101001"
    return ric.is_valid(body + ric.calc_check_digit(body + "0"))


@cache
def _codes_for_year(year: int, origin: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(codes, weights) usable for someone born in ``year``, by origin local/regional/distant."""
    tables = {
        "local": (LOCAL_CODES, REGIONAL_CODES),
        "regional": (REGIONAL_CODES,),
        "distant": (DISTANT_CODES, REGIONAL_CODES),
    }[origin]
    for table in tables:
        usable = {code: weight for code, weight in table.items() if _accepts(code, year)}
        if usable:
            return tuple(usable), tuple(usable.values())
    raise ValueError(f"no demo area code accepts birth year {year}")


def fake_resident_id(
    rng: random.Random, birth: dt.date, sex: str, taken: set[str], origin: str = "local"
) -> str:
    """A valid 18-digit resident ID number, unique within ``taken`` (which it extends).

    Area code + birth date + a three-digit sequence whose last digit is odd for men and even
    for women + the ISO 7064 MOD 11-2 check digit.
    """
    codes, weights = _codes_for_year(birth.year, origin)
    while True:
        code = rng.choices(codes, weights)[0]
        # The last sequence digit carries the sex: odd for men, even for women.
        sex_digit = rng.choice((1, 3, 5, 7, 9) if sex == "M" else (0, 2, 4, 6, 8))
        sequence = rng.randrange(100) * 10 + sex_digit
        body = f"{code}{birth:%Y%m%d}{sequence:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in taken:
            taken.add(number)
            return number


MOBILE_PREFIXES = (
    "138",
    "139",
    "135",
    "137",
    "136",
    "150",
    "151",
    "152",
    "158",
    "159",
    "186",
    "185",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "133",
    "153",
    "180",
    "189",
    "177",
)


def fake_mobile(rng: random.Random, taken: set[str]) -> str:
    """An 11-digit mobile number on a prefix China Mobile, Unicom or Telecom uses."""
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in taken:
            taken.add(number)
            return number


def fake_landline(rng: random.Random, taken: set[str]) -> str:
    """A Shenyang fixed line (024 and eight digits)."""
    while True:
        number = f"024-{rng.choice('2368')}{rng.randrange(10**7):07d}"
        if number not in taken:
            taken.add(number)
            return number


# --- Bulk writes for the demo's big tables --------------------------------------------------
#
# The demo inserts tens of thousands of rows (people, calls, gate events and their change-log
# rows) through the project's one bulk writer, ``fangkong.core.bulk``, and logs them through
# ``fangkong.core.audit.record_changes`` (the rows ``record_change`` writes). The names below
# are the ones the apps' demos have always imported.

insert_values = bulk.insert_values
update_rows = bulk.update_objects


def insert_rows(model: type[models.Model], objs: list[Any]) -> list[Any]:
    """``bulk_create`` for demo rows that are needed as instances afterwards; sets their pks
    (``core.bulk.insert_objects``)."""
    return bulk.insert_objects(model, objs)


def record_changes_in_bulk(
    action: ChangeAction | str,
    objs: list[Any],
    *,
    befores: dict[Any, dict[str, Any]] | None = None,
) -> int:
    """The demo's change-log rows: ``audit.record_changes`` with no actor (the system)."""
    return record_changes(action, objs, befores=befores, actor=None)


def delete_rows(queryset: models.QuerySet[Any]) -> None:
    """``queryset.delete()`` for the demo's big tables, without loading rows nothing points at.

    ``delete()`` loads every row to follow the relations into them (cascades, protections,
    SET_NULL): for thousands of people that is a second of ``IN (...)`` lists, though by the
    time the registry is unseeded the later apps' rows are gone and nothing points at them.
    So: one EXISTS query per relation into the model; when none finds a row and nobody
    listens to delete signals, one DELETE does what ``delete()`` would; otherwise
    ``delete()`` runs as usual.
    """
    model = queryset.model
    opts = model._meta
    if (
        opts.parents
        or opts.private_fields
        or signals.pre_delete.has_listeners(model)
        or signals.post_delete.has_listeners(model)
    ):
        queryset.delete()
        return
    # django-stubs types these as fields; Django yields the reverse relations into the model.
    for related in cast(Iterable[ForeignObjectRel], get_candidate_relations_to_delete(opts)):
        field = related.field
        if field.remote_field.on_delete is DO_NOTHING:
            continue  # delete() leaves these to the database too
        pointing = related.related_model._base_manager.filter(
            **{f"{field.name}__in": queryset.values(field.target_field.attname)}
        )
        if pointing.exists():
            queryset.delete()
            return
    queryset._raw_delete(queryset.db)  # what delete() itself runs when nothing is related
