"""The household page: page views and health reports per second against bare views, and
the page's weight.

    .venv/bin/python bench/self_service.py [--seconds 10] [--rounds 4] [--clients 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/self_service.py

Starts the app under granian (as bench/gate_scan.py does, whose helpers it uses) with a fresh
temporary database holding ``--households`` households, each with a pass, three members
under health monitoring and a link. Each client process opens its share of the households'
links (a session per household, as each phone has), then, for its share of the time,
either views ``/s/home/`` for a random household or posts a temperature to
``/s/home/report/`` (36.0–37.0, CSRF token and all) going round its households and their
members: one report per member and part of the day is accepted, so the reports are counted
and cleared after each slice. The baselines are bare views (``bench/self_service_urls.py``)
with the same middleware, session and CSRF check that answer at once; with
``--bare-limits`` they also count the same rate limits, which tells the limiter's share of
the gap. Slices alternate (real,
bare, bare, real, ...) so a machine's drifting load weighs on both alike. The rate limits
are raised for the run (``FANGKONG_SELFSERVICE_RATE_SCALE``): one address plays every phone.

Prints requests per second, p50/p99, the app's CPU per request, errors, the ratio of each
real route to its bare view, and the household page's weight: the HTML of a page with its
stylesheet (no script is served), and a JSON line with every figure.

Targets (issue 20, Figures): ratio at least 0.5 for both, no errors, page weight under 50 KB.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import quantiles

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gate_scan import (
    _env,
    drop_postgres,
    free_port,
    fresh_postgres,
    run_django,
    server_cpu,
    start_server,
)

SETTINGS = "bench.self_service_settings"

SETUP = """
import django, sys, json
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)  # the page's stylesheet
from fangkong.access import services as access
from fangkong.areas.choices import AreaLevel
from fangkong.areas.services import do_create_area
from fangkong.health.services import do_start_quarantine
from fangkong.registry.services import do_create_building, do_create_household, do_create_person
from fangkong.selfservice.services import do_issue_link
households = int(sys.argv[1])
parent = None
for level, name, code in ((AreaLevel.CITY, "沈阳市", "S01"), (AreaLevel.DISTRICT, "浑南区", "S02"),
                          (AreaLevel.STREET, "五三街道", "S03"),
                          (AreaLevel.COMMUNITY, "测试社区", "S04")):
    parent = do_create_area(level=level, name=name, code=code, parent=parent, by=None)
community = parent
building = do_create_building(community=community, by=None, number="1", units=4, floors=30)
tokens = []
for i in range(households):
    home = do_create_household(building=building, by=None, unit=1 + i % 4, room=str(1000 + i))
    people = [do_create_person(community=community, by=None, household=home, name=n)
              for n in ("王秀英", "李建国", "王小明")]
    tokens.append(f"{do_issue_link(home, by=None)[1]}:{','.join(str(p.pk) for p in people)}")
    for person in people:
        do_start_quarantine(kind="monitoring", by=None, person=person, reason="official_notice",
                            evidence_kind="official_notice", evidence_ref="浑南疾控〔2020〕12号")
access.do_issue_passes(community=community, by=None)
print(json.dumps({"tokens": tokens}))
"""

COUNT = """
import django, json
django.setup()
from fangkong.health.models import HealthReport
print(json.dumps({"reports": HealthReport.objects.count()}))
HealthReport.objects.all().delete()  # the next slice's reports are for a part not yet reported
"""


class Phone:
    """One household's session on one keep-alive connection: its cookies and CSRF token."""

    def __init__(self, port: int, token_and_member: str) -> None:
        token, members = token_and_member.split(":")
        self.members = members.split(",")
        self.sent = 0
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        status, _headers, _body = self.request("GET", f"/s/{token}/")
        if status != 302:
            raise SystemExit(f"opening a link answered {status}")
        status, _headers, body = self.request("GET", "/s/home/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or found is None:
            raise SystemExit(f"the household page answered {status}")
        self.csrf = found.group(1).decode()
        self.page_bytes = len(body)

    def request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/s/home/"
        try:
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0, {}, b""
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.headers), content

    def report_body(self, rng: random.Random) -> str:
        # Each member in turn: one report per member and part of the day is accepted, and
        # the reports are cleared between slices (``COUNT``).
        m = self.members[self.sent % len(self.members)]
        self.sent += 1
        temperature = f"{rng.uniform(36.0, 37.0):.1f}"
        return (
            f"csrfmiddlewaretoken={self.csrf}&member={m}&p{m}-person={m}"
            f"&p{m}-temperature={temperature}"
        )


ROUTES = {
    "page": ("GET", "/s/home/", 200),
    "bare page": ("GET", "/bench/bare/page/", 200),
    "report": ("POST", "/s/home/report/", 302),
    "bare report": ("POST", "/bench/bare/report/", 302),
}


def drive(
    port: int,
    route: str,
    seconds: float,
    clients: int,
    tokens: list[str],
    queue: multiprocessing.Queue,
) -> None:
    method, path, expected = ROUTES[route]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def client(n: int) -> None:
        rng = random.Random(n)
        try:
            mine = [Phone(port, t) for t in tokens[n::clients]]
        except SystemExit as exc:  # a session that cannot open: report it, stop the run
            print(exc, file=sys.stderr, flush=True)
            ready.abort()
            with lock:
                errors[0] += 1
            return
        try:
            ready.wait(timeout=300)
        except threading.BrokenBarrierError:
            return
        stop = time.monotonic() + seconds
        times: list[float] = []
        bad = 0
        turn = 0
        while time.monotonic() < stop:
            # Reports go round the phones (each member reports once a part of the day).
            phone = mine[turn % len(mine)] if method == "POST" else rng.choice(mine)
            turn += 1
            body = phone.report_body(rng) if method == "POST" else None
            started = time.perf_counter()
            status, _headers, _content = phone.request(method, path, body)
            times.append(time.perf_counter() - started)
            if status != expected:
                bad += 1
        with lock:
            latencies.extend(times)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait(timeout=300)  # every phone's session is open: the measured time starts now
    began = time.monotonic()
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


def in_child(target: object, *args: object) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def weigh(port: int, token: str) -> dict[str, int]:
    """The household page's bytes: its HTML, its stylesheet, and any script it links."""
    phone = Phone(port, token)
    _status, _headers, html = phone.request("GET", "/s/home/")
    css = sum(
        len(phone.request("GET", href.decode())[2])
        for href in re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    )
    js = sum(
        len(phone.request("GET", src.decode())[2])
        for src in re.findall(rb'<script[^>]+src="([^"]+)"', html)
    )
    return {"html": len(html), "css": css, "js": js, "total": len(html) + css + js}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per route, in all")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--households", type=int, default=60)
    parser.add_argument(
        "--bare-limits",
        action="store_true",
        help="the bare views count the same rate limits (the limiter's share of the gap)",
    )
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL")
    tmp = tempfile.TemporaryDirectory(prefix="fangkong-bench-")
    database_url, pg_name = fresh_postgres(base_url) if base_url else (None, "")
    env = _env(database_url, str(Path(tmp.name) / "bench.sqlite3"))
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env["FANGKONG_SELFSERVICE_RATE_SCALE"] = "1000000"
    env["FANGKONG_SMS_BACKEND"] = "fangkong.selfservice.sms.MemoryBackend"
    env["FANGKONG_BENCH_BARE_LIMITS"] = "1" if args.bare_limits else "0"
    server = None
    try:
        tokens = json.loads(run_django(SETUP, env, str(args.households)))["tokens"]
        port = free_port()
        server = start_server(env, port, args.workers, args.threads)
        engine = "PostgreSQL" if database_url else "SQLite"
        print(
            f"self_service on {engine}: granian --interface wsgi, {args.workers} worker(s) x "
            f"{args.threads} thread(s), {args.clients} clients, {len(tokens)} households, "
            f"{args.seconds:.0f} s per route in {args.rounds} alternating rounds"
        )
        weight = weigh(port, tokens[0])
        for route in ROUTES:  # warm up
            in_child(drive, port, route, 1.0, args.clients, tokens)
        run_django(COUNT, env)  # the warm-up's reports
        stored = 0
        results: dict[str, dict] = {
            r: {"n": 0, "seconds": 0.0, "errors": 0, "latencies": [], "cpu": 0.0} for r in ROUTES
        }
        pairs = (("page", "bare page"), ("report", "bare report"))
        for n in range(max(1, args.rounds)):
            for real, bare in pairs:
                for route in (real, bare) if n % 2 == 0 else (bare, real):
                    cpu = server_cpu(server.pid)
                    got = in_child(
                        drive, port, route, args.seconds / args.rounds, args.clients, tokens
                    )
                    results[route]["cpu"] += server_cpu(server.pid) - cpu
                    for key in ("n", "seconds", "errors", "latencies"):
                        results[route][key] += got[key]
                    if route == "report":
                        stored += json.loads(run_django(COUNT, env))["reports"]
        figures: dict[str, object] = {
            "engine": engine,
            "bare_limits": args.bare_limits,
            "page_weight": weight,
        }
        for route, result in results.items():
            lat = sorted(result["latencies"])
            cuts = quantiles(lat, n=100) if len(lat) >= 2 else [0.0] * 99
            rate = result["n"] / result["seconds"] if result["seconds"] else 0.0
            cpu = result["cpu"] / result["n"] * 1000 if result["n"] else 0.0
            print(
                f"{route:<12} {rate:9.1f} req/s   p50 {cuts[49] * 1000:7.2f} ms   "
                f"p99 {cuts[98] * 1000:7.2f} ms   app CPU {cpu:5.2f} ms/req   "
                f"requests {result['n']:6d}   errors {result['errors']}"
            )
            figures[route.replace(" ", "_")] = {
                "rate": round(rate, 1),
                "errors": result["errors"],
                "cpu_ms": round(cpu, 2),
                "p50_ms": round(cuts[49] * 1000, 2),
                "p99_ms": round(cuts[98] * 1000, 2),
            }
        ratios = {}
        for real, bare in pairs:
            real_rate = figures[real]["rate"]  # type: ignore[index]
            bare_rate = figures[bare.replace(" ", "_")]["rate"]  # type: ignore[index]
            ratios[real] = round(real_rate / bare_rate, 2) if bare_rate else 0.0
        errors = sum(r["errors"] for r in results.values())
        figures.update(
            ratio=ratios, errors=errors, reports_stored=stored, reports_sent=results["report"]["n"]
        )
        print(
            f"ratio page/bare {ratios['page']:.2f}, report/bare {ratios['report']:.2f} "
            f"(target >= 0.50); page weight {weight['total']:,} bytes (HTML {weight['html']:,}, "
            f"CSS {weight['css']:,}, JS {weight['js']:,}; target < 50 KB); reports stored "
            f"{stored}/{results['report']['n']}"
        )
        ok = (
            min(ratios.values()) >= 0.5
            and errors == 0
            and weight["total"] < 50_000
            and stored == results["report"]["n"]
        )
        figures["targets_met"] = ok
        print(json.dumps(figures, ensure_ascii=False))
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
