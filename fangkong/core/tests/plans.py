"""What the database plans to do with a query, on SQLite and PostgreSQL alike: for tests that
prove a list's query is served by its index (a range of it, in the list's order, no sort).

A test database holds a few rows, which PostgreSQL would rather read whole than through any
index. So on PostgreSQL the plan is asked with sequential scans, bitmap scans and sorts
priced out (``SET LOCAL``, inside a savepoint): what remains shows whether an index *can*
serve the filter and the order. A query no index fits still shows its Sort (or a scan of
the whole table) even then. SQLite plans without statistics; its plan is read as it comes.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, models, transaction

#: What a plan says when it sorts rows itself instead of reading them in order.
_SQLITE_SORT = "USE TEMP B-TREE FOR"
_PG_SORT = ("Sort ", "Sort\n", "Incremental Sort")


def analyze(*models_: type[models.Model], using: str = "default") -> None:
    """Give PostgreSQL's planner the tables' statistics (how selective a filter is): without
    them, two indexes that both serve a query cost the same and either may be chosen. SQLite
    is left without statistics, as a community's laptop runs it."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def query_plan(queryset: models.QuerySet) -> str:
    """The plan of ``queryset``'s SELECT, one node per line."""
    sql, params = queryset.query.sql_with_params()
    connection = connections[queryset.db]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
    if connection.vendor != "postgresql":
        raise NotImplementedError(connection.vendor)
    with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(str(row[0]) for row in cursor.fetchall())
        transaction.set_rollback(True, using=queryset.db)  # the settings end with it
    return plan


def sorts(plan: str) -> bool:
    """Whether the plan sorts rows (rather than reading an index in the list's order)."""
    return _SQLITE_SORT in plan or any(
        line.strip().startswith(_PG_SORT) or "Sort  (" in line or "Sort Key" in line
        for line in plan.splitlines()
    )


def index_names(queryset: models.QuerySet, index: str) -> tuple[str, ...]:
    """How the plan may name ``index``: SQLite names the index of a unique constraint
    declared with its table ``sqlite_autoindex_<table>_<n>``, not by the constraint's name."""
    model = queryset.model
    unique = {
        c.name
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.condition is None
    }
    if connections[queryset.db].vendor == "sqlite" and index in unique:
        return (index, f"sqlite_autoindex_{model._meta.db_table}_")
    return (index,)


def assert_served_by_index(queryset: models.QuerySet, index: str, **context: Any) -> str:
    """Assert that ``index`` serves ``queryset``: its plan reads that index and sorts nothing.
    Returns the plan (for a test to look at more)."""
    plan = query_plan(queryset)
    names = index_names(queryset, index)
    assert any(name in plan for name in names), (
        f"{index} not used: {context or ''}\n{plan}\n{queryset.query}"
    )
    assert not sorts(plan), f"sorts despite {index}: {context or ''}\n{plan}\n{queryset.query}"
    return plan
