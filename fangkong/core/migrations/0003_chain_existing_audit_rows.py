"""Chain the audit rows written before the chains existed, so that ``verify_audit`` passes on
an upgraded database and every later edit, deletion or insertion shows.

Per community (and the global chain), both logs merged by time then key; access events get
the community of their area path first. Rows are read and written in batches; an upgrade
of a large log takes a while once (every row is hashed, as verify_audit does).
"""

from __future__ import annotations

import datetime as dt
import heapq
from typing import Any

from django.db import migrations

BATCH = 2000


def _community_of_path(area_path: str) -> int | None:
    parts = area_path.strip("/").split("/")
    return int(parts[3]) if len(parts) >= 4 and parts[3].isdigit() else None


def chain_existing_rows(apps: Any, schema_editor: Any) -> None:
    from fangkong.core import audit_chain as chain

    change, access = apps.get_model("core", "ObjectChange"), apps.get_model("core", "AccessEvent")
    heads_model = apps.get_model("core", "AuditChain")
    logs = {chain.CHANGE: change, chain.ACCESS: access}

    events = [access(pk=pk, community_id=_community_of_path(path)) for pk, path in
              access.objects.filter(community_id=None).values_list("pk", "area_path")]
    access.objects.bulk_update([e for e in events if e.community_id], ["community_id"],
                               batch_size=BATCH)

    communities: set[int] = set()
    for model in logs.values():
        communities.update(c or chain.GLOBAL for c in model.objects.filter(
            chain_seq=None).order_by().values_list("community_id", flat=True).distinct())
    key = chain._keys()[0]
    started = 0
    for community in sorted(communities):
        order = heapq.merge(*[
            [(moment, log, pk) for pk, moment in model.objects.filter(
                community_id=community or None, chain_seq=None,
            ).order_by("time", "pk").values_list("pk", "time")]
            for log, model in logs.items()
        ])
        seq, link = 0, ""
        times: dict[dt.datetime, str] = {}
        places = list(order)
        for start in range(0, len(places), BATCH):
            part = places[start:start + BATCH]
            loaded = {
                log: {row["pk"]: row for row in model.objects.filter(
                    pk__in=[pk for _t, lg, pk in part if lg == log],
                ).values("pk", *chain.FIELDS[log])}
                for log, model in logs.items()
            }
            changed: dict[str, list[Any]] = {log: [] for log in logs}
            for _moment, log, pk in part:
                row = loaded[log][pk]
                seq += 1
                digest = chain._hash(key, chain._message(
                    log, seq, link, "", chain._values(log, row, times)))
                changed[log].append(logs[log](pk=pk, chain_seq=seq, chain_prev=link,
                                              chain_hash=digest, chain_original=""))
                link = digest
            for log, rows in changed.items():
                logs[log].objects.bulk_update(
                    rows, ["chain_seq", "chain_prev", "chain_hash", "chain_original"],
                    batch_size=BATCH)
        heads_model.objects.update_or_create(
            community_id=community, defaults={"seq": seq, "head": link, "pruned": []})
        started += community != chain.GLOBAL
    if communities:
        # The global head counts the community chains started (verify_audit checks it).
        heads_model.objects.update_or_create(community_id=chain.GLOBAL,
                                             defaults={"chains": started})
    for head in heads_model.objects.all():
        head.seal = chain._hash(key, chain._head_message(head))
        head.save(update_fields=["seal"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_audit_chains"),
    ]

    operations = [
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
    ]
