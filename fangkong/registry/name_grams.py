"""SQLite's index of names for search: each name's bigrams and first character, by triggers.

``registry_person_name_gram (gram, person_id)`` holds, for every person, ``^`` + the first
character of the name (``^王``: a surname search) and each two-character piece (王秀, 秀英),
lower-cased as SQLite's ``lower()`` does (ASCII letters). ``fangkong.registry.search`` looks
a search text's grams up in its primary key and checks the few candidates with ``LIKE``.

Triggers, not Python, keep it: every path that writes a name (the services, bulk imports,
the demo's raw INSERTs, the retention purge's UPDATE and DELETE) keeps the table right
without knowing it exists. SQLite allows no WITH clause in a trigger, so the positions come
from ``json_each`` over a constant array of 99 elements: a name has at most 100 characters.

Django's SQLite schema editor rebuilds a table to alter some columns, and a rebuilt table
has lost its triggers; ``ensure`` (run after every ``migrate``) puts them back and refills
the table, and a test checks them after all migrations. PostgreSQL uses a pg_trgm index
instead (migration 0003) and has none of this.
"""

# Statements built from this module's constants only, never from input:
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

TABLE = "registry_person_name_gram"
TRIGGERS = (f"{TABLE}_insert", f"{TABLE}_update", f"{TABLE}_delete")
POSITIONS = "[" + ",".join(["0"] * 99) + "]"


def _grams_of(row: str) -> str:
    name = f"lower({row}.name)"
    return (
        f"SELECT '^' || substr({name}, 1, 1) AS gram WHERE {row}.name != '' "
        f"UNION SELECT substr({name}, j.key + 1, 2) FROM json_each('{POSITIONS}') AS j "
        f"WHERE j.key < length({row}.name) - 1"
    )


_INSERT_NEW = (
    f"INSERT OR IGNORE INTO {TABLE} (gram, person_id) SELECT gram, NEW.id FROM "
    f"({_grams_of('NEW')});"
)

TRIGGER_SQL = [
    f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON registry_person BEGIN {_INSERT_NEW} END",
    f"CREATE TRIGGER {TRIGGERS[1]} AFTER UPDATE OF name ON registry_person "
    f"WHEN OLD.name IS NOT NEW.name BEGIN DELETE FROM {TABLE} WHERE person_id = OLD.id; "
    f"{_INSERT_NEW} END",
    f"CREATE TRIGGER {TRIGGERS[2]} AFTER DELETE ON registry_person BEGIN "
    f"DELETE FROM {TABLE} WHERE person_id = OLD.id; END",
]

FILL = [
    f"DELETE FROM {TABLE}",
    f"INSERT OR IGNORE INTO {TABLE} (gram, person_id) "
    "SELECT '^' || substr(lower(p.name), 1, 1), p.id FROM registry_person p WHERE p.name != ''",
    f"INSERT OR IGNORE INTO {TABLE} (gram, person_id) "
    "SELECT substr(lower(p.name), j.key + 1, 2), p.id FROM registry_person p, "
    f"json_each('{POSITIONS}') AS j "
    "WHERE j.key < length(p.name) - 1",
]

CREATE = [
    f"CREATE TABLE {TABLE} (gram text NOT NULL, person_id integer NOT NULL, "
    "PRIMARY KEY (gram, person_id)) WITHOUT ROWID",
    f"CREATE INDEX {TABLE}_person ON {TABLE} (person_id)",
    *TRIGGER_SQL,
    *FILL,
]

DROP = [*(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS), f"DROP TABLE IF EXISTS {TABLE}"]


def missing_triggers(connection: Any) -> list[str]:
    """The gram table's triggers that SQLite does not have (empty elsewhere, or all there)."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        if cursor.fetchone() is None:
            return []  # before migration 0003: nothing to keep yet
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in TRIGGERS if name not in present]


def ensure(connection: Any) -> bool:
    """Recreate lost triggers and refill the table; True if anything was missing."""
    if not missing_triggers(connection):
        return False
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for statement in [*TRIGGER_SQL, *FILL]:
            cursor.execute(statement)
    return True
