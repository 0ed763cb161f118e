"""``POST /api/v1/gate/scans/``: the answer's shape, every reason, bad input, replays.

Replays are checked on whichever database the suite runs on (SQLite by default, PostgreSQL
with DATABASE_URL); the threaded race runs where the database serves concurrent writers.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.access import pass_policy, services
from fangkong.access.api import ScanRequestSerializer
from fangkong.access.choices import FlagReason, PassScope, PassStatus
from fangkong.access.models import GateEvent, Pass
from fangkong.access.tests.factories import CheckpointFactory, household_with_pass, scan
from fangkong.accounts.models import ApiToken
from fangkong.core.api import hash_token
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory
from fangkong.staff.services.rosters import do_update_checkpoint

pytestmark = pytest.mark.django_db
ANSWER_KEYS = {"event_id", "decision", "reason_code", "reason", "quota_left", "next_allowed_at"}
#: A device time an offline queue may send (within a year of the server's clock), no offset.
TWO_DAYS_AGO = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")


def body(gate: Any, code: str, direction: str = "out", **extra: Any) -> dict[str, Any]:
    data = {
        "pass_code": code,
        "checkpoint": gate.pk,
        "direction": direction,
        "temperature": 36.6,
        "client_event_id": str(uuid.uuid4()),
        "device_time": timezone.now().isoformat(),
    }
    data.update(extra)
    return data


def post(client: Any, data: dict[str, Any], **headers: Any) -> Any:
    return client.post(
        reverse("api:gatescan-list"), data, content_type="application/json", **headers
    )


@pytest.fixture
def gate_client(client: Any, checkpoint_a: Any) -> Any:
    client.force_login(checkpoint_a)
    return client


def test_an_allowed_exit_answers_with_the_decision_and_what_is_left(
    gate_client: Any, gate_a: Any, home_a: Any
) -> None:
    _, item = home_a
    response = post(gate_client, body(gate_a, item.token))
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == ANSWER_KEYS
    assert answer["decision"] == "allow"
    assert answer["reason_code"] == "ok"
    assert answer["quota_left"] == 0
    assert answer["next_allowed_at"]
    event = GateEvent.objects.get(pk=answer["event_id"])
    assert event.passed
    assert event.received_at is not None
    assert event.device_time is not None
    item.refresh_from_db()
    assert item.out_since is not None


def test_out_today_refused_tomorrow_morning_with_the_time_it_may_go_next(
    gate_client: Any, gate_a: Any, home_a: Any
) -> None:
    _, item = home_a
    tz = pass_policy.zone(gate_a.community.time_zone)
    today = timezone.localtime(timezone.now(), tz).date()
    yesterday_nine = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(9), tzinfo=tz)
    # Yesterday's outing, uploaded later (so the device's time counts)
    post(gate_client, body(gate_a, item.serial, device_time=yesterday_nine.isoformat()))
    post(
        gate_client,
        body(
            gate_a,
            item.serial,
            "in",
            device_time=(yesterday_nine + dt.timedelta(hours=2)).isoformat(),
        ),
    )
    response = post(gate_client, body(gate_a, item.token))
    answer = response.json()
    assert (answer["decision"], answer["reason_code"]) == ("deny", "quota_used")
    next_at = dt.datetime.fromisoformat(answer["next_allowed_at"]).astimezone(tz)
    assert next_at == dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    assert next_at.strftime("%H:%M") in answer["reason"]
    assert answer["quota_left"] == 0


def test_the_serial_typed_from_a_paper_pass_works_like_the_qr(
    gate_client: Any, gate_a: Any, home_a: Any
) -> None:
    _, item = home_a
    typed = f"{item.serial[:3]} {item.serial[3:-1]}-{item.serial[-1]}"
    assert post(gate_client, body(gate_a, typed)).json()["reason_code"] == "ok"


@pytest.mark.parametrize(
    "code",
    [
        "FKP1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA",
        "123456",
        "https://example.com/x",
        "我的出入证",
    ],
)
def test_a_forged_or_unknown_code_is_a_clear_refusal(
    gate_client: Any, gate_a: Any, code: str
) -> None:
    response = post(gate_client, body(gate_a, code))
    assert response.status_code == 200
    assert response.json()["reason_code"] == "unknown_pass"
    assert GateEvent.objects.get().pass_obj is None


def test_an_altered_token_of_a_real_pass_is_unknown(
    gate_client: Any, gate_a: Any, home_a: Any
) -> None:
    _, item = home_a
    token = item.token
    altered = token[:-1] + ("B" if token[-1] == "A" else "A")
    assert post(gate_client, body(gate_a, altered)).json()["reason_code"] == "unknown_pass"


def test_a_pass_of_another_community_is_unknown_pass(
    gate_client: Any, gate_a: Any, community_b: Any, grid_b1: Any
) -> None:
    _, foreign = household_with_pass(community_b, grid_b1)
    for code in (foreign.token, foreign.serial):
        answer = post(gate_client, body(gate_a, code)).json()
        assert (answer["decision"], answer["reason_code"]) == ("deny", "unknown_pass")
    foreign.refresh_from_db()
    assert foreign.out_since is None


def test_a_closed_gate_refuses(gate_client: Any, gate_a: Any, home_a: Any) -> None:
    do_update_checkpoint(gate_a, by=None, is_open=False)
    answer = post(gate_client, body(gate_a, home_a[1].token)).json()
    assert (answer["decision"], answer["reason_code"]) == ("deny", "gate_closed")


def test_a_fever_is_refused_with_a_neutral_reason(
    gate_client: Any, gate_a: Any, home_a: Any
) -> None:
    answer = post(gate_client, body(gate_a, home_a[1].token, temperature=38.2)).json()
    assert (answer["decision"], answer["reason_code"]) == ("deny", "fever")
    assert not Pass.objects.get(pk=home_a[1].pk).out_since


def test_an_entry_without_an_exit_is_let_in_once_and_flagged(
    gate_client: Any, gate_a: Any, home_a: Any
) -> None:
    answer = post(gate_client, body(gate_a, home_a[1].token, "in")).json()
    assert answer["decision"] == "allow"
    event = GateEvent.objects.get(pk=answer["event_id"])
    assert event.flag == FlagReason.ENTRY_WITHOUT_EXIT
    assert GateEvent.objects.filter(direction="out").count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", 45),
        ("temperature", 33.9),
        ("temperature", "hot"),
        ("temperature", True),
        ("client_event_id", "not-a-uuid"),
        ("direction", "sideways"),
        ("checkpoint", "x"),
        ("device_time", "yesterday"),
        ("pass_code", ""),
    ],
)
def test_malformed_input_is_a_400_in_the_error_shape_and_records_nothing(
    gate_client: Any, gate_a: Any, home_a: Any, field: str, value: Any
) -> None:
    response = post(gate_client, body(gate_a, home_a[1].token, **{field: value}))
    assert response.status_code == 400
    error = response.json()
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert not GateEvent.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("checkpoint", 2**70),
        ("checkpoint", 2**63),
        ("device_time", "0001-01-01T00:00-12:00"),
        ("device_time", "0001-01-01T00:00+12:00"),
        ("device_time", "9999-12-31T23:59-12:00"),
        ("device_time", "9999-12-31T23:59+12:00"),
        ("device_time", "1970-01-01T08:00:00+08:00"),  # a phone whose clock was reset
    ],
)
def test_numbers_and_times_out_of_range_are_a_400_not_a_500(
    gate_client: Any, gate_a: Any, home_a: Any, field: str, value: Any
) -> None:
    gate_client.raise_request_exception = False
    response = post(gate_client, body(gate_a, home_a[1].token, **{field: value}))
    assert response.status_code == 400, response.content[:300]
    error = response.json()
    assert (set(error), error["code"], list(error["fields"])) == (
        {"code", "message", "fields"},
        "invalid",
        [field],
    )
    assert not GateEvent.objects.exists()


def test_a_device_time_within_a_year_is_still_an_offline_event(
    gate_client: Any, gate_a: Any, home_a: Any
) -> None:
    months_ago = timezone.now() - dt.timedelta(days=300)
    answer = post(
        gate_client, body(gate_a, home_a[1].token, device_time=months_ago.isoformat())
    ).json()
    event = GateEvent.objects.get(pk=answer["event_id"])
    assert event.offline
    assert event.time == months_ago


@pytest.mark.parametrize(
    "query",
    [
        {"household": 2**70},
        {"building": 2**70},
        {"household": 2**63},
    ],
)
def test_the_pass_list_refuses_ids_beyond_64_bits_with_a_400(
    client: Any, officer_a: Any, home_a: Any, query: dict[str, Any]
) -> None:
    client.raise_request_exception = False
    client.force_login(officer_a)
    response = client.get(reverse("api:pass-list"), query)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == list(query)


@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("api:visitor-list", {"household": 2**70}),
        ("api:visitor-list", {"checkpoint": 2**70}),
        ("api:gateevent-list", {"household": 2**70}),
        ("api:gateevent-list", {"checkpoint": 2**70}),
        ("api:gateevent-list", {"since": "0001-01-01T00:00+12:00"}),
        ("api:gateevent-list", {"until": "9999-12-31T23:59-12:00"}),
    ],
)
def test_the_gate_log_and_visitor_lists_refuse_out_of_range_filters_with_a_400(
    client: Any, officer_a: Any, route: str, query: dict[str, Any]
) -> None:
    client.raise_request_exception = False
    client.force_login(officer_a)
    response = client.get(reverse(route), query)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == list(query)


def test_a_checkpoint_of_another_community_is_not_found(
    gate_client: Any, home_a: Any, community_b: Any
) -> None:
    gate_b = CheckpointFactory(community=community_b)
    response = post(gate_client, body(gate_b, home_a[1].token))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not GateEvent.objects.exists()


def test_the_same_event_sent_again_gets_the_same_answer_and_counts_once(
    gate_client: Any, gate_a: Any, home_a: Any
) -> None:
    data = body(gate_a, home_a[1].token)
    first = post(gate_client, data).json()
    for _ in range(3):
        again = post(gate_client, data)
        assert again.status_code == 200
        assert again.json() == first
    assert GateEvent.objects.count() == 1
    # A second, new exit is refused on quota: the replays did not count as outings either.
    assert post(gate_client, body(gate_a, home_a[1].token)).json()["reason_code"] in (
        "quota_used",
        "ok",
    )
    assert GateEvent.objects.filter(passed=True, direction="out").count() == 1


def test_an_event_id_recorded_at_another_community_s_gate_is_a_conflict_revealing_nothing(
    gate_client: Any, gate_a: Any, gate_b: Any, home_a: Any, community_b: Any, grid_b1: Any
) -> None:
    _, foreign = household_with_pass(community_b, grid_b1)
    event_id = uuid.uuid4()
    theirs = scan(gate_b, foreign.token, event_id=event_id)
    response = post(gate_client, body(gate_a, home_a[1].token, client_event_id=str(event_id)))
    assert response.status_code == 409
    error = response.json()
    # The error shape and nothing else: no event id, decision or reason of theirs.
    assert error == {
        "code": "conflict",
        "message": error["message"],
        "fields": {},
        "current_version": None,
    }
    for secret in (theirs.decision, theirs.reason_code, foreign.serial, community_b.name):
        assert secret not in error["message"]
    assert GateEvent.objects.count() == 1  # theirs only
    assert Pass.objects.get(pk=home_a[1].pk).out_since is None


def test_an_event_id_recorded_at_another_gate_of_the_same_community_is_a_conflict(
    gate_client: Any, gate_a: Any, home_a: Any, community_a: Any
) -> None:
    east = CheckpointFactory(community=community_a, name="East gate")
    data = body(gate_a, home_a[1].token)
    assert post(gate_client, data).status_code == 200
    again = post(gate_client, {**data, "checkpoint": east.pk})
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert post(gate_client, data).status_code == 200  # the first gate's replay still works
    assert GateEvent.objects.count() == 1


def test_a_replay_racing_past_the_first_check_is_settled_by_the_unique_constraint(
    gate_a: Any, home_a: Any, checkpoint_a: Any
) -> None:
    event_id = uuid.uuid4()
    first = scan(gate_a, home_a[1].token, event_id=event_id, by=checkpoint_a)
    # The second request does not see the first row (as if both checked at once)...
    real_filter = GateEvent.objects.filter
    calls = {"n": 0}

    def blind_first_check(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if calls["n"] == 1 else queryset

    with mock.patch.object(GateEvent.objects, "filter", side_effect=blind_first_check):
        second = scan(gate_a, home_a[1].token, event_id=event_id, by=checkpoint_a)
    # ...and the insert's unique constraint turns it into the same answer.
    assert not second.created
    assert second.as_dict() == first.as_dict()
    assert GateEvent.objects.filter(client_event_id=event_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_store_one_event(
    community_a: Any, grid_a1: Any, checkpoint_a: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race is covered by the constraint test")
    gate = CheckpointFactory(community=community_a)
    _, item = household_with_pass(community_a, grid_a1)
    event_id = uuid.uuid4()
    answers: list[dict[str, Any]] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        try:
            barrier.wait()
            answers.append(scan(gate, item.token, event_id=event_id, by=checkpoint_a).as_dict())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 6
    assert all(a == answers[0] for a in answers)
    assert GateEvent.objects.filter(client_event_id=event_id).count() == 1


def test_an_offline_exit_of_a_pass_suspended_meanwhile_is_flagged_for_review(
    gate_client: Any, gate_a: Any, home_a: Any
) -> None:
    household, item = home_a
    # The phone went offline at 10:00 with the pass active; at 10:05 the household was
    # suspended; at 10:10 the phone let someone out; it uploaded at 10:30.
    services.do_suspend_household_passes(
        household, source="health", reason="x", until=None, by=None
    )
    device_time = timezone.now() + dt.timedelta(minutes=-20)
    with mock.patch(
        "django.utils.timezone.now", return_value=device_time - dt.timedelta(minutes=5)
    ):
        pass  # the suspension's own time is its creation time, already before the event
    from fangkong.access.models import Suspension

    Suspension.objects.update(created=device_time - dt.timedelta(minutes=5))
    answer = post(
        gate_client,
        body(gate_a, item.token, device_time=device_time.isoformat(), device_decision="allow"),
    ).json()
    event = GateEvent.objects.get(pk=answer["event_id"])
    assert answer["reason_code"] == "suspended"
    assert event.offline
    assert event.passed  # the phone let them through; the office reviews it
    assert event.flag == FlagReason.OFFLINE_RULE
    assert event.device_time == device_time


def test_an_offline_exit_before_a_later_suspension_broke_no_rule(
    gate_client: Any, gate_a: Any, home_a: Any
) -> None:
    household, item = home_a
    device_time = timezone.now() - dt.timedelta(minutes=20)
    services.do_suspend_household_passes(
        household, source="health", reason="x", until=None, by=None
    )
    answer = post(
        gate_client,
        body(gate_a, item.token, device_time=device_time.isoformat(), device_decision="allow"),
    ).json()
    assert answer["decision"] == "allow"
    assert GateEvent.objects.get(pk=answer["event_id"]).flag == ""
    item.refresh_from_db()
    assert item.status == PassStatus.SUSPENDED


def test_a_scan_takes_a_few_queries(
    gate_client: Any, gate_a: Any, home_a: Any, django_assert_max_num_queries: Any
) -> None:
    post(gate_client, body(gate_a, home_a[1].token, "in"))  # warm the session
    with django_assert_max_num_queries(14):
        response = post(gate_client, body(gate_a, home_a[1].token))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {
            "pass_code": " FKP1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA ",
            "checkpoint": 3,
            "direction": "out",
            "temperature": 36.6,
            "client_event_id": "8b9e64da-dade-4179-bfac-41f77bb2d922",
            "device_time": f"{TWO_DAYS_AGO}+08:00",
        },
        {
            "pass_code": "000018",
            "checkpoint": "7",
            "direction": "in",
            "temperature": "37.0",
            "client_event_id": "8b9e64dadade4179bfac41f77bb2d922",
            "device_time": None,
            "device_decision": "allow",
        },
        {
            "pass_code": "x",
            "checkpoint": 1,
            "direction": "out",
            "client_event_id": "8b9e64da-dade-4179-bfac-41f77bb2d922",
            "device_time": TWO_DAYS_AGO,
        },
    ],
)
def test_the_scan_s_quick_validation_gives_what_the_serializer_gives(data: Any) -> None:
    form = ScanRequestSerializer(data=data)
    assert form.is_valid(), form.errors
    assert ScanRequestSerializer.valid_data(data) == dict(form.validated_data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", 45),
        ("temperature", True),
        ("client_event_id", "not-a-uuid"),
        ("direction", "sideways"),
        ("checkpoint", 0),
        ("device_time", "yesterday"),
        ("pass_code", "  "),
        ("pass_code", "x" * 201),
    ],
)
def test_the_scan_s_quick_validation_leaves_bad_input_to_the_serializer(
    field: str, value: Any
) -> None:
    data = {
        "pass_code": "000018",
        "checkpoint": 1,
        "direction": "out",
        "client_event_id": str(uuid.uuid4()),
        field: value,
    }
    assert not ScanRequestSerializer(data=data).is_valid()
    assert ScanRequestSerializer.valid_data(data) is None
    assert ScanRequestSerializer.valid_data(["not", "a", "mapping"]) is None


def _statements(captured: Any) -> list[str]:
    """What a request ran, less transaction control (savepoints of the test's transaction)."""
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")
    return [q["sql"].strip() for q in captured if not q["sql"].strip().upper().startswith(skip)]


@pytest.mark.parametrize(("direction", "queries"), [("in", 4), ("out", 5)])
def test_a_scan_runs_exactly_its_pinned_queries(
    gate_a: Any,
    home_a: Any,
    checkpoint_a: Any,
    direction: str,
    queries: int,
    django_assert_num_queries: Any,
) -> None:
    """Inside the test's transaction, on either database: the scan's savepoint and its
    release; the read; the insert. An exit adds, on SQLite, the pass's out_since (its own
    UPDATE) and, on PostgreSQL, the household's lock (out_since is set by the insert)."""
    with django_assert_num_queries(queries):
        answer = services.record_scan(
            services.ScanRequest(
                checkpoint=gate_a.pk,
                code=home_a[1].token,
                direction=direction,
                temperature=None,
                client_event_id=uuid.uuid4(),
            ),
            by=checkpoint_a,
        )
    assert answer.decision == "allow"


@pytest.mark.parametrize("direction", ["in", "out"])
def test_a_scan_is_one_read_and_one_write(
    client: Any, gate_a: Any, home_a: Any, checkpoint_a: Any, direction: str
) -> None:
    """The token, then the gate, its community, policy, the pass and the household's recent
    exits in one read, then the event (with the pass's out_since when it moves). On
    PostgreSQL an exit first locks its household."""
    ApiToken.objects.create(
        user=checkpoint_a,
        key_hash=hash_token("gate-token-q"),
        prefix="gate-q",
        last_used=timezone.now(),
    )
    with CaptureQueriesContext(connection) as captured:
        response = post(
            client,
            body(gate_a, home_a[1].token, direction),
            HTTP_AUTHORIZATION="Bearer gate-token-q",
        )
    assert response.status_code == 200
    token, *statements = _statements(captured.captured_queries)
    assert "accounts_apitoken" in token
    moved = direction == "out"  # an exit moves the pass; an entry without an exit does not
    postgres = connection.vendor == "postgresql"
    if moved and postgres:
        assert "pg_advisory_xact_lock(p.household_id)" in statements.pop(0)
    read, insert, *rest = statements
    assert "staff_checkpoint" in read
    assert "access_passpolicy" in read
    assert "access_gateevent" in read
    assert 'INSERT INTO "access_gateevent"' in insert
    if moved and not postgres:
        assert [r[:33] for r in rest] == ['UPDATE "access_pass" SET "out_sin']
    else:
        assert rest == []  # on PostgreSQL the move is in the insert's statement
    assert (Pass.objects.get(pk=home_a[1].pk).out_since is not None) == moved


def test_per_person_passes_count_each_member_s_own_outings(
    community_a: Any, grid_a1: Any, gate_a: Any, officer_a: Any
) -> None:
    services.do_update_policy(community_a, by=officer_a, pass_scope=PassScope.PERSON)
    household = HouseholdFactory(building=BuildingFactory(community=community_a, grid=grid_a1))
    for _ in range(2):
        PersonFactory(household=household)
    first, second = services.do_issue_passes(community=community_a, by=officer_a).passes
    assert scan(gate_a, first.token).reason_code == "ok"
    assert scan(gate_a, first.token, "in").reason_code == "ok"
    assert scan(gate_a, first.token).reason_code == "quota_used"
    assert scan(gate_a, second.token).reason_code == "ok"  # another member's quota


@pytest.mark.django_db(transaction=True)
def test_the_async_commit_option_relaxes_the_scan_s_own_transaction_only(
    community_a: Any, grid_a1: Any, checkpoint_a: Any, settings: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    settings.GATE_ASYNC_COMMIT = True
    gate = CheckpointFactory(community=community_a)
    _, item = household_with_pass(community_a, grid_a1)
    with CaptureQueriesContext(connection) as captured:
        first = scan(gate, item.token, by=checkpoint_a)
    assert "synchronous_commit" in _statements(captured.captured_queries)[-1]
    assert GateEvent.objects.filter(pk=first.event.pk, passed=True).exists()
    assert Pass.objects.get(pk=item.pk).out_since is not None
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # the connection's next transactions are durable
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        scan(gate, item.token, "in", by=checkpoint_a)  # a caller's transaction: theirs
    assert not any("synchronous_commit" in q["sql"] for q in captured.captured_queries)


def test_bearer_tokens_work_and_outsiders_are_kept_out(
    client: Any, gate_a: Any, home_a: Any, checkpoint_a: Any, grid_worker_a1: Any
) -> None:
    data = body(gate_a, home_a[1].token)
    assert post(client, data).status_code == 401
    ApiToken.objects.create(
        user=checkpoint_a, key_hash=hash_token("gate-token-1"), prefix="gate-tok"
    )
    response = post(client, data, HTTP_AUTHORIZATION="Bearer gate-token-1")
    assert response.status_code == 200
    client.force_login(grid_worker_a1)
    assert post(client, body(gate_a, home_a[1].token)).status_code == 403


def test_a_scanner_client_learns_its_own_community_s_gate_ids_from_the_api(
    client: Any, gate_a: Any, gate_b: Any, community_a: Any, checkpoint_a: Any, volunteer_a: Any
) -> None:
    east = CheckpointFactory(community=community_a, name="East gate")
    ApiToken.objects.create(user=checkpoint_a, key_hash=hash_token("gate-token-c"), prefix="gate-c")
    auth = {"HTTP_AUTHORIZATION": "Bearer gate-token-c"}

    listing = client.get("/api/v1/checkpoints/", **auth)

    assert listing.status_code == 200
    assert sorted(r["id"] for r in listing.json()["results"]) == sorted([gate_a.pk, east.pk])
    assert client.get(f"/api/v1/checkpoints/{gate_a.pk}/", **auth).status_code == 200
    assert client.get(f"/api/v1/checkpoints/{gate_b.pk}/", **auth).status_code == 404
    change = client.patch(
        f"/api/v1/checkpoints/{gate_a.pk}/",
        {"is_open": False},
        content_type="application/json",
        **auth,
    )
    assert change.status_code == 403  # they use the gates; the office runs them
    client.force_login(volunteer_a)
    assert client.get("/api/v1/checkpoints/").status_code == 403


def test_list_and_detail_routes_show_the_gate_log_passes_and_visitors(
    gate_client: Any, gate_a: Any, home_a: Any, officer_a: Any, client: Any
) -> None:
    answer = post(gate_client, body(gate_a, home_a[1].token)).json()
    client.force_login(officer_a)
    log = client.get(reverse("api:gateevent-list")).json()
    assert log["count"] == 1
    assert client.get(reverse("api:gateevent-detail", args=[answer["event_id"]])).status_code == 200
    passes = client.get(reverse("api:pass-list")).json()
    assert passes["results"][0]["serial"] == home_a[1].serial
    assert "token" not in passes["results"][0]
    assert client.get(reverse("api:visitor-list")).json()["count"] == 0


def test_no_index_of_the_gate_log_starts_with_its_time() -> None:
    # The scan's read is a prepared statement on PostgreSQL; with a lone time index its
    # generic plan was seen walking every event of the month instead of one household's.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "access_gateevent")
    leading = {c["columns"][0] for c in constraints.values() if c["index"] and c["columns"]}
    assert "time" not in leading
    assert {"household_id", "community_id"} <= leading


def test_the_gate_scan_is_the_first_route_django_tries() -> None:
    from django.urls import get_resolver

    api = get_resolver().url_patterns[0]
    assert str(api.pattern) == "api/v1/"
    assert api.url_patterns[0].name == "gatescan-list"
