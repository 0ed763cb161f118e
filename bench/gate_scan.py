"""Gate scans per second: ``POST /api/v1/gate/scans/`` against a bare JSON view.

    .venv/bin/python bench/gate_scan.py [--seconds 10] [--rounds 5] [--clients 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/gate_scan.py
    (options: --workers, --threads for the server; FANGKONG_GATE_ASYNC_COMMIT=1 passes through)

Starts the app under granian (``--interface wsgi``; one worker with one thread unless
``--workers``/``--threads`` say otherwise) on 127.0.0.1 with a fresh temporary database (an
SQLite file, or a new PostgreSQL database on DATABASE_URL's server, dropped afterwards), then
drives it from another process over keep-alive connections: the scan API with a bearer
token, and a bare JSON view mounted only by the benchmark's URLconf
(``bench/gate_bench_urls.py``) with the same middleware and token auth, which reads the same
body and writes nothing. Both get the same server, clients, connections and time, in
``--rounds`` alternating slices (scan, bare, bare, scan, ...), so a machine whose load
drifts during the run weighs on both alike. Prints requests per second, p50 and p99 latency
and the app server's CPU time per request for both, and the ratio of scan throughput to the
bare view's. Then sends batches of new events three times each, concurrently, and checks
that every ``client_event_id`` is stored exactly once.

Targets (issue 6, Figures): ratio at least 0.5, no errors, every id stored once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from statistics import quantiles
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-gate-token-" + "x" * 16
SETTINGS = "bench.gate_bench_settings"


def _env(database_url: str | None, sqlite_path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        PYTHONPATH=str(ROOT),
        FANGKONG_DEBUG="0",
        FANGKONG_TESTING="0",
        FANGKONG_SECRET_KEY="bench-" + "k" * 40,
        FANGKONG_DATA_KEY="bench-" + "d" * 40,
        FANGKONG_ALLOWED_HOSTS="127.0.0.1",
        FANGKONG_AXES_ENABLED="0",
        FANGKONG_LOG_LEVEL="WARNING",
        FANGKONG_VAR_DIR=str(Path(sqlite_path).parent),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
        env["FANGKONG_SQLITE_PATH"] = sqlite_path
    return env


# --- The database and its data --------------------------------------------------------------


def fresh_postgres(url: str) -> tuple[str, str]:
    """A new, empty database on DATABASE_URL's server: (its URL, its name)."""
    import psycopg

    parts = urlsplit(url)
    name = f"fangkong_bench_{secrets.token_hex(4)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SETUP = """
import django, sys
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from fangkong.access import services
from fangkong.accounts.choices import Role
from fangkong.accounts.models import ApiToken, User
from fangkong.areas.choices import AreaLevel
from fangkong.areas.services import do_create_area
from fangkong.core.api import hash_token
from fangkong.registry.services import do_create_building, do_create_household
from fangkong.staff.services.rosters import do_create_checkpoint
households = int(sys.argv[1])
parent = None
for level, name, code in ((AreaLevel.CITY, "沈阳市", "B01"), (AreaLevel.DISTRICT, "浑南区", "B02"),
                          (AreaLevel.STREET, "五三街道", "B03"),
                          (AreaLevel.COMMUNITY, "测试社区", "B04")):
    parent = do_create_area(level=level, name=name, code=code, parent=parent, by=None)
community = parent
gate = do_create_checkpoint(community=community, by=None, name="东门")
building = do_create_building(community=community, by=None, number="1", units=4, floors=30)
for i in range(households):
    do_create_household(building=building, by=None, unit=1 + i % 4, room=str(1000 + i))
passes = services.do_issue_passes(community=community, by=None).passes
user = User.objects.create_user("bench-gate", role=Role.CHECKPOINT_STAFF, area=community)
ApiToken.objects.create(user=user, key_hash=hash_token(sys.argv[2]), prefix="bench")
import json
print(json.dumps({"checkpoint": gate.pk, "codes": [p.token for p in passes]}))
"""

VERIFY = """
import django, json, sys
django.setup()
from django.db.models import Count
from fangkong.access.models import GateEvent
ids = json.loads(sys.stdin.read())
rows = dict(GateEvent.objects.filter(client_event_id__in=ids).values_list("client_event_id")
            .annotate(n=Count("pk")).values_list("client_event_id", "n"))
print(json.dumps({"ids": len(ids), "stored": len(rows), "max_copies": max(rows.values() or [0]),
                  "total_events": GateEvent.objects.count()}))
"""


def run_django(code: str, env: dict[str, str], *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit("benchmark set-up failed")
    return result.stdout.strip().splitlines()[-1]


# --- The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    env: dict[str, str], port: int, workers: int = 1, threads: int = 1
) -> subprocess.Popen:
    granian = Path(sys.executable).with_name("granian")
    server = subprocess.Popen(
        [
            str(granian),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--no-ws",
            "--log-level",
            "warning",
            "fangkong.wsgi:application",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            if server.poll() is not None:
                message = server.stderr.read().decode() if server.stderr else "granian died"
                raise SystemExit(message) from None
            time.sleep(0.2)
    server.kill()
    raise SystemExit("granian did not start")


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server and its worker processes (Linux /proc): the
    app's own cost per request, which a shared machine's load does not inflate as much as
    it does wall time. (The database server's processes are not counted.)"""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grown = {pid}, True
    while grown:
        found = {child for child, parent in parents.items() if parent in tree}
        grown = not found <= tree
        tree |= found
    return sum(times.get(member, 0.0) for member in tree)


# --- The driver (another process) -----------------------------------------------------------


def _post(conn: http.client.HTTPConnection, path: str, body: dict) -> tuple[int, bytes]:
    conn.request(
        "POST",
        path,
        json.dumps(body),
        {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {TOKEN}",
            "Host": "127.0.0.1",
        },
    )
    response = conn.getresponse()
    return response.status, response.read()


def _scan_body(checkpoint: int, code: str, rng: random.Random) -> dict:
    return {
        "pass_code": code,
        "checkpoint": checkpoint,
        "direction": rng.choice(("out", "in")),
        "temperature": round(rng.uniform(36.0, 37.0), 1),
        "client_event_id": str(uuid.uuid4()),
        "device_time": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
    }


def drive(
    port: int,
    path: str,
    seconds: float,
    clients: int,
    checkpoint: int,
    codes: list[str],
    queue: multiprocessing.Queue,
) -> None:
    """Post for ``seconds`` from ``clients`` keep-alive connections; report latencies."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            body = _scan_body(checkpoint, rng.choice(codes), rng)
            started = time.perf_counter()
            try:
                status, _ = _post(conn, path, body)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            mine.append(time.perf_counter() - started)
            if status != 200:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(
        {
            "n": len(latencies),
            "seconds": time.monotonic() - began,
            "errors": errors[0],
            "latencies": latencies,
        }
    )


def replay_batches(
    port: int,
    checkpoint: int,
    codes: list[str],
    batches: int,
    size: int,
    queue: multiprocessing.Queue,
) -> None:
    """Each batch of new events is sent three times at once, in three orders."""
    rng = random.Random(2020)
    ids: list[str] = []
    errors = 0
    mismatched = 0
    for _ in range(batches):
        batch = [_scan_body(checkpoint, rng.choice(codes), rng) for _ in range(size)]
        ids.extend(b["client_event_id"] for b in batch)
        answers: list[dict[str, bytes]] = [{} for _ in range(3)]
        failures = [0, 0, 0]

        def send(copy: int, order: list[dict], answers=answers, failures=failures) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for body in order:
                status, content = _post(conn, "/api/v1/gate/scans/", body)
                if status != 200:
                    failures[copy] += 1
                answers[copy][body["client_event_id"]] = content
            conn.close()

        orders = [batch, list(reversed(batch)), rng.sample(batch, len(batch))]
        threads = [threading.Thread(target=send, args=(i, orders[i])) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        errors += sum(failures)
        mismatched += sum(
            1
            for key in answers[0]
            if not answers[0][key] == answers[1].get(key) == answers[2].get(key)
        )
    queue.put({"ids": ids, "errors": errors, "mismatched": mismatched})


def in_child(target: object, *args: object) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def summary(label: str, result: dict) -> dict:
    lat = sorted(result["latencies"])
    cuts = quantiles(lat, n=100) if len(lat) >= 2 else [0.0] * 99
    rate = result["n"] / result["seconds"]
    cpu = result["cpu"] / result["n"] * 1000 if result["n"] else 0.0
    print(
        f"{label:<14} {rate:9.1f} req/s   p50 {cuts[49] * 1000:7.2f} ms   "
        f"p99 {cuts[98] * 1000:7.2f} ms   app CPU {cpu:5.2f} ms/req   "
        f"requests {result['n']:6d}   errors {result['errors']}"
    )
    return {"rate": rate, "errors": result["errors"], "cpu_ms": cpu}


def measure(
    server: subprocess.Popen,
    port: int,
    paths: tuple[str, ...],
    seconds: float,
    rounds: int,
    clients: int,
    checkpoint: int,
    codes: list[str],
) -> list[dict]:
    """Drive each path for ``seconds`` in all, in ``rounds`` slices taken in turn (ABBA...),
    and add the slices up per path."""
    totals = [{"n": 0, "seconds": 0.0, "errors": 0, "latencies": [], "cpu": 0.0} for _ in paths]
    for r in range(rounds):
        order = range(len(paths)) if r % 2 == 0 else reversed(range(len(paths)))
        for i in order:
            before = server_cpu(server.pid)
            result = in_child(drive, port, paths[i], seconds / rounds, clients, checkpoint, codes)
            totals[i]["cpu"] += server_cpu(server.pid) - before
            for key in ("n", "seconds", "errors", "latencies"):
                totals[i][key] += result[key]
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        help="time each endpoint is driven, in all (default 10)",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating slices the time is cut into (default 5)"
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=4,
        help="concurrent keep-alive client connections (default 4)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="granian worker processes (default 1)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="granian blocking threads per worker (default 1)"
    )
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL")
    tmp = tempfile.TemporaryDirectory(prefix="fangkong-bench-")
    database_url, pg_name = fresh_postgres(base_url) if base_url else (None, "")
    env = _env(database_url, str(Path(tmp.name) / "bench.sqlite3"))
    server = None
    try:
        setup = json.loads(run_django(SETUP, env, str(args.households), TOKEN))
        port = free_port()
        server = start_server(env, port, args.workers, args.threads)
        engine = "PostgreSQL" if database_url else "SQLite"
        print(
            f"gate_scan on {engine}: granian --interface wsgi, {args.workers} worker(s) x "
            f"{args.threads} thread(s), {args.clients} keep-alive client connections, "
            f"{args.seconds:.0f} s per endpoint in {args.rounds} alternating rounds, "
            f"{len(setup['codes'])} passes"
            + (
                ", FANGKONG_GATE_ASYNC_COMMIT on"
                if env.get("FANGKONG_GATE_ASYNC_COMMIT", "").strip().lower()
                in {"1", "true", "yes", "on"}
                and database_url
                else ""
            )
        )
        paths = ("/api/v1/gate/scans/", "/bench/bare/")
        for path in paths:  # warm both up (imports, caches, connections)
            in_child(drive, port, path, 1.0, args.clients, setup["checkpoint"], setup["codes"])
        scan_run, bare_run = measure(
            server,
            port,
            paths,
            args.seconds,
            max(1, args.rounds),
            args.clients,
            setup["checkpoint"],
            setup["codes"],
        )
        scans = summary("scan API", scan_run)
        bare = summary("bare view", bare_run)
        ratio = scans["rate"] / bare["rate"] if bare["rate"] else 0.0
        print(
            f"ratio scan/bare: {ratio:.2f} (target >= 0.50); app CPU per request "
            f"scan/bare: {scans['cpu_ms'] / bare['cpu_ms'] if bare['cpu_ms'] else 0:.2f}"
        )

        replay = in_child(
            replay_batches, port, setup["checkpoint"], setup["codes"], args.batches, args.batch_size
        )
        stored = json.loads(run_django(VERIFY, env, stdin=json.dumps(replay["ids"])))
        once = stored["stored"] == stored["ids"] and stored["max_copies"] == 1
        print(
            f"replays: {args.batches} batches of {args.batch_size} sent 3 times each: "
            f"{stored['stored']}/{stored['ids']} ids stored, at most {stored['max_copies']} "
            f"copy each, {replay['mismatched']} differing answers, {replay['errors']} errors "
            f"-> {'OK' if once and not replay['mismatched'] else 'FAILED'}"
        )
        ok = (
            ratio >= 0.5
            and scans["errors"] == 0
            and bare["errors"] == 0
            and once
            and not replay["errors"]
            and not replay["mismatched"]
        )
        print("targets met" if ok else "TARGETS MISSED")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if pg_name:
            drop_postgres(base_url, pg_name)
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
