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
tables through the bulk helpers at the end of this module (``insert_rows``,
``insert_values``, ``update_rows``, ``record_changes_in_bulk``, ``delete_rows``) — the rows
``bulk_create``, ``bulk_update``, ``record_changes`` and ``delete()`` would write, without
their per-value overhead — and ``run_demo`` pauses the cyclic garbage collector.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, partial
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import signals
from django.db.models.deletion import DO_NOTHING, get_candidate_relations_to_delete
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from stdnum.cn import ric

from fangkong.core.audit import _change_row
from fangkong.core.audit_chain import CHAIN_FIELDS, CHANGE, seal
from fangkong.core.choices import ChangeAction
from fangkong.core.models import ObjectChange
from fangkong.core.placement import place, place_values

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


def fake_name(
    rng: random.Random, sex: str, birth_year: int, surname: str | None = None
) -> str:
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
    "210112": 30, "210103": 8, "210102": 6, "210104": 6, "210105": 6, "210106": 6,
    "210111": 4, "210113": 4, "210114": 5,
}
REGIONAL_CODES = {
    "210121": 5, "210122": 5, "211021": 4, "210321": 3, "210421": 3, "210726": 2,
    "210727": 2, "210921": 2, "210922": 2, "210224": 1, "210202": 3, "210302": 3,
    "210402": 2, "211002": 2,
}
DISTANT_CODES = {
    "110101": 2, "310104": 1, "220102": 3, "230102": 3, "370102": 2, "130102": 2,
    "150102": 2, "410102": 2, "420102": 1, "320102": 1,
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
    "138", "139", "135", "137", "136", "150", "151", "152", "158", "159", "186", "185",
    "187", "188", "130", "131", "132", "155", "156", "133", "153", "180", "189", "177",
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
# rows). ``bulk_create`` compiles every value of every row through Django's SQL compiler,
# which was most of the time seeding took; these helpers write the same rows with one
# prepared statement run for every row (``executemany``), inside the seeding transaction.
# They are for demo data built in code: plain Python values (no expressions, no lazy
# strings), no signals (bulk_create sends none either). On databases other than SQLite they
# fall back to ``bulk_create`` / ``bulk_update``.

#: Field types whose Python values the driver takes as they are; others are converted by
#: the field's own ``get_db_prep_save`` (dates, times, decimals, JSON, UUIDs...).
_PLAIN_TYPES = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "BigIntegerField", "BooleanField",
    "CharField", "EmailField", "FloatField", "IntegerField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField", "SmallIntegerField",
    "TextField", "URLField",
})
#: Field types whose values rows often share (created, updated, the moment of a call...):
#: each distinct object is converted once per batch.
_SHARED_TYPES = frozenset({"DateField", "DateTimeField", "TimeField"})


def _fast() -> bool:
    return connection.vendor == "sqlite"


def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _is_auto_now(field: models.Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _convert(rows: list[list[Any]], fields: list[models.Field]) -> list[list[Any]]:
    """Turn the rows' Python values (in ``fields`` order) into what the database takes."""
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: it would be looked up for every value
    memos: dict[str, dict[int, tuple[Any, Any]]] = {}
    for i, f in enumerate(fields):
        target = f
        while target.is_relation:  # a foreign key holds its target's value
            target = target.target_field
        kind = target.get_internal_type()
        if kind in _PLAIN_TYPES:
            continue
        prep = partial(f.get_db_prep_save, connection=db)
        if kind in _SHARED_TYPES:
            # By identity, keeping the value so its id stays taken: a datetime object shared
            # by several columns or rows is converted once.
            memo = memos.setdefault(kind, {})
            for row in rows:
                value = row[i]
                known = memo.get(id(value))
                if known is None:
                    known = memo[id(value)] = (value, prep(value))
                row[i] = known[1]
        else:
            for row in rows:
                row[i] = prep(row[i])
    return rows


def _execute_insert(model: type[models.Model], fields: list[models.Field],
                    rows: list[list[Any]]) -> list[int]:
    """INSERT ``rows`` (in ``fields`` order) with one prepared statement; their new ids."""
    # Only quoted table and column names of the model go into the SQL; values are parameters.
    opts = model._meta
    qn = connection.ops.quote_name
    table, pk = qn(opts.db_table), qn(opts.pk.column)
    columns, marks = ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    # Inside a transaction (the seeding one, or its own), which holds SQLite's write lock.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({pk}) FROM {table}")  # noqa: S608
        (last,) = cursor.fetchone()
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
            _convert(rows, fields),
        )
        # No one else can have written meanwhile: every id above the old maximum is one of
        # ours, in insertion order.
        cursor.execute(
            f"SELECT {pk} FROM {table} WHERE {pk} > %s ORDER BY {pk}",  # noqa: S608
            [last or 0],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) != len(rows):
        raise DemoError(f"{opts.label}: {len(rows)} rows inserted but {len(ids)} ids found")
    return ids


def insert_rows(model: type[models.Model], objs: list[Any]) -> list[Any]:
    """``bulk_create`` for demo rows that are needed as instances afterwards; sets their pks.

    Fills ``auto_now``/``auto_now_add`` columns (one moment for the batch) and foreign keys
    assigned as objects that were saved after the assignment, as ``bulk_create`` does.
    """
    objs = list(objs)
    if not objs:
        return objs
    if any(obj.pk is not None for obj in objs):
        raise ValueError("insert_rows() inserts new rows only: these have ids already")
    if not _fast():
        return model.objects.bulk_create(objs, batch_size=1000)
    place(objs)  # a copied community and grid, as bulk_create() sets them
    fields = _insert_fields(model)
    for f in fields:
        if _is_auto_now(f):
            now = f.pre_save(objs[0], add=True)
            for obj in objs:
                setattr(obj, f.attname, now)
        elif f.is_relation:
            for obj in objs:
                if getattr(obj, f.attname) is None and f.is_cached(obj):
                    related = f.get_cached_value(obj)
                    if related is not None:
                        setattr(obj, f.attname, related.pk)
    attnames = [f.attname for f in fields]
    ids = _execute_insert(model, fields, [[getattr(obj, a) for a in attnames] for obj in objs])
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def insert_values(model: type[models.Model], rows: list[dict[str, Any]]) -> int:
    """Insert rows given as ``{attname: value}`` without making instances of them (rows the
    demo only inserts). Columns a row leaves out take the field's default, as ``Model()``
    would; ``auto_now``/``auto_now_add`` columns the moment of the batch."""
    if not rows:
        return 0
    fields = _insert_fields(model)
    known = {f.attname for f in fields}
    if unknown := set().union(*rows) - known:
        raise TypeError(f"{model._meta.label} has no columns {sorted(unknown)}")
    if not _fast():
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return len(rows)
    place_values(model, rows)  # a copied community and grid, as bulk_create() sets them
    missing = object()
    plan = []  # (attname, default, default per row)
    for f in fields:
        if _is_auto_now(f):
            plan.append((f.attname, f.pre_save(model(), add=True), None))
        elif f.has_default() and callable(f.default):
            plan.append((f.attname, missing, f.get_default))
        else:
            plan.append((f.attname, f.get_default(), None))
    values = []
    per_row = [(i, make) for i, (_, _, make) in enumerate(plan) if make is not None]
    for row in rows:
        line = [row.get(attname, default) for attname, default, _ in plan]
        for i, make in per_row:
            if line[i] is missing:
                line[i] = make()
        values.append(line)
    _execute_insert(model, fields, values)
    return len(rows)


def update_rows(model: type[models.Model], objs: list[Any], names: list[str]) -> None:
    """``bulk_update`` for demo rows: one prepared UPDATE run for every row."""
    if not objs:
        return
    if not _fast():
        model.objects.bulk_update(objs, names, batch_size=1000)
        return
    opts = model._meta
    fields = [opts.get_field(name) for name in names]
    qn = connection.ops.quote_name
    table, pk = qn(opts.db_table), qn(opts.pk.column)
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    columns = [*fields, opts.pk]
    rows = [[getattr(obj, f.attname) for f in columns] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608 (names quoted)
            _convert(rows, columns),
        )


#: The change log's columns ``_change_row`` fills from the object, and those it fills the same
#: for every object of a call (besides ``time``, the moment of the insert).
_PER_OBJECT = ("content_type_id", "object_id", "object_repr", "area_path", "community_id",
               "person_id", "before", "after")
_PER_CALL = ("actor_id", "actor_name", "request_id", "action")
#: Columns the hash chain fills (``audit_chain.seal``): the time and the row's place.
_CHAINED = ("time", *CHAIN_FIELDS)


def record_changes_in_bulk(
    action: ChangeAction | str, objs: list[Any], *, befores: dict[Any, dict] | None = None,
) -> int:
    """``audit.record_changes(action, objs, befores=befores, actor=None)`` for the demo's big
    tables: the same change-log rows, without an ObjectChange instance each.

    The first row is built by ``audit._change_row`` itself: the columns that do not depend on
    the object (actor, request, action) come from it, and the others must match what is
    computed here; a new column stops the demo. So a change to the audit code cannot make
    the demo's log drift from it unnoticed.
    """
    objs = list(objs)
    if not objs:
        return 0
    befores = befores or {}
    deleting = action == ChangeAction.DELETE
    if not _fast():
        rows = [_change_row(action, obj, befores.get(obj.pk),
                            None if deleting else obj.audit_snapshot(), None) for obj in objs]
        ObjectChange.objects.bulk_create(rows, batch_size=1000)
        return len(rows)
    columns = {f.attname for f in _insert_fields(ObjectChange) if not _is_auto_now(f)}
    if columns != {*_PER_OBJECT, *_PER_CALL, *_CHAINED}:
        raise DemoError("The change log's columns changed: update record_changes_in_bulk.")
    first = _change_row(action, objs[0], befores.get(objs[0].pk),
                        None if deleting else objs[0].audit_snapshot(), None)
    shared = {name: getattr(first, name) for name in _PER_CALL}
    content_types: dict[type, int] = {}
    rows = []
    for obj in objs:
        kind = type(obj)
        if kind not in content_types:
            content_types[kind] = ContentType.objects.get_for_model(
                obj, for_concrete_model=True).pk
        person = getattr(obj, "audit_person_id", None)
        rows.append({
            **shared,
            "content_type_id": content_types[kind],
            "object_id": str(obj.pk),
            "object_repr": str(obj)[:200],
            "area_path": obj.area_path(),
            "community_id": obj.community_id_for_audit(),
            "person_id": person() if callable(person) else None,
            "before": befores.get(obj.pk),
            "after": None if deleting else obj.audit_snapshot(),
        })
    drift = [name for name in _PER_OBJECT if rows[0][name] != getattr(first, name)]
    if drift:
        raise DemoError(f"record_changes_in_bulk no longer matches the audit code: {drift}")
    with transaction.atomic(savepoint=False):  # the chain's lock lasts until the rows are in
        seal(CHANGE, rows, now=timezone.now())
        insert_values(ObjectChange, rows)
    return len(rows)


def delete_rows(queryset: models.QuerySet) -> None:
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
        opts.parents or opts.private_fields
        or signals.pre_delete.has_listeners(model) or signals.post_delete.has_listeners(model)
    ):
        queryset.delete()
        return
    for related in get_candidate_relations_to_delete(opts):
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
