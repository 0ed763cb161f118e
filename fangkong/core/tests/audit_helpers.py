"""Helpers of the audit tests: a community's ordinary trail, its chain's rows, a forged
row, what verify_audit prints, and rows the retention purge rewrites."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import Any

from django.core.management import CommandError, call_command

from fangkong.access import services as access_services
from fangkong.access.models import Visitor
from fangkong.access.tests.factories import CheckpointFactory, VisitorFactory
from fangkong.core.audit import record_access, record_change, record_changes
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.models import AccessEvent, ObjectChange
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import HouseholdFactory, PersonFactory


def verify_command(*args: str) -> tuple[str, bool]:
    """What ``manage.py verify_audit`` prints, and whether it exited cleanly."""
    out = io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


def history(community: Any, officer: Any, grid: Any) -> list[Any]:
    """A community's ordinary trail: buildings, households and people created (the factories
    go through the services), one edited, a reveal, an export, a bulk update."""
    people = [PersonFactory(household__building__grid=grid) for _ in range(3)]
    assert all(p.community_id == community.pk for p in people)
    before = people[0].audit_snapshot()
    people[0].notes = "独居老人"
    people[0].save()
    record_change(ChangeAction.UPDATE, people[0], before=before, actor=officer)
    record_access(
        AccessKind.REVEAL,
        actor=officer,
        area_path=people[1].area_path(),
        obj=people[1],
        reason="核对身份",
    )
    record_access(AccessKind.EXPORT, actor=officer, area_path=community.path, detail={"rows": 3})
    record_changes(ChangeAction.UPDATE, people[1:], actor=officer)
    return people


def chain_rows(community: Any) -> list[Any]:
    """Both logs' rows of a community's chain, in place order."""
    rows = [
        *ObjectChange.objects.filter(community_id=community.pk),
        *AccessEvent.objects.filter(community_id=community.pk),
    ]
    return sorted(rows, key=lambda r: r.chain_seq)


def forged(like: ObjectChange, **changes: Any) -> ObjectChange:
    """A row inserted past the audit code, copying a real one and hashing what it can
    (without the key: a plain SHA-256 of its values)."""
    values = {
        f.attname: getattr(like, f.attname)
        for f in ObjectChange._meta.concrete_fields
        if not f.primary_key
    }
    values.update(changes)
    if "chain_hash" not in changes:
        values["chain_hash"] = hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()
    return ObjectChange._base_manager.bulk_create([ObjectChange(**values)])[0]


def edited_person(grid: Any, officer: Any, moved_out_on: dt.date) -> Person:
    """A person created, edited by an officer, then moved out on ``moved_out_on``."""
    person = PersonFactory(household__building__grid=grid, notes="独居老人")
    before = person.audit_snapshot()
    person.notes = "糖尿病"
    person.save()
    record_change(ChangeAction.UPDATE, person, before=before, actor=officer)
    Person.objects.filter(pk=person.pk).update(
        status=PersonStatus.MOVED_OUT, status_date=moved_out_on
    )
    return person


def visitor_gone(community: Any, grid: Any, officer: Any, left: dt.datetime) -> Visitor:
    """A visitor registered, confirmed and seen leaving by an officer at ``left``."""
    visitor = VisitorFactory(
        checkpoint=CheckpointFactory(community=community),
        household=HouseholdFactory(building__grid=grid),
        id_number="110101199003071234",
        plate="辽A12345",
    )
    access_services.do_confirm_visitor(visitor, by=officer, confirmed_by="户主")
    access_services.do_visitor_leaves(visitor, by=officer)
    Visitor.objects.filter(pk=visitor.pk).update(
        time_in=left - dt.timedelta(hours=2), time_out=left
    )
    visitor.refresh_from_db()
    return visitor
