#!/usr/bin/env python
"""`make bench`: every benchmark figure, printed and written to bench/results.json (one flat JSON object).

Runs on this machine against 127.0.0.1 only, bounded in time: a bare Django view and the collector
side by side under gunicorn (wrk drives both with the same bodies), the Redis stream drained into
PostgreSQL, the embedded SQLite mode, end-to-end latency at a steady 2,000 events/s, peak memory,
and the tracker's size."""

import base64
import contextlib
import gzip
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "attune_bench")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WRK_SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WRK_CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
WRK_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # of each endpoint, interleaved
DRAIN_EVENTS = int(os.environ.get("BENCH_DRAIN_EVENTS", "300000"))
E2E_SECONDS = 30


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def django_env(*, database_url: str, redis_url: str = "", **extra) -> dict:
    return {
        **os.environ, "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key-" + "x" * 30, "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "DATABASE_URL": database_url, "REDIS_URL": redis_url, "ATTUNE_BENCH_VIEWS": "1",
        "ATTUNE_RATE_LIMIT_ADDRESS_PER_MINUTE": "100000000", "ATTUNE_RATE_LIMIT_SITE_PER_MINUTE": "100000000",
        "ATTUNE_VAR_DIR": str(WORK / "var"), "LOG_LEVEL": "WARNING", **extra,
    }


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
    return result.stdout or ""


VISITORS_LUA = WORK / "visitors.lua"  # the PostgreSQL bench site's visitors, for wrk


def prepare_database(env: dict, *, lua: Path = VISITORS_LUA) -> dict:
    """Migrate, create the bench site and its consenting visitors, and write them for wrk's scripts to `lua`."""
    manage(env, "migrate", "--noinput", "-v0")
    setup = (ROOT / "bench" / "setup_site.py").read_text()
    data = json.loads(subprocess.run([PYTHON, "manage.py", "shell", "-v0", "-c", setup], cwd=ROOT, env=env,
                                     check=True, text=True, stdout=subprocess.PIPE).stdout)
    rows = ",\n".join(f'{{"{vid}", "{token}"}}' for vid, token in data["visitors"])
    lua.write_text(f'return {{site = "{data["site"]}", origin = "{data["origin"]}", now_ms = {data["now_ms"]},\n'
                   f"visitors = {{\n{rows}\n}}}}\n")
    return data


def postgres_reset() -> str:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {PG_DB}"], check=True)
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {PG_DB}"], check=True)
    return f"{PG}/{PG_DB}"


def redis_flush() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


class Server:
    """gunicorn as deployed (config/gunicorn.py: two worker processes, threads so that the embedded mode can
    group its commits); the baseline view and the collector are served by the same server."""

    def __init__(self, env: dict):
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi", "--log-level", "warning"],
            cwd=ROOT, env={**env, "WEB_BIND": f"127.0.0.1:{PORT}"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/schema/", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def worker_peak_mb(self) -> float:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return max(vm_hwm_mb(int(pid)) for pid in children)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wrk(path: str, seconds: int = WRK_SECONDS, seed: int = 1, script: str = "collect.lua",
        visitors: Path = VISITORS_LUA) -> dict:
    env = {**os.environ, "ATTUNE_BENCH_LUA_DATA": str(visitors), "ATTUNE_BENCH_PATH": path,
           "ATTUNE_BENCH_SEED": str(seed)}
    out = subprocess.run(["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "-s", str(ROOT / "bench" / script),
                          f"http://127.0.0.1:{PORT}"], env=env, check=True, text=True, stdout=subprocess.PIPE).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rate": rate, "non_2xx": int(bad.group(1)) if bad else 0, "requests": total}


BASELINES = {  # bench key: path (config/bench_views.py)
    "bare_django_view": "/bench/django-view",
    "bare_wsgi": "/bench/wsgi",
    "django_stack_view": "/bench/django-stack",
    "append_only": "/bench/append-only",
}


def collector_ratio(env: dict) -> dict:
    """The collector (Redis mode, served as deployed: before Django's middleware) against a bare Django view on the
    same server that only parses the same batch and answers 204: Django's handler, URL routing, request and
    response, no middleware (`collector_ratio_redis`, the issue's baseline, which it calibrates at about 6,000
    batches/s under gunicorn on its machine). Side by side, round after round, with the same bodies:
    - a plain WSGI callable doing the same work, no Django at all (`collector_ratio_redis_vs_raw_wsgi`): stricter;
    - the bare view through this project's middleware stack (`collector_ratio_redis_vs_django_stack`): reference;
    - an endpoint that checks nothing and only hands the raw body to the stream as the collector does
      (`append_only_ratio_redis_vs_raw_wsgi`): the ceiling that this hand-off leaves any checking."""
    log("collector vs bare endpoints, Redis mode, gunicorn -c config/gunicorn.py")
    server = Server(env)
    try:
        for path in ("/collect", *BASELINES.values()):
            wrk(path, seconds=2)
        collector, rates = [], {name: [] for name in BASELINES}
        for round_ in range(WRK_ROUNDS):
            collector.append(wrk("/collect", seed=20 + round_))
            for index, (name, path) in enumerate(BASELINES.items()):
                rates[name].append(wrk(path, seed=10 * index + round_)["rate"])
        peak = server.worker_peak_mb()
    finally:
        server.stop()
    failures = sum(run["non_2xx"] for run in collector)
    if failures:
        raise RuntimeError(f"{failures} collector requests were not accepted")
    rate = {name: statistics.mean(runs) for name, runs in rates.items()}
    collector_rate = statistics.mean(run["rate"] for run in collector)
    log(f"collector {collector_rate:.0f}/s; " + ", ".join(f"{name} {value:.0f}/s" for name, value in rate.items()))
    return {**{f"{name}_batches_per_s": round(value) for name, value in rate.items()},
            "collector_batches_per_s_redis": round(collector_rate),
            "collector_ratio_redis": round(collector_rate / rate["bare_django_view"], 3),
            "collector_ratio_redis_vs_raw_wsgi": round(collector_rate / rate["bare_wsgi"], 3),
            "collector_ratio_redis_vs_django_stack": round(collector_rate / rate["django_stack_view"], 3),
            "append_only_ratio_redis_vs_raw_wsgi": round(rate["append_only"] / rate["bare_wsgi"], 3),
            "web_worker_peak_mb": round(peak, 1)}


def stream_fill(env: dict, events: int) -> int:
    """Queue `events` events (batches of 20) straight onto the stream as the collector queues a clean tracker batch:
    the tracker's body forwarded as sent, for the drain to finish (collect/entry.py). Ids are UUIDv7 (milliseconds
    first), as the tracker makes them."""
    code = f"""
import orjson, random, uuid, time
from django.conf import settings
from personalization.collect.batch import CollectedBatch
from personalization.collect.entry import entry_encode_forwarded
from personalization.ingest.redis_client import redis_client
from personalization.models import Site
site = Site.objects.get(name="bench")
now = int(time.time() * 1000)
url = "http://127.0.0.1:8000/shop/p/trail-runner/"
kinds = [("page_view", {{"page_type": "product"}}), ("scroll", {{"depth": 50, "max": 50}}),
         ("engagement", {{"engaged_ms": 15000, "final": False}}), ("click", {{"tag": "a", "href": "/shop/p/rain-boot/"}}),
         ("hover", {{"dwell_ms": 1800}})]
pipe = redis_client().pipeline(transaction=False)
for b in range({events // 20}):
    vid = f"bench-visitor-{{b % 1000:05d}}"
    batch = CollectedBatch(site_id=site.pk, site_key=site.public_key, received_ms=now, visitor_id=vid,
                           consent="analytics,necessary,personalization", device_type="desktop")
    body = []
    for i in range(20):
        kind, props = kinds[i % 5]
        event_id = uuid.UUID(int=(now + b) << 80 | 7 << 76 | random.getrandbits(76) & ~(0xC << 60) | 2 << 62)
        body.append({{"id": str(event_id), "type": kind, "ts": now - (20 - i) * 50 + b, "seq": i, "url": url,
                     "pv": f"pv-{{vid}}-{{b // 1000}}", "cat": "shoes", "props": props}})
    entry = entry_encode_forwarded(batch, body=orjson.dumps({{"site": site.public_key, "vid": vid, "sent": now,
                                                              "events": body}}), skew_ms=0)
    pipe.xadd(settings.ATTUNE["STREAM_KEY"], {{"b": entry}})
    if b % 1000 == 999:
        pipe.execute()
pipe.execute()
"""
    subprocess.run([PYTHON, "manage.py", "shell", "-v0", "-c", code], cwd=ROOT, env=env, check=True)
    return events // 20 * 20


def drain_rate(env: dict, database_url: str) -> dict:
    """The Redis stream drained into PostgreSQL (events, sessions and profiles) by BENCH_DRAIN_WORKERS drain
    workers (2, one per core of the benchmark machine), timed from the workers' start to an empty stream. The bench
    site has a rule segment, so the drain stamps segments on events and queues membership refreshes, which a Celery
    worker runs meanwhile on the same cores."""
    workers = int(os.environ.get("BENCH_DRAIN_WORKERS", "2"))
    log(f"drain: {DRAIN_EVENTS} events from the Redis stream into PostgreSQL, {workers} drain workers and a Celery "
        "worker refreshing the bench site's segment memberships")
    redis_flush()
    queued = stream_fill(env, DRAIN_EVENTS)
    celery = subprocess.Popen([str(Path(PYTHON).parent / "celery"), "-A", "config", "worker", "--concurrency", "1",
                               "--loglevel", "WARNING", "--without-gossip", "--without-mingle"], cwd=ROOT, env=env)
    try:
        started = time.monotonic()
        processes = [subprocess.Popen([PYTHON, "manage.py", "drain_events", "--until-empty"], cwd=ROOT, env=env,
                                      stdout=subprocess.PIPE, text=True) for _ in range(workers)]
        peak = 0.0
        while any(process.poll() is None for process in processes):
            peak = max([peak] + [vm_hwm_mb(p.pid) for p in processes if p.poll() is None])
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        celery.send_signal(signal.SIGTERM)
        celery.wait(timeout=60)
    stored = sum(int(re.search(r"Stored (\d+) events", p.stdout.read()).group(1)) for p in processes)
    if stored != queued:
        raise RuntimeError(f"drain stored {stored} of {queued} events")
    log(f"drained {stored} events in {elapsed:.1f}s")
    return {"drain_events_per_s": round(stored / elapsed), "drain_worker_peak_mb": round(peak, 1),
            "drain_workers": workers, "postgres_copy_rows_per_s": postgres_copy_rate(database_url)}


def postgres_copy_rate(database_url: str) -> int:
    """This machine's yardstick for the drain: the rows it stored, copied again with a plain COPY into a table
    with the same columns and indexes, nothing else (the issue quotes about 190,000 rows/s on its machine)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        data = bytearray()
        with connection.cursor().copy("COPY personalization_event TO STDOUT") as copy:
            for chunk in copy:
                data += chunk
        rows = data.count(b"\n")
        connection.execute("DROP TABLE IF EXISTS bench_event_copy")
        connection.execute("CREATE TABLE bench_event_copy (LIKE personalization_event INCLUDING ALL)")
        started = time.monotonic()
        with connection.transaction(), connection.cursor().copy("COPY bench_event_copy FROM STDIN") as copy:
            copy.write(bytes(data))
        elapsed = time.monotonic() - started
        connection.execute("DROP TABLE bench_event_copy")
    return round(rows / elapsed)


def sqlite_rate() -> dict:
    log("embedded mode: collector writing into SQLite in the request")
    sqlite_url = f"sqlite:///{WORK / 'embedded.sqlite3'}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{WORK / 'embedded.sqlite3'}{suffix}").unlink(missing_ok=True)
    env = django_env(database_url=sqlite_url)
    visitors = WORK / "visitors-sqlite.lua"  # its own: the PostgreSQL site's stays for the parts after this one
    prepare_database(env, lua=visitors)
    server = Server(env)
    try:
        wrk("/collect", seconds=3, seed=5, visitors=visitors)
        time.sleep(2)  # requests the warm-up left open commit before the count
        before = sqlite_events(WORK / "embedded.sqlite3")
        run = wrk("/collect", seed=6, visitors=visitors)
        time.sleep(2)
        stored = sqlite_events(WORK / "embedded.sqlite3") - before
    finally:
        server.stop()
    if run["non_2xx"]:
        raise RuntimeError(f"{run['non_2xx']} embedded-mode requests failed")
    # Every answer came after its 20 events were committed; requests still open when wrk stopped counting
    # (at most one per connection) were stored too.
    if not run["requests"] * 20 <= stored <= (run["requests"] + WRK_CONNECTIONS) * 20:
        raise RuntimeError(f"{run['requests']} batches of 20 were answered, but {stored} events were stored")
    return {"collector_events_per_s_sqlite": round(run["rate"] * 20)}


def sqlite_events(path: Path) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as database:
        return database.execute("SELECT count(*) FROM personalization_event").fetchone()[0]


def end_to_end(env: dict) -> dict:
    """Latency from the collector's receipt of a batch to the commit of its events, sessions and profile."""
    log(f"end to end at a steady 2,000 events/s for {E2E_SECONDS}s (collector + one drain worker)")
    redis_flush()
    latency_file = WORK / "latencies.json"
    server = Server(env)
    worker = subprocess.Popen([PYTHON, "manage.py", "drain_events", "--latency-file", str(latency_file)], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL)
    try:
        drain_worker_wait(worker)  # latency is measured from a running system, not from a worker still starting
        data = json.loads((WORK / "visitors.json").read_text())
        steady_sender(data, batches_per_second=100, seconds=E2E_SECONDS)
        time.sleep(3)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        server.stop()
    weighted = sorted(ms for ms, n in json.loads(latency_file.read_text()) for _ in range(n))
    if not weighted:
        raise RuntimeError("no latencies were recorded")
    return {"e2e_p50_ms": weighted[len(weighted) // 2], "e2e_p99_ms": weighted[int(len(weighted) * 0.99) - 1],
            "e2e_events": len(weighted)}


def drain_worker_wait(worker: subprocess.Popen, timeout: float = 60) -> None:
    """Return once the drain worker has joined the stream's consumer group (its first read)."""
    import redis

    client = redis.Redis.from_url(REDIS)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and worker.poll() is None:
        streams = client.scan_iter(_type="STREAM")  # the bench's Redis database holds the event stream only
        if any(group["consumers"] for key in streams for group in client.xinfo_groups(key)):
            return
        time.sleep(0.1)
    raise RuntimeError("the drain worker did not start")


def collect_post(connection, data: dict, visitor: str, token: str, events: list[dict]) -> None:
    """POST one batch to the collector as the tracker sends it, over a kept-alive connection; raises unless 202."""
    body = json.dumps({"site": data["site"], "vid": visitor, "sent": int(time.time() * 1000), "consent": token,
                       "events": events})
    connection.request("POST", "/collect", body, {"Origin": data["origin"], "Content-Type": "text/plain",
                                                  "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"})
    response = connection.getresponse()
    response.read()
    if response.status != 202:
        raise RuntimeError(f"collector answered {response.status}")


def steady_sender(data: dict, *, batches_per_second: int, seconds: int) -> None:
    """Two threads send batches of 20 events at a fixed rate over keep-alive connections."""
    import http.client
    import uuid

    def send(thread: int, count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT)
        start = time.monotonic()
        for index in range(count):
            due = start + index * 2 / batches_per_second
            time.sleep(max(0.0, due - time.monotonic()))
            visitor, token = data["visitors"][(index * 2 + thread) % len(data["visitors"])]
            now = int(time.time() * 1000)
            collect_post(connection, data, visitor, token, [
                {"id": str(uuid.uuid4()), "type": "click", "ts": now - i, "props": {"tag": "a"}} for i in range(20)])

    threads = [threading.Thread(target=send, args=(t, batches_per_second * seconds // 2)) for t in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def tracker_speed() -> dict:
    """Main-thread time the tracker spends per event in Debian's Chromium: attune('track') calls and
    delegated clicks, timed in the page (well under 1 ms is the target)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if not chromium:
        return {}
    log("tracker: main-thread time per event in Chromium")
    script = (ROOT / "tracker_js" / "dist" / "attune.js").read_text()
    payload = base64.urlsafe_b64encode(json.dumps({"s": "pk_bench", "v": "bench-visitor-1", "g": ["analytics", "necessary"],
                                                   "p": 0, "t": 1}).encode()).decode().rstrip("=")
    html = ('<!doctype html><html><head><script data-site="pk_bench" data-endpoint="/collect"></script></head>'
            '<body><button id="target" data-attune-campaign="b">Add to cart</button></body></html>')
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.route("**/collect", lambda route: route.fulfill(status=202, body="{}"))
        page.route("http://bench.local/", lambda route: route.fulfill(status=200, body=html,
                                                                      content_type="text/html"))
        page.goto("http://bench.local/")
        page.context.add_cookies([{"name": "attune_consent", "value": f"{payload}:1:sig", "url": "http://bench.local/"}])
        page.evaluate(script)
        timings = page.evaluate("""() => {
            const track = [], click = [], target = document.getElementById('target');
            for (let i = 0; i < 2000; i++) {
                let t = performance.now(); attune('track', 'bench', {i}); track.push(performance.now() - t);
                t = performance.now(); target.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));
                click.push(performance.now() - t);
            }
            const p99 = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length * 0.99)];
            const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
            return {track_mean: mean(track), track_p99: p99(track), click_mean: mean(click), click_p99: p99(click)};
        }""")
        browser.close()
    return {f"tracker_{key}_ms": round(value, 4) for key, value in timings.items()}


def simulator_rate() -> dict:
    """The traffic simulator feeding the collector's checks and write path into SQLite."""
    visitors = int(os.environ.get("BENCH_SIMULATED_VISITORS", "1000"))
    log(f"simulator: {visitors} visitors into SQLite")
    path = WORK / "simulated.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    env = django_env(database_url=f"sqlite:///{path}")
    manage(env, "migrate", "--noinput", "-v0")
    subprocess.run([PYTHON, "manage.py", "shell", "-v0", "-c", "from demo.services import demo_content_load, "
                    "demo_site_ensure; demo_content_load(); demo_site_ensure()"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    process = subprocess.Popen([PYTHON, "manage.py", "simulate_traffic", "--visitors", str(visitors), "--days", "30",
                                "--seed", "5", "--no-progress"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, vm_hwm_mb(process.pid))
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    events = int(re.search(r"(\d+) events handed over", process.stdout.read()).group(1))
    return {"simulator_events_per_s": round(events / elapsed), "simulator_visitors_per_s": round(visitors / elapsed, 1),
            "simulator_peak_mb": round(peak, 1)}


def segments_benchmarks(database_url: str) -> dict:
    """Segmentation quality on simulated archetypes, full runs at 10k, 100k and 1M profiles, and assignment."""
    sys.path.insert(0, str(ROOT))
    from bench import segments_bench

    env = django_env(database_url=database_url)  # embedded writes: the simulator stores as it goes
    quality = segments_bench.segments_quality(python=PYTHON, root=ROOT, env=env, log=log) \
        if segments_bench.VISITORS else {}
    return {**quality, **segments_bench.segments_scale(python=PYTHON, root=ROOT, env=env, log=log, peak_of=vm_hwm_mb)}


def decide_benchmarks(env: dict) -> dict:
    """The server's decision for a product page's 5 slots among 200 active rules (profile read once, as in a
    request), then GET /decide against a bare Django JSON view on the same gunicorn server, side by side."""
    log("decide: 200 rules, 5 slots; GET /decide vs a bare Django JSON view")
    setup = (ROOT / "bench" / "decide_bench.py").read_text()
    server_env = {**env, "ATTUNE_BENCH_VISITORS": str(WORK / "visitors.json")}
    figures = json.loads(subprocess.run([PYTHON, "manage.py", "shell", "-v0", "-c", setup], cwd=ROOT, env=server_env,
                                        check=True, text=True, stdout=subprocess.PIPE).stdout)
    server = Server(env)
    try:
        for path in ("/decide", "/bench/django-json"):
            wrk(path, seconds=2, script="decide.lua")
        decide, bare = [], []
        for _ in range(WRK_ROUNDS):
            decide.append(wrk("/decide", script="decide.lua"))
            bare.append(wrk("/bench/django-json", script="decide.lua")["rate"])
        freshness = decide_freshness(env)
    finally:
        server.stop()
    failures = sum(run["non_2xx"] for run in decide)
    if failures:
        raise RuntimeError(f"{failures} /decide requests were not answered 200")
    decide_rate, bare_rate = statistics.mean(run["rate"] for run in decide), statistics.mean(bare)
    log(f"/decide {decide_rate:.0f}/s, bare JSON view {bare_rate:.0f}/s")
    return {**figures, "decide_per_s": round(decide_rate), "bare_django_json_per_s": round(bare_rate),
            "decide_ratio": round(decide_rate / bare_rate, 3), **freshness, **decide_js_size()}


FRESHNESS_PROBES = 200


def decide_freshness(env: dict) -> dict:
    """Redis mode, the server running: from the collector's receipt of a visitor's second purchase to /decide
    answering the rule that asks for two purchases, under a steady 2,000 events/s (collector + one drain worker).
    Each of FRESHNESS_PROBES bench visitors (one purchase each so far) asks once, buys, and asks every 5 ms."""
    import http.client
    import uuid

    log(f"decide freshness: {FRESHNESS_PROBES} second purchases under a steady 2,000 events/s")
    data = json.loads((WORK / "visitors.json").read_text())
    worker = subprocess.Popen([PYTHON, "manage.py", "drain_events"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    sender = threading.Thread(target=steady_sender, args=(data,), kwargs={"batches_per_second": 100, "seconds": 20})
    latencies = []
    try:
        drain_worker_wait(worker)
        sender.start()
        connection = http.client.HTTPConnection("127.0.0.1", PORT)
        query = f"/decide?site={data['site']}&slots=second_purchase&path=/checkout/"

        def decided(token: str) -> bool:
            connection.request("GET", query, headers={"Origin": data["origin"], "X-Attune-Consent": token})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"/decide answered {response.status}: {body[:200]!r}")
            return b"second_purchase" in body

        for visitor, token in data["visitors"][-FRESHNESS_PROBES:]:
            if decided(token):
                raise RuntimeError("the rule showed before the second purchase")
            started = time.monotonic()
            collect_post(connection, data, visitor, token, [{"id": str(uuid.uuid4()), "type": "track",
                                                             "name": "purchase", "ts": int(time.time() * 1000),
                                                             "props": {"revenue": 10}}])
            while not decided(token):
                if time.monotonic() - started > 10:
                    raise RuntimeError("a second purchase did not show in /decide within 10 s")
                time.sleep(0.005)
            latencies.append((time.monotonic() - started) * 1000)
    finally:
        if sender.is_alive():
            sender.join()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    latencies.sort()
    return {"decide_freshness_p50_ms": round(latencies[len(latencies) // 2], 1),
            "decide_freshness_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1)}


def decide_js_size() -> dict:
    built = ROOT / "tracker_js" / "dist" / "attune-decide.js"
    return {"decide_js_gzip_bytes": len(gzip.compress(built.read_bytes(), compresslevel=9))} if built.exists() else {}


def tracker_size() -> dict:
    built = ROOT / "tracker_js" / "dist" / "attune.js"
    if not built.exists():
        return {}
    return {"tracker_gzip_bytes": len(gzip.compress(built.read_bytes(), compresslevel=9)),
            "tracker_min_bytes": built.stat().st_size}


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it).")
    WORK.mkdir(parents=True, exist_ok=True)
    only = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))  # e.g. BENCH_ONLY=sqlite,drain
    wanted = lambda part: not only or part in only  # noqa: E731
    results: dict = {}
    database_url = postgres_reset()
    env = django_env(database_url=database_url, redis_url=REDIS)
    redis_flush()
    data = prepare_database(env)
    (WORK / "visitors.json").write_text(json.dumps(data))
    try:
        parts_run(results, env, database_url, wanted)
    finally:  # a part that fails keeps the figures of those before it
        redis_flush()
        (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def dashboard_benchmarks() -> dict:
    """Dashboards over 1,000,000 events in their own PostgreSQL database (bench/dashboards_bench.py)."""
    log("dashboards: 1,000,000 events through the write path, the counting job, then each dashboard")
    database = "attune_bench_dashboards"
    for statement in (f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}"):
        subprocess.run(["psql", f"{PG}/postgres", "-qc", statement], check=True)
    env = django_env(database_url=f"{PG}/{database}")
    manage(env, "migrate", "--noinput", "-v0")
    script = (ROOT / "bench" / "dashboards_bench.py").read_text()
    return json.loads(subprocess.run([PYTHON, "manage.py", "shell", "-v0", "-c", script], cwd=ROOT, env=env,
                                     check=True, text=True, stdout=subprocess.PIPE).stdout)


def experiment_benchmarks() -> dict:
    """Experiment statistics on simulated traffic: bandit share, lift-interval coverage, A/A false positives, SRM."""
    log("experiments: simulated A/B, A/A and bandit traffic")
    sys.path.insert(0, str(ROOT))
    from bench import experiment_checks

    return experiment_checks.figures()


def parts_run(results: dict, env: dict, database_url: str, wanted) -> None:
    if wanted("ratio"):
        results.update(collector_ratio(env))
    if wanted("drain"):
        results.update(drain_rate(env, database_url))
    if wanted("e2e"):
        results.update(end_to_end(env))
    if wanted("sqlite"):
        results.update(sqlite_rate())
    if wanted("simulator"):
        results.update(simulator_rate())
    if wanted("tracker"):
        results.update(tracker_speed())
    if wanted("segments"):
        results.update(segments_benchmarks(database_url))
    if wanted("decide"):
        results.update(decide_benchmarks(env))
    if wanted("dashboards"):
        results.update(dashboard_benchmarks())
    if wanted("experiments"):
        results.update(experiment_benchmarks())
    results.update(tracker_size())
    results.update(decide_js_size())


if __name__ == "__main__":
    main()
