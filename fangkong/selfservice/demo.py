"""Demo self-service: links for households of 在水一方社区 — those under quarantine or
monitoring (from the health demo) and the first households of each building — a correction
waiting for the grid worker, and a little activity. ``seed_demo`` prints the link of one
household under health monitoring (the token is shown once: ``seed_demo --reset`` prints a
new one)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from fangkong.core.demo import DemoContext
from fangkong.registry.models import Household
from fangkong.selfservice.choices import CorrectionKind
from fangkong.selfservice.models import Activity, Correction, HouseholdLink
from fangkong.selfservice.services import do_issue_link, do_propose_correction

ORDER = 80  # after health (70): the households under monitoring are known
LINKS_PER_COMMUNITY = 30


def seed(ctx: DemoContext) -> None:
    from fangkong.health.models import Quarantine

    community = ctx.areas.get("community")
    if community is None:
        return
    monitored = list(
        Quarantine.objects.filter(
            community=community, ended_on__isnull=True, household__isnull=False
        )
        .order_by("kind", "pk")
        .values_list("household_id", "kind")
    )
    ids = list(dict.fromkeys(h for h, _kind in monitored))
    ids += [
        h.pk
        for h in Household.objects.filter(community=community, is_active=True).order_by("pk")[
            :LINKS_PER_COMMUNITY
        ]
        if h.pk not in ids
    ]
    households = Household.objects.in_bulk(ids)
    tokens: dict[int, str] = {}
    for pk in ids:
        _link, token = do_issue_link(households[pk], by=None)
        tokens[pk] = token
    # The household to open: one under monitoring with its pass in force (a returnee).
    shown = next((h for h, kind in monitored if kind == "monitoring"), ids[0] if ids else None)
    if shown is not None:
        ctx.extra["selfservice_demo_link"] = tokens[shown]
        ctx.notes.append(
            "A demo household's own page (no login, shown once; --reset makes a new one): "
            f"http://127.0.0.1:8000/s/{tokens[shown]}/"
        )
        link = HouseholdLink.objects.get(household_id=shown, revoked_at__isnull=True)
        member = households[shown].members.order_by("pk").first()
        if member is not None:
            do_propose_correction(
                link,
                kind=CorrectionKind.MOVED_OUT,
                person_id=member.pk,
                date=community.local_today() - dt.timedelta(days=3),
                note="去外地工作了",
            )
    ctx.count("household links", len(tokens))


def find(ctx: DemoContext) -> bool:
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    communities = [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    if not communities:
        return
    in_demo = Q(community__in=communities)
    Activity.objects.filter(in_demo).delete()
    Correction.objects.filter(in_demo).delete()
    HouseholdLink.objects.filter(in_demo).delete()
    ctx.extra.pop("selfservice_demo_link", None)
