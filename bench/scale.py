"""District scale: one community's pages inside a district of a hundred, against the same alone.

    .venv/bin/python bench/scale.py [--communities 100] [--households 700] [--runs 5]
                                    [--warmups 2] [--keep DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/scale.py

Builds two databases with the project's own demo (``seed_demo``'s modules), each in a
worker process with production settings (DEBUG off, manifest static files):

* **alone**: the demo as ``seed_demo`` makes it (在水一方社区 with its 1,901 households and
  8,089 people, 阳光社区 beside it);
* **district**: the same demo, and 在水一方社区 cloned ``--communities`` - 1 times at
  ``--households`` households each (spread over all its buildings and grids), with
  everything that hangs from them in proportion: people, passes, gate events, screening,
  staff, health rows, users, the change log. Clones sit ten to a street under the demo's
  district. The default size is 100 communities, about 300,000 people.

The clone is generic, read from the models: every row of a fangkong table is read once,
the rows belonging to the demo community are found by following foreign keys, plain
``*_id`` columns (``community_id``, ``task_id``...), generic relations and area paths, and
the whole database is written again with every id ``i`` becoming ``i * N + k`` (``k`` the
clone, 0 for the demo and for rows of no community) — so the communities' rows interleave
by id and on disk as they would in a district that grew together, and the demo's own rows
keep their order. Unique values that are not per community (usernames, area codes, pass
nonces, event ids) get a suffix in the clones. New columns and tables other engineers add
come along without editing this file; a plain integer ``*_id`` column whose target cannot
be told from its name is reported. (The audit hash chains of the result do not verify: the
ids they cover changed. Nothing here needs them to.) PostgreSQL gets ``VACUUM ANALYZE`` after
the load, as autovacuum would give it; SQLite is left as the project leaves it (no ANALYZE).

Then, as 在水一方社区's community officer (``demo-community``) on both databases, and in
one run: the home page, the people list (page 1 and page 100), the four searches (a name,
a phone's last four, pinyin initials, an address ``1-2-301``), ``/api/v1/people/``, the gate
log, the audit log, out-now, the access overview and the screening campaign's coverage;
and the district official's (``demo-district``) home on the district database. Each page:
``--warmups`` untimed requests (two by default: the first compiles templates and fills
caches, the next ones read the pages of a cold database file that the first did not touch),
then the median of ``--runs`` requests, the query count, the status.
A page that does not exist yet (or fails) is recorded with its status, not fatal.

Prints one JSON object: per page the milliseconds alone and in the district, the query
counts, the ratio and pass/miss against the targets of issue 12 (Figures): ratio <= 1.5,
each page under 200 ms in the district, the district official's home <= 2x the community
officer's; the sizes of both databases; the machine's load average before and after.

Databases: SQLite files in a temporary directory, or with DATABASE_URL two databases on
that server (``fk_scale_bench_*``), dropped at the end. ``--keep DIR`` keeps them (the
SQLite files and static files in DIR; the PostgreSQL databases by name) and reuses them on
the next run when their size matches and no migration has been added since.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BATCH = 20_000
#: Clones per street: a district of a hundred communities has about ten streets.
PER_STREET = 10
TARGET_RATIO = 1.5
TARGET_MS = 200
TARGET_DISTRICT_HOME = 2.0
OFFICER = "demo-community"
DISTRICT_OFFICIAL = "demo-district"
#: Plain integer ``<name>_id`` columns name their table by the last word of ``<name>``;
#: these words name an area (the tree's levels).
AREA_WORDS = {"area", "community", "grid", "street", "district", "city"}


def log(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


# --- The district: reading, deciding what a community owns, writing it N times ---------------


@dataclass
class Column:
    """How one column of a row changes when the row is written again for clone ``k``."""

    index: int
    name: str
    #: pk | ref (to a rewritten table) | gfk (object id beside a content type) | path | unique
    kind: str
    target: str = ""  # label of the referenced model, for ref
    other: int = -1  # index of the content type column, for gfk
    max_length: int | None = None


@dataclass
class Table:
    label: str
    db_table: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    plan: list[Column] = field(default_factory=list)
    pk: int = 0
    community: int | None = None  # index of the column naming the row's community


def _integer(field: Any) -> bool:
    from django.db import models

    return isinstance(field, models.IntegerField | models.BigIntegerField)


def _soft_target(name: str, labels: dict[str, list[str]]) -> str | None:
    """The model a plain integer ``<name>_id`` column points to: its name's last word."""
    word = name.removesuffix("_id").split("_")[-1]
    if word in AREA_WORDS:
        return "areas.Area"
    found = labels.get(word, [])
    return found[0] if len(found) == 1 else None


def rewritten_models() -> list[Any]:
    """Every fangkong model, and every other model with a foreign key to one of them."""
    from django.apps import apps

    everything = [
        m
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.proxy and m._meta.managed
    ]
    chosen = {
        m
        for m in everything
        if m.__module__.startswith("fangkong.") or m._meta.app_config.name.startswith("fangkong.")
    }
    grown = True
    while grown:
        grown = False
        for model in everything:
            if model not in chosen and any(
                f.is_relation and f.concrete and f.related_model in chosen
                for f in model._meta.concrete_fields
            ):
                chosen.add(model)
                grown = True
    return sorted(chosen, key=lambda m: m._meta.label)


def plan_table(
    model: Any, chosen: set[str], labels: dict[str, list[str]], unknown: list[str]
) -> Table:
    """What each column of ``model`` is, for the rewrite."""
    from django.db import models

    meta = model._meta
    fields = list(meta.concrete_fields)
    table = Table(meta.label, meta.db_table, [f.column for f in fields])
    index = {f.name: i for i, f in enumerate(fields)}
    # Generic relations: declared ones, and the change log's content type + object id pair.
    gfks = {p.fk_field: p.ct_field for p in meta.private_fields if hasattr(p, "ct_field")}
    if "object_id" in index and "content_type" in index:
        gfks.setdefault("object_id", "content_type")
    changing: set[str] = set()
    for i, f in enumerate(fields):
        if f.primary_key and not f.is_relation:
            table.pk = i
            table.plan.append(Column(i, f.name, "pk"))
            changing.add(f.name)
        elif f.is_relation:
            if f.primary_key:
                table.pk = i
            if f.related_model._meta.label in chosen:
                table.plan.append(Column(i, f.name, "ref", f.related_model._meta.label))
                changing.add(f.name)
        elif f.name in gfks and gfks[f.name] in index:
            table.plan.append(Column(i, f.name, "gfk", other=index[gfks[f.name]]))
            changing.add(f.name)
        elif _integer(f) and f.name.endswith("_id"):
            target = _soft_target(f.name, labels)
            if target is None or target not in chosen:
                unknown.append(f"{meta.label}.{f.name}")
                continue
            table.plan.append(Column(i, f.name, "ref", target))
            changing.add(f.name)
        elif isinstance(f, models.CharField) and (f.name == "path" or f.name.endswith("_path")):
            table.plan.append(Column(i, f.name, "path"))
            changing.add(f.name)
        if f.name in ("community", "community_id") and f.name in changing:
            table.community = i
    # Unique values that stay the same in a clone must be made different there.
    sets = [(f.name,) for f in fields if f.unique and not f.primary_key]
    sets += [
        tuple(c.fields)
        for c in meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    ]
    sets += [tuple(t) for t in meta.unique_together]
    for names in sets:
        if any(name in changing for name in names):
            continue
        for name in names:
            f = meta.get_field(name)
            if isinstance(f, models.CharField | models.UUIDField) and not f.is_relation:
                table.plan.append(
                    Column(index[name], name, "unique", max_length=getattr(f, "max_length", None))
                )
                changing.add(name)
                break
        else:
            unknown.append(f"{meta.label} unique {names}")
    if meta.label == "areas.Area":  # 在水一方社区3, not a hundred of the same name
        table.plan.append(Column(index["name"], "name", "name"))
    return table


def _select(table: Table, postgres: bool) -> str:
    """Every column as stored: PostgreSQL's as text (COPY reads it back as it was written);
    SQLite's through coalesce(), which hides the declared type, so Django's converters leave
    the stored value as it is (a time as the text it is stored as, not a datetime.time)."""
    columns = ", ".join(
        f'"{c}"::text' if postgres else f'coalesce("{c}", NULL)' for c in table.columns
    )
    return f'SELECT {columns} FROM "{table.db_table}" ORDER BY "{table.columns[table.pk]}"'


def read_tables(models: list[Any]) -> tuple[dict[str, Table], list[str]]:
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    chosen = {m._meta.label for m in models}
    labels: dict[str, list[str]] = {}
    for model in models:
        if not model._meta.auto_created:
            labels.setdefault(model._meta.model_name, []).append(model._meta.label)
    unknown: list[str] = []
    tables: dict[str, Table] = {}
    with connection.cursor() as cursor:
        for model in models:
            table = plan_table(model, chosen, labels, unknown)
            cursor.execute(_select(table, postgres))
            table.rows = [list(row) for row in cursor.fetchall()]
            if postgres:  # ids as numbers; everything else goes back as the text it came as
                for row in table.rows:
                    for column in table.plan:
                        if column.kind in ("pk", "ref") and row[column.index] is not None:
                            row[column.index] = int(row[column.index])
            tables[table.label] = table
    return tables, unknown


def _as_id(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _targets(table: Table, row: list[Any], models_of: dict[int, str]) -> Iterator[tuple[str, int]]:
    """Each (model, id) the row refers to among the rewritten tables."""
    for column in table.plan:
        value = row[column.index]
        if value is None:
            continue
        if column.kind == "ref":
            yield column.target, value
        elif column.kind == "gfk":
            target = models_of.get(_as_id(row[column.other]) or 0)
            number = _as_id(value)
            if target and number is not None:
                yield target, number


def owned_rows(
    tables: dict[str, Table], community: int, models_of: dict[int, str]
) -> dict[str, set[int]]:
    """The rows belonging to ``community``: those naming it as their community, and those
    without a community column that refer to an owned row (its grids, users, a campaign's
    questions...), to a fixed point."""
    owned: dict[str, set[int]] = {label: set() for label in tables}
    owned["areas.Area"].add(community)
    grown = True
    while grown:
        grown = False
        for table in tables.values():
            mine = owned[table.label]
            for row in table.rows:
                pk = row[table.pk]
                if pk in mine:
                    continue
                if table.community is not None and row[table.community] is not None:
                    belongs = row[table.community] == community
                else:
                    belongs = any(
                        t in owned and n in owned[t] for t, n in _targets(table, row, models_of)
                    )
                if belongs:
                    mine.add(pk)
                    grown = True
    return owned


def _spread(ids: list[int], keep: int) -> set[int]:
    """``keep`` of ``ids`` evenly spread (so every building and grid keeps some)."""
    if keep >= len(ids):
        return set(ids)
    return {ids[n * len(ids) // keep] for n in range(keep)}


def dropped_rows(
    tables: dict[str, Table], owned: dict[str, set[int]], households: int, models_of: dict[int, str]
) -> dict[str, set[int]]:
    """Owned rows a clone leaves out: households past ``households`` (and as large a share
    of people without a household), and every owned row that refers to one left out."""
    dropped: dict[str, set[int]] = {label: set() for label in tables}
    house_ids = sorted(owned["registry.Household"])
    kept_houses = _spread(house_ids, households)
    dropped["registry.Household"] = set(house_ids) - kept_houses
    people = tables["registry.Person"]
    household = next(c.index for c in people.plan if c.name == "household")
    loose = sorted(
        row[people.pk]
        for row in people.rows
        if row[people.pk] in owned["registry.Person"] and row[household] is None
    )
    share = round(len(loose) * len(kept_houses) / max(len(house_ids), 1))
    dropped["registry.Person"] = set(loose) - _spread(loose, share)
    grown = True
    while grown:
        grown = False
        for table in tables.values():
            gone, mine = dropped[table.label], owned[table.label]
            for row in table.rows:
                pk = row[table.pk]
                if pk in gone or pk not in mine:
                    continue
                if any(n in dropped.get(t, ()) for t, n in _targets(table, row, models_of)):
                    gone.add(pk)
                    grown = True
    return dropped


@dataclass
class Layout:
    """Where clone ``k`` of the community lives: ids ``i * n + k``, and its street."""

    n: int
    owned: dict[str, set[int]]
    street: int  # the demo street's id (old)
    streets: list[int]  # old ids of the streets, [0] the demo's own; clone k in k // PER_STREET

    def area(self, value: int, k: int) -> int:
        if k and value == self.street:
            value = self.streets[k // PER_STREET]
        return value * self.n + (k if value in self.owned["areas.Area"] else 0)

    def ref(self, target: str, value: int, k: int) -> int:
        if target == "areas.Area":
            return self.area(value, k)
        return value * self.n + (k if value in self.owned[target] else 0)


def _path(value: str, k: int, layout: Layout) -> str:
    return "/".join(str(layout.area(int(p), k)) if p.isdigit() else p for p in value.split("/"))


def _suffixed(value: Any, k: int, max_length: int | None) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if len(value) in (32, 36) and value.replace("-", "").isalnum():
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            pass
        else:
            new = uuid.uuid5(parsed, str(k))
            return str(new) if "-" in value else new.hex
    tail = f"~{k}"
    return (value[: max_length - len(tail)] if max_length else value) + tail


def rewrite(
    table: Table, row: list[Any], k: int, layout: Layout, models_of: dict[int, str]
) -> list[Any]:
    new = list(row)
    for column in table.plan:
        value = row[column.index]
        if value is None:
            continue
        if column.kind == "pk":
            new[column.index] = value * layout.n + (k if value in layout.owned[table.label] else 0)
        elif column.kind == "ref":
            new[column.index] = layout.ref(column.target, value, k)
        elif column.kind == "gfk":
            target, number = models_of.get(_as_id(row[column.other]) or 0), _as_id(value)
            if target and number is not None:
                mapped = layout.ref(target, number, k)
                new[column.index] = mapped if isinstance(value, int) else str(mapped)
        elif column.kind == "path":
            new[column.index] = _path(value, k, layout)
        elif k and column.kind == "unique":
            new[column.index] = _suffixed(value, k, column.max_length)
        elif k and column.kind == "name":
            new[column.index] = f"{value}{k}"
    return new


def _add_streets(areas: Table, layout: Layout, clones: int) -> None:
    """Streets for the clones past the demo street's first ten: copies of the demo street."""
    names = {c: i for i, c in enumerate(areas.columns)}
    street = next(row for row in areas.rows if row[areas.pk] == layout.street)
    top = max(row[areas.pk] for row in areas.rows)
    for s in range(1, clones // PER_STREET + 1):
        row = list(street)
        old = top + s
        row[areas.pk] = old
        row[names["code"]] = f"{street[names['code']]}~s{s}"
        row[names["name"]] = f"{street[names['name']]}{s + 1}"
        row[names["path"]] = street[names["path"]].removesuffix(f"{layout.street}/") + f"{old}/"
        areas.rows.append(row)
        layout.streets.append(old)


def _write(table: Table, rows: list[list[Any]]) -> None:
    from django.db import connection

    if not rows:
        return
    columns = ", ".join(f'"{c}"' for c in table.columns)
    if connection.vendor == "postgresql":
        raw = connection.connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{table.db_table}" ({columns}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(table.columns))
        with connection.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{table.db_table}" ({columns}) VALUES ({marks})', rows)


def clone_district(communities: int, households: int) -> dict[str, Any]:
    """Rewrite the demo database as a district (see the module's docstring). Runs in one
    transaction; needs the demo (``run_demo``) and nothing else in the database."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from fangkong.areas.demo import COMMUNITY
    from fangkong.areas.models import Area

    started = time.perf_counter()
    models = rewritten_models()
    models_of = {
        ct.pk: f"{ct.app_label}.{ct.model_class()._meta.object_name}"
        for ct in ContentType.objects.all()
        if ct.model_class() is not None
    }
    models_of = {
        pk: label for pk, label in models_of.items() if label in {m._meta.label for m in models}
    }
    community = Area.objects.get(code=COMMUNITY[1])
    with transaction.atomic():
        tables, unknown = read_tables(models)
        owned = owned_rows(tables, community.pk, models_of)
        dropped = dropped_rows(tables, owned, households, models_of)
        layout = Layout(communities, owned, community.parent_id, [community.parent_id])
        _add_streets(tables["areas.Area"], layout, communities - 1)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA defer_foreign_keys = ON")
            else:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in tables.values():
                cursor.execute(f'DELETE FROM "{table.db_table}"')
        written = 0
        for table in tables.values():
            batch: list[list[Any]] = []
            mine, gone = owned[table.label], dropped[table.label]
            for row in table.rows:
                batch.append(rewrite(table, row, 0, layout, models_of))
                if row[table.pk] in mine and row[table.pk] not in gone:
                    batch.extend(
                        rewrite(table, row, k, layout, models_of) for k in range(1, communities)
                    )
                if len(batch) >= BATCH:
                    _write(table, batch)
                    written += len(batch)
                    batch = []
            _write(table, batch)
            written += len(batch)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
    return {
        "rows_written": written,
        "clone_seconds": round(time.perf_counter() - started, 1),
        "unmapped_columns": unknown,
    }


def district_sizes() -> dict[str, int]:
    from fangkong.access.models import GateEvent, Pass
    from fangkong.areas.choices import AreaLevel
    from fangkong.areas.models import Area
    from fangkong.core.models import AccessEvent, ObjectChange
    from fangkong.registry.models import Building, Household, Person

    return {
        "communities": Area.objects.filter(level=AreaLevel.COMMUNITY).count(),
        "grids": Area.objects.filter(level=AreaLevel.GRID).count(),
        "buildings": Building.objects.count(),
        "households": Household.objects.count(),
        "people": Person.objects.count(),
        "passes": Pass.objects.count(),
        "gate_events": GateEvent.objects.count(),
        "audit_rows": ObjectChange.objects.count() + AccessEvent.objects.count(),
    }


def build(communities: int, households: int) -> dict[str, Any]:
    """In a migrated, empty database: the demo, then the district around it."""
    from django.conf import settings

    from fangkong.core.demo import run_demo

    started = time.perf_counter()
    run_demo(reset=True, password=settings.DEMO_PASSWORD, log=lambda _: None)
    demo_seconds = time.perf_counter() - started
    result = clone_district(communities, households)
    # The clone maps every grid column like any area reference, so the copied community and
    # grid ids (core.placement) of each clone follow its own buildings; prove it, or stop.
    from django.core.management import call_command

    call_command("check_scope", stdout=io.StringIO())
    return {"demo_seconds": round(demo_seconds, 1), **result}


# --- Measuring pages ------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    url: str | None  # None: the route does not exist (yet)
    user: str = OFFICER


def _url(name: str, *args: Any, query: str = "") -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def _search_terms(community_id: int) -> dict[str, str]:
    """A name, a phone's last four and pinyin initials of the community's first active
    person who has a phone: the same person in both databases (the clone keeps the demo's
    rows and their order). Empty when the registry's fields have moved on: the searches are
    then recorded as missing, the rest still measured."""
    from fangkong.core.personal_data import decrypt
    from fangkong.registry.choices import PersonStatus
    from fangkong.registry.models import Person

    try:
        person = (
            Person.objects.filter(community_id=community_id, status=PersonStatus.ACTIVE)
            .exclude(phone_cipher="")
            .exclude(name_initials="")
            .order_by("pk")
            .first()
        )
        if person is None:
            return {}
        phone = "".join(ch for ch in decrypt(person.phone_cipher) if ch.isdigit())
        return {
            "search_name": person.name,
            "search_phone_last4": phone[-4:],
            "search_initials": person.name_initials,
            "search_address": "1-2-301",
        }
    except Exception as exc:  # a benchmark reports what it cannot measure, and goes on
        log(f"no search terms: {exc!r}")
        return {}


def pages() -> list[Page]:
    """The pages of issue 12, as the community officer, and the district official's home."""
    from urllib.parse import urlencode

    from fangkong.accounts.models import User
    from fangkong.screening.models import Campaign

    officer = User.objects.get(username=OFFICER)
    terms = _search_terms(officer.area_id)
    campaign = Campaign.objects.filter(area_id=officer.area_id).order_by("pk").first()
    searches = [
        Page(
            name,
            _url("registry:person_list", query=urlencode({"q": terms[name]}))
            if name in terms
            else None,
        )
        for name in ("search_name", "search_phone_last4", "search_initials", "search_address")
    ]
    return [
        Page("home", _url("reports:home")),
        Page("people_page_1", _url("registry:person_list")),
        Page("people_page_100", _url("registry:person_list", query="page=100")),
        *searches,
        Page("api_people", "/api/v1/people/"),
        Page("gate_log", _url("access:event_list")),
        Page("audit_log", _url("core:audit_list")),
        Page("out_now", _url("access:out_now")),
        Page("access_overview", _url("access:index")),
        Page("coverage", _url("screening:campaign_detail", campaign.pk) if campaign else None),
        Page("district_home", _url("reports:home"), user=DISTRICT_OFFICIAL),
    ]


def _client(username: str) -> Any:
    from django.test import Client

    from fangkong.accounts import two_factor
    from fangkong.accounts.models import User

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    session = client.session
    session[two_factor.STATE_KEY] = two_factor.VERIFIED  # the two-step login is passed
    session.save()
    return client


def measure(runs: int, only: set[str] | None = None, warmups: int = 2) -> dict[str, Any]:
    """Each page: ``warmups`` untimed requests, then ``runs`` timed ones; the median, queries,
    status. One warm-up is not enough on SQLite: a 1 GB file's pages are read from disk the
    first time each query plan touches them, and a page's second request can still be the
    first to read some (out-now and the access overview missed their ratio by that alone)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients: dict[str, Any] = {}
    results: dict[str, Any] = {}
    for page in pages():
        if only is not None and page.name not in only:
            continue
        if page.url is None:
            results[page.name] = {"url": None, "status": "no route"}
            continue
        client = clients.get(page.user) or clients.setdefault(page.user, _client(page.user))
        for _ in range(warmups):  # templates compiled, caches, connections, page cache filled
            client.get(page.url)
        times, statuses, queries = [], set(), 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(page.url)
                times.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
            queries = len(captured)
        results[page.name] = {
            "url": page.url,
            "user": page.user,
            "status": sorted(statuses)[-1],
            "ms": round(statistics.median(times), 1),
            "runs_ms": [round(t, 1) for t in times],
            "queries": queries,
            "bytes": len(response.content),
        }
    return results


# --- The worker (one database, production settings) ------------------------------------------


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    import django

    django.setup()


def _migrations_pending() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def worker(task: str, options: dict[str, Any]) -> dict[str, Any]:
    _setup_django()
    from django.core.management import call_command

    if task == "build":
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_seconds = time.perf_counter() - started
        result = build(options["communities"], options["households"])
        from django.db import connection

        if connection.vendor == "postgresql":  # autocommit outside atomic(): VACUUM may run
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        return {
            "migrate_seconds": round(migrate_seconds, 1),
            **result,
            "sizes": district_sizes(),
            "seconds": round(time.perf_counter() - started, 1),
        }
    if task == "check":
        return {"pending": _migrations_pending()}
    if task == "static":
        call_command("collectstatic", interactive=False, verbosity=0)
        return {}
    if task == "measure":
        return {
            "pages": measure(options["runs"], warmups=options.get("warmups", 2)),
            "sizes": district_sizes(),
        }
    raise SystemExit(f"unknown task {task}")


# --- The driver -----------------------------------------------------------------------------


@dataclass
class Database:
    """One of the two databases: an SQLite file, or a database on DATABASE_URL's server."""

    name: str
    communities: int
    households: int
    var_dir: Path
    server_url: str | None

    @property
    def url(self) -> str | None:
        if self.server_url is None:
            return None
        return urlunsplit(urlsplit(self.server_url)._replace(path=f"/{self.name}"))

    @property
    def sqlite(self) -> Path:
        return self.var_dir / f"{self.name}.sqlite3"

    @property
    def marker(self) -> Path:
        return self.var_dir / f"{self.name}.json"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update(
            DJANGO_SETTINGS_MODULE="fangkong.settings",
            PYTHONPATH=str(ROOT),
            FANGKONG_DEBUG="0",
            FANGKONG_TESTING="0",
            FANGKONG_SECRET_KEY="scale-bench-" + "k" * 40,
            FANGKONG_DATA_KEY="scale-bench-" + "d" * 40,
            FANGKONG_LOG_LEVEL="ERROR",
            FANGKONG_VAR_DIR=str(self.var_dir),
        )
        env.pop("FANGKONG_ALLOWED_HOSTS", None)  # the test client is "testserver"
        if self.url:
            env["DATABASE_URL"] = self.url
        else:
            env.pop("DATABASE_URL", None)
            env["FANGKONG_SQLITE_PATH"] = str(self.sqlite)
        return env

    def _admin(self, sql: str) -> None:
        import psycopg

        assert self.server_url is not None
        admin = urlunsplit(urlsplit(self.server_url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    def drop(self) -> None:
        self.marker.unlink(missing_ok=True)
        if self.server_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite}{suffix}").unlink(missing_ok=True)

    def create(self) -> None:
        self.drop()
        if self.server_url:
            self._admin(f'CREATE DATABASE "{self.name}"')

    def reusable(self) -> bool:
        if not self.marker.exists():
            return False
        built = json.loads(self.marker.read_text())
        if (built.get("communities"), built.get("households")) != (
            self.communities,
            self.households,
        ):
            return False
        try:
            return not run_worker(self, "check", {})["pending"]
        except SystemExit:
            return False


def run_worker(db: Database, task: str, options: dict[str, Any]) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            task,
            "--options",
            json.dumps(options),
        ],
        env=db.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.stderr.write(result.stderr[-5000:])
        raise SystemExit(f"{task} on {db.name} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def ensure_built(db: Database) -> dict[str, Any]:
    if db.reusable():
        log(f"reusing {db.name}")
        return json.loads(db.marker.read_text())["build"] | {"reused": True}
    log(f"building {db.name} ({db.communities} communities) ...")
    db.create()
    built = run_worker(db, "build", {"communities": db.communities, "households": db.households})
    db.marker.write_text(
        json.dumps({"communities": db.communities, "households": db.households, "build": built})
    )
    log(f"built {db.name} in {built['seconds']} s: {built['sizes']}")
    return built


def _verdict(ok: bool) -> str:
    return "pass" if ok else "miss"


def compare(alone: dict[str, Any], district: dict[str, Any]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name, there in district.items():
        if name == "district_home":
            continue
        here = alone.get(name, {})
        row: dict[str, Any] = {
            "url": there.get("url"),
            "status": [here.get("status"), there.get("status")],
        }
        if here.get("ms") is not None and there.get("ms") is not None:
            ratio = there["ms"] / max(here["ms"], 0.001)
            fine = here["status"] == there["status"] == 200
            row.update(
                alone_ms=here["ms"],
                district_ms=there["ms"],
                alone_queries=here["queries"],
                district_queries=there["queries"],
                ratio=round(ratio, 2),
                targets={
                    f"ratio<={TARGET_RATIO}": _verdict(fine and ratio <= TARGET_RATIO),
                    f"district<{TARGET_MS}ms": _verdict(fine and there["ms"] < TARGET_MS),
                    "same_queries": _verdict(fine and here["queries"] == there["queries"]),
                },
                alone_runs_ms=here["runs_ms"],
                district_runs_ms=there["runs_ms"],
            )
        figures[name] = row
    return figures


def district_home(district: dict[str, Any]) -> dict[str, Any]:
    official, officer = district.get("district_home", {}), district.get("home", {})
    row: dict[str, Any] = {"status": [official.get("status"), officer.get("status")]}
    if official.get("ms") is not None and officer.get("ms") is not None:
        ratio = official["ms"] / max(officer["ms"], 0.001)
        fine = official["status"] == officer["status"] == 200
        row.update(
            district_official_ms=official["ms"],
            community_officer_ms=officer["ms"],
            district_official_queries=official["queries"],
            ratio=round(ratio, 2),
            targets={
                f"ratio<={TARGET_DISTRICT_HOME}": _verdict(fine and ratio <= TARGET_DISTRICT_HOME),
                f"district<{TARGET_MS}ms": _verdict(fine and official["ms"] < TARGET_MS),
            },
        )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--communities",
        type=int,
        default=100,
        help="communities of the district: the demo's and its clones",
    )
    parser.add_argument(
        "--households",
        type=int,
        default=700,
        help="households of each clone (the demo community keeps 1,901)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page")
    parser.add_argument(
        "--warmups", type=int, default=2, help="untimed requests per page before the timed ones"
    )
    parser.add_argument("--keep", metavar="DIR", help="keep the databases; reuse them")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.runs < 1 or args.communities < 1 or args.households < 1 or args.warmups < 0:
        parser.error("--runs, --communities and --households are at least 1, --warmups 0")
    if args.worker:
        print(json.dumps(worker(args.worker, json.loads(args.options))))
        return
    server = os.environ.get("DATABASE_URL") or None
    with tempfile.TemporaryDirectory(prefix="fangkong-scale-") as scratch:
        var_dir = Path(args.keep or scratch).resolve()
        var_dir.mkdir(parents=True, exist_ok=True)
        alone = Database("fk_scale_bench_c1", 1, args.households, var_dir, server)
        district = Database(
            f"fk_scale_bench_c{args.communities}_h{args.households}",
            args.communities,
            args.households,
            var_dir,
            server,
        )
        try:
            run(alone, district, args)
        finally:
            if not args.keep:
                alone.drop()
                district.drop()


def run(alone: Database, district: Database, args: argparse.Namespace) -> None:
    load_before = os.getloadavg()
    builds = {"alone": ensure_built(alone), "district": ensure_built(district)}
    if not (district.var_dir / "static" / "staticfiles.json").exists():
        run_worker(district, "static", {})  # production serves manifest static files
    log("measuring alone ...")
    here = run_worker(alone, "measure", {"runs": args.runs, "warmups": args.warmups})
    log("measuring in the district ...")
    there = run_worker(district, "measure", {"runs": args.runs, "warmups": args.warmups})
    print(
        json.dumps(
            {
                "bench": "scale",
                "database": "postgresql" if alone.server_url else "sqlite",
                "runs": args.runs,
                "warmups": args.warmups,
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
                "cpus": os.cpu_count(),
                "sizes": {"alone": here["sizes"], "district": there["sizes"]},
                "builds": {
                    k: {"seconds": v.get("seconds"), "reused": v.get("reused", False)}
                    for k, v in builds.items()
                },
                "unmapped_columns": builds["district"].get("unmapped_columns", []),
                "pages": compare(here["pages"], there["pages"]),
                "district_home": district_home(there["pages"]),
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
