"""Customers signing shops' registers through the QR page, against a bare form view.

    .venv/bin/python bench/merchant_register.py [--seconds 10] [--rounds 5] [--clients 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk .venv/bin/python bench/merchant_register.py

As ``bench/gate_scan.py`` (whose server, database and measuring helpers it uses): the app
under granian on 127.0.0.1 with a fresh temporary database holding ``--shops`` open shops, driven
from another process over keep-alive connections. Each request is a customer's sign-in: a form
POST (name, phone) to ``/merchants/r/<token>/`` of a random shop — the real view: token check,
rate limits per shop and per address, validation, the phone encrypted and indexed, one row
inserted, the thank-you page rendered. The baseline is a bare view
(``bench/merchant_bench_urls.py``) with the same middleware that reads the same form, writes
one row as it comes (a sign-in's work is that write) and answers a small page. Both get the
same server, clients and time, in alternating rounds.

A busy supermarket's door sees a sign-in every few seconds and a district's shops thousands a
minute; the limits are set high enough here (``FANGKONG_MERCHANT_SIGNINS_PER_*``) that a
benchmark from one address measures the view, not the brake. Prints rates, p50/p99 and the
app's CPU per request for both, the ratio, and a JSON line. Targets: ratio >= 0.5, 0 errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gate_scan import (
    _env,
    drop_postgres,
    free_port,
    fresh_postgres,
    in_child,
    run_django,
    server_cpu,
    start_server,
    summary,
)

SETTINGS = "bench.merchant_bench_settings"

SETUP = """
import django, sys, json
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from fangkong.areas.choices import AreaLevel
from fangkong.areas.services import do_create_area
from fangkong.merchants import register_tokens, services
parent = None
for level, name, code in ((AreaLevel.CITY, "沈阳市", "B01"), (AreaLevel.DISTRICT, "浑南区", "B02"),
                          (AreaLevel.STREET, "五三街道", "B03"),
                          (AreaLevel.COMMUNITY, "测试社区", "B04")):
    parent = do_create_area(level=level, name=name, code=code, parent=parent, by=None)
tokens = []
for i in range(int(sys.argv[1])):
    shop = services.do_create_merchant(parent, {"name": f"超市{i}", "kind": "supermarket",
        "address": f"五三路{i}号", "status": "open"}, by=None)
    tokens.append(register_tokens.register_token(shop.register_nonce))
print(json.dumps({"tokens": tokens}))
"""

COUNT = """
import django, json
django.setup()
from fangkong.merchants.models import RegisterEntry
print(json.dumps({"entries": RegisterEntry.objects.filter(source="qr").count()}))
"""


def drive(
    port: int, prefix: str, seconds: float, clients: int, tokens: list[str], queue: object
) -> None:
    """Sign in for ``seconds`` from ``clients`` keep-alive connections; report latencies."""
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
            body = urlencode({"name": "张三", "phone": f"138{rng.randint(0, 99999999):08d}"})
            started = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    f"{prefix}{rng.choice(tokens)}/",
                    body,
                    {"Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1"},
                )
                response = conn.getresponse()
                response.read()
                status = response.status
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
    queue.put(  # type: ignore[attr-defined]
        {
            "n": len(latencies),
            "seconds": time.monotonic() - began,
            "errors": errors[0],
            "latencies": latencies,
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--shops", type=int, default=50)
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL")
    tmp = tempfile.TemporaryDirectory(prefix="fangkong-bench-")
    database_url, pg_name = fresh_postgres(base_url) if base_url else (None, "")
    env = _env(database_url, str(Path(tmp.name) / "bench.sqlite3"))
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env["FANGKONG_MERCHANT_SIGNINS_PER_SHOP"] = "1000000"
    env["FANGKONG_MERCHANT_SIGNINS_PER_ADDRESS"] = "1000000"
    server = None
    try:
        tokens = json.loads(run_django(SETUP, env, str(args.shops)))["tokens"]
        port = free_port()
        server = start_server(env, port, args.workers, args.threads)
        engine = "PostgreSQL" if database_url else "SQLite"
        print(
            f"merchant_register on {engine}: granian --interface wsgi, {args.workers} worker(s) x "
            f"{args.threads} thread(s), {args.clients} keep-alive client connections, "
            f"{args.seconds:.0f} s per endpoint in {args.rounds} alternating rounds, "
            f"{len(tokens)} open shops"
        )
        paths = ("/merchants/r/", "/bench/bare/")
        for path in paths:  # warm both up
            in_child(drive, port, path, 1.0, args.clients, tokens)
        before_rows = json.loads(run_django(COUNT, env))["entries"]
        totals = [{"n": 0, "seconds": 0.0, "errors": 0, "latencies": [], "cpu": 0.0} for _ in paths]
        rounds = max(1, args.rounds)
        for r in range(rounds):
            order = range(len(paths)) if r % 2 == 0 else reversed(range(len(paths)))
            for i in order:
                cpu = server_cpu(server.pid)
                result = in_child(
                    drive, port, paths[i], args.seconds / rounds, args.clients, tokens
                )
                totals[i]["cpu"] += server_cpu(server.pid) - cpu
                for key in ("n", "seconds", "errors", "latencies"):
                    totals[i][key] += result[key]
        stored = json.loads(run_django(COUNT, env))["entries"] - before_rows
        real = summary("QR sign-in", totals[0])
        bare = summary("bare view", totals[1])
        ratio = real["rate"] / bare["rate"] if bare["rate"] else 0.0
        lat = sorted(totals[0]["latencies"])
        p99 = lat[int(len(lat) * 0.99) - 1] * 1000 if lat else 0.0
        ok = (
            ratio >= 0.5
            and real["errors"] == 0
            and bare["errors"] == 0
            and stored == totals[0]["n"]
        )
        print(
            json.dumps(
                {
                    "engine": engine,
                    "signins_per_s": round(real["rate"], 1),
                    "bare_per_s": round(bare["rate"], 1),
                    "ratio": round(ratio, 2),
                    "p99_ms": round(p99, 2),
                    "errors": real["errors"] + bare["errors"],
                    "entries_stored": stored,
                    "signins_sent": totals[0]["n"],
                    "targets_met": ok,
                }
            )
        )
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
    multiprocessing.set_start_method("spawn", force=True)
    sys.exit(main())
