"""The retention purge: core's own rules (change log, access log, jobs), the mechanism every
app's rules share (batches, the audit row, idempotence, dry runs, order, scrubbing the change
log's snapshots of purged rows), the command and the daily job.

Time is fixed by passing ``now`` and by dating rows relative to it (``update()`` sets the
``auto_now`` columns); nothing sleeps.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone

from fangkong.core import retention
from fangkong.core.choices import AccessKind, ChangeAction, JobStatus
from fangkong.core.models import AccessEvent, Job, ObjectChange
from fangkong.core.periodic import purge_expired_personal_data
from fangkong.core.retention import Rule, cutoff, cutoff_date, purge_expired
from fangkong.core.tests.audit_helpers import edited_person, visitor_gone
from fangkong.core.tests.retention_helpers import SECOND
from fangkong.health.tests.factories import CaseFactory
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Person

pytestmark = pytest.mark.django_db


def outcome(result: retention.PurgeResult, name: str) -> retention.Outcome:
    return next(o for o in result.outcomes if o.rule == name)


def purge_rows() -> Any:
    return ObjectChange.objects.filter(object_repr__startswith="retention purge:")


def change_at(moment: dt.datetime, repr_: str = "row") -> ObjectChange:
    row = ObjectChange.objects.create(
        action=ChangeAction.UPDATE,
        content_type=ContentType.objects.get_for_model(Job),
        object_id="1",
        object_repr=repr_,
        area_path="x",
        after={"name": "王伟"},
    )
    ObjectChange.objects.filter(pk=row.pk).update(time=moment)
    return row


def access_at(moment: dt.datetime) -> AccessEvent:
    row = AccessEvent.objects.create(kind=AccessKind.REVEAL, area_path="x", reason="核对")
    AccessEvent.objects.filter(pk=row.pk).update(time=moment)
    return row


def job_finished_at(
    moment: dt.datetime | None,
    *,
    created: dt.datetime | None = None,
    started: dt.datetime | None = None,
    status: str = JobStatus.COMPLETED,
) -> Job:
    job = Job.objects.create(kind="core.selftest", status=status, log="counted to 3\n")
    Job.objects.filter(pk=job.pk).update(
        finished=moment, created=created or moment, started=started
    )
    return job


# --- Cut-offs -------------------------------------------------------------------------------


def test_a_date_period_ends_only_the_day_after_its_anniversary() -> None:
    now = dt.datetime(2026, 5, 2, 3, 0, tzinfo=dt.UTC)  # 11:00 in Shanghai
    assert cutoff_date(now, years=3) == dt.date(2023, 5, 2)
    # A row dated 2023-05-02 is kept on 2026-05-02 (not "<" the cut-off) and goes the day after.


def test_a_leap_day_counts_back_to_the_twenty_eighth_never_later() -> None:
    now = dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC)
    assert cutoff_date(now, years=1) == dt.date(2027, 2, 28)
    assert cutoff(now, years=1).date() == dt.date(2027, 2, 28)


# --- core's own rules -----------------------------------------------------------------------


def test_change_log_rows_are_kept_five_years_and_deleted_after() -> None:
    now = timezone.now()
    inside = change_at(cutoff(now, years=5))
    past = change_at(cutoff(now, years=5) - SECOND)

    result = purge_expired(now)

    assert outcome(result, "core.change_log").deleted == 1
    assert ObjectChange.objects.filter(pk=inside.pk).exists()
    assert not ObjectChange.objects.filter(pk=past.pk).exists()


def test_access_events_are_kept_five_years_and_deleted_after() -> None:
    now = timezone.now()
    inside = access_at(cutoff(now, years=5))
    past = access_at(cutoff(now, years=5) - SECOND)

    purge_expired(now)

    assert AccessEvent.objects.filter(pk=inside.pk).exists()
    assert not AccessEvent.objects.filter(pk=past.pk).exists()


def test_jobs_are_kept_ninety_days_after_they_finish_and_deleted_after() -> None:
    now = timezone.now()
    limit = cutoff(now, days=90)
    inside = job_finished_at(limit, created=limit - dt.timedelta(days=3))
    past = job_finished_at(limit - SECOND)
    never_finished = job_finished_at(None, created=limit - SECOND, status=JobStatus.PENDING)
    # Created long ago but started within the period: its log is younger than 90 days.
    running = job_finished_at(
        None, created=limit - dt.timedelta(days=9), started=limit, status=JobStatus.RUNNING
    )

    purge_expired(now)

    assert set(Job.objects.values_list("pk", flat=True)) == {inside.pk, running.pk}
    assert not Job.objects.filter(pk__in=[past.pk, never_finished.pk]).exists()


# --- The audit row, idempotence, dry runs -------------------------------------------------


def test_the_purge_writes_one_change_log_row_per_rule_with_counts_and_no_personal_data() -> None:
    now = timezone.now()
    for _ in range(3):
        change_at(cutoff(now, years=5) - SECOND, repr_="王伟")
    access_at(cutoff(now, years=5) - SECOND)

    purge_expired(now)

    rows = {row.after["rule"]: row for row in purge_rows()}
    assert set(rows) == {"core.change_log", "core.access_log"}
    log = rows["core.change_log"]
    assert log.action == ChangeAction.DELETE
    assert log.content_type == ContentType.objects.get_for_model(ObjectChange)
    assert log.actor is None
    assert log.actor_name == "system"
    assert log.area_path == ""
    assert log.person_id is None
    assert log.before is None
    assert log.after == {
        "rule": "core.change_log",
        "period": "5 years",
        "as_of": now.isoformat(),
        "deleted": 3,
        "anonymised": 0,
        "anonymised_fields": [],
        "changes_scrubbed": 0,
    }
    # The rows of one run share a request id, so the log groups them.
    assert log.request_id == rows["core.access_log"].request_id != ""
    assert "王伟" not in json.dumps([r.after for r in rows.values()], ensure_ascii=False)


def test_a_second_run_purges_nothing_and_logs_nothing() -> None:
    now = timezone.now()
    change_at(cutoff(now, years=5) - SECOND)
    job_finished_at(cutoff(now, days=90) - SECOND)
    purge_expired(now)
    logged = purge_rows().count()

    again = purge_expired(now)

    assert all(o.deleted == o.anonymised == 0 and not o.failed for o in again.outcomes)
    assert purge_rows().count() == logged


def test_a_dry_run_counts_what_would_go_and_changes_nothing() -> None:
    now = timezone.now()
    old = change_at(cutoff(now, years=5) - SECOND)

    result = purge_expired(now, dry_run=True)

    assert outcome(result, "core.change_log").deleted == 1
    assert ObjectChange.objects.filter(pk=old.pk).exists()
    assert not purge_rows().exists()


def test_rows_are_purged_in_batches_and_counted_in_one_row_per_rule() -> None:
    now = timezone.now()
    for _ in range(5):
        access_at(cutoff(now, years=5) - SECOND)

    result = purge_expired(now, batch_size=2)

    assert outcome(result, "core.access_log").deleted == 5
    assert not AccessEvent.objects.exists()
    (row,) = purge_rows().filter(after__rule="core.access_log")
    assert row.after["deleted"] == 5


def test_a_failing_rule_is_reported_and_the_others_still_run(monkeypatch: Any) -> None:
    def broken(now: dt.datetime) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(
        retention._RULES,
        "core.broken",
        Rule(name="core.broken", model=Job, period="never", expired=broken),
    )
    now = timezone.now()
    old = access_at(cutoff(now, years=5) - SECOND)

    result = purge_expired(now)

    assert result.failed == ["core.broken"]
    assert not AccessEvent.objects.filter(pk=old.pk).exists()


def test_children_are_purged_before_the_rows_they_point_at() -> None:
    names = [rule.name for rule in retention.rules()]
    assert names.index("health.health_report") < names.index("health.quarantine")
    assert names.index("health.status_change") < names.index("health.case")
    assert names.index("health.case") < names.index("registry.person")
    assert {"core.change_log", "core.access_log", "core.jobs"} <= set(names)


def test_a_rule_that_keeps_its_rows_must_anonymise_something() -> None:
    with pytest.raises(ValueError, match="anonymises nothing"):
        Rule(
            name="x.y",
            model=Job,
            period="1 day",
            expired=lambda now: Job.objects.all(),
            delete=False,
        )


# --- The command and the daily job -----------------------------------------------------------


def test_the_command_prints_the_count_per_rule() -> None:
    change_at(cutoff(timezone.now(), years=5) - dt.timedelta(days=1))
    out = io.StringIO()

    call_command("purge_expired", stdout=out)

    assert "core.change_log (5 years): 1 deleted, 0 anonymised" in out.getvalue()
    assert "registry.person" in out.getvalue()


def test_the_command_with_dry_run_and_json_changes_nothing() -> None:
    old = change_at(cutoff(timezone.now(), years=5) - dt.timedelta(days=1))
    out = io.StringIO()

    call_command("purge_expired", "--dry-run", "--json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["dry_run"] is True
    counts = {r["rule"]: r["deleted"] for r in report["rules"]}
    assert counts["core.change_log"] == 1
    assert ObjectChange.objects.filter(pk=old.pk).exists()


def test_the_command_fails_when_a_rule_fails(monkeypatch: Any) -> None:
    def broken(now: dt.datetime) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(
        retention._RULES,
        "core.broken",
        Rule(name="core.broken", model=Job, period="never", expired=broken),
    )
    with pytest.raises(CommandError, match=r"core\.broken"):
        call_command("purge_expired", stdout=io.StringIO())


def test_the_daily_tick_runs_the_purge_as_a_job(
    django_capture_on_commit_callbacks: Any,
) -> None:
    now = timezone.now()
    old = access_at(cutoff(now, years=5) - SECOND)

    with django_capture_on_commit_callbacks(execute=True):
        purge_expired_personal_data(now)

    job = Job.objects.get(kind=retention.JOB_KIND)
    assert job.status == JobStatus.COMPLETED
    assert {
        "rule": "core.access_log",
        "period": "5 years",
        "deleted": 1,
        "anonymised": 0,
        "changes_scrubbed": 0,
        "failed": False,
    } in job.result["rules"]
    assert "core.access_log: 1 deleted, 0 anonymised" in job.log
    assert not AccessEvent.objects.filter(pk=old.pk).exists()


# --- The change log's copies of purged rows ---------------------------------------------------


def changes_of(obj: Any) -> list[ObjectChange]:
    return list(
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=str(obj.pk),
        ).order_by("pk")
    )


def trail(changes: list[ObjectChange]) -> list[tuple[Any, ...]]:
    """What the audit trail must keep: which change, by whom, when, of what."""
    return [
        (c.pk, c.action, c.actor_id, c.actor_name, c.time, c.content_type_id, c.object_id)
        for c in changes
    ]


def as_text(changes: list[ObjectChange]) -> str:
    return json.dumps([[c.object_repr, c.before, c.after] for c in changes], ensure_ascii=False)


def everything_in_the_change_log() -> list[tuple[Any, ...]]:
    return [(c.pk, c.object_repr, c.before, c.after) for c in ObjectChange.objects.order_by("pk")]


def test_a_deleted_persons_change_rows_keep_who_did_what_and_when_but_not_who_they_were(
    grid_a1: Any,
    officer_a: Any,
) -> None:
    now = timezone.now()
    person = edited_person(grid_a1, officer_a, cutoff_date(now, years=3) - dt.timedelta(days=1))
    secrets = [person.name, person.phone_mask, person.id_number_mask, "独居老人", "糖尿病"]
    before = changes_of(person)
    assert len(before) == 2
    assert all(s in as_text(before) for s in secrets)

    result = purge_expired(now)

    assert not Person.objects.filter(pk=person.pk).exists()
    after = changes_of(person)
    assert trail(after) == trail(before)
    assert not any(s in as_text(after) for s in secrets)
    assert all(
        person.name not in c.object_repr and c.object_repr.endswith(f"#{person.pk}") for c in after
    )
    # Keys stay (the change still says what changed), and links and choices keep their values
    edit = after[1]
    assert set(edit.before) == set(edit.after) == set(Person.audit_fields)
    assert edit.after["name"] is edit.after["notes"] is edit.after["household"] is None
    assert edit.after["status"] == PersonStatus.ACTIVE
    assert outcome(result, "registry.person").changes_scrubbed == 2
    (row,) = purge_rows().filter(after__rule="registry.person")
    assert row.after["changes_scrubbed"] == 2


def test_an_anonymised_persons_change_rows_lose_the_anonymised_fields_by_name_or_attname(
    grid_a1: Any,
    officer_a: Any,
) -> None:
    # Given a person a case still needs, and a change row keyed by attribute names
    now = timezone.now()
    person = edited_person(grid_a1, officer_a, cutoff_date(now, years=3) - dt.timedelta(days=1))
    CaseFactory(person=person)
    odd = ObjectChange.objects.create(
        action=ChangeAction.UPDATE,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(person.pk),
        object_repr=person.name,
        area_path="x",
        after={
            "household_id": person.household_id,
            "phone_mask": person.phone_mask,
            "id_type": person.id_type,
        },
    )

    # When the purge anonymises them
    result = purge_expired(now)

    # Then their change rows hold none of the values the row no longer holds
    assert outcome(result, "registry.person").anonymised == 1
    after = changes_of(person)
    assert len(after) == 3
    assert person.name not in as_text(after)
    assert person.phone_mask not in as_text(after)
    odd.refresh_from_db()
    assert odd.after == {"household_id": None, "phone_mask": None, "id_type": person.id_type}
    # ...but what the rule keeps on the row stays in its snapshots too
    assert after[0].after["residency"] == person.residency


def test_an_anonymised_visitors_change_rows_lose_their_name_and_masks(
    community_a: Any,
    grid_a1: Any,
    officer_a: Any,
) -> None:
    now = timezone.now()
    visitor = visitor_gone(
        community_a, grid_a1, officer_a, cutoff(now, days=30) - dt.timedelta(days=1)
    )
    secrets = [visitor.name, visitor.phone_mask, visitor.id_number_mask, "辽A12345", "户主"]
    before = changes_of(visitor)
    assert len(before) == 3
    assert all(s in as_text(before) for s in secrets)

    result = purge_expired(now)

    assert outcome(result, "access.visitor").anonymised == 1
    after = changes_of(visitor)
    assert trail(after) == trail(before)
    assert [c.actor_id for c in after] == [None, officer_a.pk, officer_a.pk]
    assert not any(s in as_text(after) for s in secrets)
    assert all(visitor.name not in c.object_repr for c in after)
    # The visit's place, times and status stay, as on the row
    assert after[-1].after["household"] == visitor.household_id
    assert after[-1].after["status"] == visitor.status


def test_a_second_run_leaves_the_scrubbed_change_log_as_it_is(
    community_a: Any,
    grid_a1: Any,
    officer_a: Any,
) -> None:
    now = timezone.now()
    edited_person(grid_a1, officer_a, cutoff_date(now, years=3) - dt.timedelta(days=1))
    CaseFactory(
        person=edited_person(grid_a1, officer_a, cutoff_date(now, years=3) - dt.timedelta(days=1))
    )
    visitor_gone(community_a, grid_a1, officer_a, cutoff(now, days=30) - dt.timedelta(days=1))
    purge_expired(now)
    scrubbed = everything_in_the_change_log()

    again = purge_expired(now)

    assert all(o.changes_scrubbed == 0 for o in again.outcomes)
    assert everything_in_the_change_log() == scrubbed


def test_rows_inside_their_period_keep_their_change_rows_untouched(
    community_a: Any,
    grid_a1: Any,
    officer_a: Any,
) -> None:
    now = timezone.now()
    person = edited_person(grid_a1, officer_a, cutoff_date(now, years=3))
    visitor = visitor_gone(community_a, grid_a1, officer_a, cutoff(now, days=30))
    before = [
        (c.object_repr, c.before, c.after) for c in [*changes_of(person), *changes_of(visitor)]
    ]

    result = purge_expired(now)

    assert [
        (c.object_repr, c.before, c.after) for c in [*changes_of(person), *changes_of(visitor)]
    ] == before
    assert person.name in before[0][0]
    assert all(o.changes_scrubbed == 0 for o in result.outcomes)
