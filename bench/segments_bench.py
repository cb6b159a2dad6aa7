"""Segmentation benchmarks (part `segments` of `make bench`), in PostgreSQL.

- quality: simulator traffic of BENCH_SEGMENT_VISITORS (20,000) visitors of the four archetypes; the automatic
  pipeline (k not given) clusters them, and the adjusted Rand index against the archetypes (kept by the simulator,
  outside the product) says how well it found them.
- scale: synthetic profiles written straight into PostgreSQL (10k, 100k, 1M: BENCH_SEGMENT_SIZES), each a person of
  one of four behaviors with consent to personalization; `manage.py segments_run` over each, timed, peak memory read.
- assignment: placing people whose figures changed in their segments (rule segments and nearest cluster), per person.
"""

import json
import os
import random
import subprocess
import time

SIZES = [int(n) for n in os.environ.get("BENCH_SEGMENT_SIZES", "10000,100000,1000000").split(",")]
VISITORS = int(os.environ.get("BENCH_SEGMENT_VISITORS", "20000"))
DAY_MS = 86_400_000
BEHAVIORS = (  # sessions, pages/session, engaged s/page, scroll %, clicks/page, purchases, promo share, channel
    (3, 8, 22, 60, 2.5, 0.3, 0.6, "search"),
    (12, 4, 18, 55, 1.5, 6.0, 0.05, "direct"),
    (1, 2, 7, 30, 0.6, 0.0, 0.1, "social"),
    (9, 5, 110, 92, 1.2, 0.1, 0.02, "email"),
)

QUALITY_SCRIPT = """
import json
from sklearn.metrics import adjusted_rand_score
from demo.models import SimulatedVisitor
from personalization.models import Visitor
from segments.models import ClusteringRun, Membership
run = ClusteringRun.objects.get(pk={run_id})
segment_of = dict(Membership.objects.filter(segment__config=run.config).values_list("profile_id", "segment_id"))
truth = dict(SimulatedVisitor.objects.values_list("visitor_id", "archetype"))
pairs = [(truth[v], segment_of[p]) for v, p in Visitor.objects.values_list("visitor_id", "profile_id")
         if p in segment_of and v in truth]
print(json.dumps({{"ari": adjusted_rand_score([t for t, _ in pairs], [c for _, c in pairs]), "visitors": len(pairs)}}))
"""

ASSIGN_SCRIPT = """
import json, time
from personalization.models import Profile
from segments.services.memberships import memberships_refresh
site_id = Profile.objects.values_list("site_id", flat=True).first()
ids = list(Profile.objects.filter(site_id=site_id).order_by("?").values_list("pk", flat=True)[:{n}])
memberships_refresh(site_id=site_id, profile_ids=ids[:50])  # warm
started = time.perf_counter()
for start in range(0, len(ids), 200):
    memberships_refresh(site_id=site_id, profile_ids=ids[start:start + 200])
print(json.dumps({{"us": (time.perf_counter() - started) / len(ids) * 1e6}}))
"""


def shell(python: str, root, env: dict, code: str) -> dict:
    out = subprocess.run([python, "manage.py", "shell", "-v0", "-c", code], cwd=root, env=env, check=True, text=True,
                         stdout=subprocess.PIPE).stdout
    return json.loads(out.strip().splitlines()[-1])


def timed_run(python: str, root, env: dict, site: str, peak_of, *extra: str) -> tuple[dict, float, float]:
    started = time.monotonic()
    process = subprocess.Popen([python, "manage.py", "segments_run", "--site", site, "--json", *extra], cwd=root,
                               env=env, stdout=subprocess.PIPE, text=True)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, peak_of(process.pid))
        time.sleep(0.05)
    output = process.stdout.read()
    if process.returncode:
        raise RuntimeError(f"segments_run failed for {site}: {output}")
    return json.loads(output), time.monotonic() - started, peak


def segments_quality(*, python: str, root, env: dict, log) -> dict:
    """Simulated archetypes clustered with k chosen automatically; ARI against the archetypes."""
    log(f"segments: simulating {VISITORS} visitors")
    subprocess.run([python, "manage.py", "shell", "-v0", "-c", "from demo.services import demo_content_load, "
                    "demo_site_ensure, demo_segments_ensure; demo_content_load(); "
                    "demo_segments_ensure(demo_site_ensure()[0])"], cwd=root, env=env, check=True)
    subprocess.run([python, "manage.py", "simulate_traffic", "--visitors", str(VISITORS), "--days", "30", "--seed",
                    "7", "--no-progress"], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    summary, seconds, _ = timed_run(python, root, env, "Attune demo", lambda pid: 0.0)
    quality = shell(python, root, env, QUALITY_SCRIPT.format(run_id=summary["id"]))
    assign = shell(python, root, env, ASSIGN_SCRIPT.format(n=2000))
    return {"segments_ari": round(quality["ari"], 3), "segments_k_chosen": summary["k"],
            "segments_silhouette": round(summary["silhouette"], 3), "segments_population": summary["population"],
            "segments_run_seconds_20k": round(seconds, 1), "segments_assign_us": round(assign["us"], 1)}


SCALE_SCRIPT = "import json; from bench.segments_bench import synthetic_site_write; " \
    "print(json.dumps(synthetic_site_write({count})))"


def synthetic_site_write(count: int) -> dict:
    """A site of `count` synthetic people (one device each, consent to personalization), written with COPY; run
    inside `manage.py shell`."""
    import io

    from django.db import connection

    from personalization.ingest.profile_rows import PROFILE_DEFAULTS
    from personalization.services.sites import site_create
    from segments.models import ClusteringConfig

    site = site_create(name=f"Bench {count}", origins=["http://127.0.0.1"]).site
    ClusteringConfig.objects.create(site=site, name="Behavior", window_days=0)
    rng, now = random.Random(count), int(time.time() * 1000)
    stamp = iso(now)
    columns = ["site_id", "origin_visitor_id", "updated_at", *PROFILE_DEFAULTS, "first_seen", "last_seen"]
    people, devices, consents = io.StringIO(), io.StringIO(), io.StringIO()
    granted = json.dumps(["necessary", "analytics", "personalization"])
    for n in range(count):
        figures = {**PROFILE_DEFAULTS, **person(rng, now), "site_id": site.pk, "origin_visitor_id": f"b{site.pk}-{n}",
                   "updated_at": stamp}
        people.write("\t".join(str(figures[column]) for column in columns) + "\n")
        devices.write(f"{site.pk}\tb{site.pk}-{n}\n")
        consents.write("\t".join((site.public_key, f"b{site.pk}-{n}", "", granted, "[]", "0", "banner", "", "",
                                   stamp)) + "\n")
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY personalization_profile ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(people.getvalue())
        cursor.execute("CREATE TEMP TABLE bench_devices (site_id int, visitor_id text)")
        with cursor.copy("COPY bench_devices FROM STDIN") as copy:
            copy.write(devices.getvalue())
        cursor.execute("INSERT INTO personalization_visitor (site_id, visitor_id, profile_id, is_bot, first_seen) "
                       "SELECT d.site_id, d.visitor_id, p.id, false, now() FROM bench_devices d "
                       "JOIN personalization_profile p ON p.site_id = d.site_id AND p.origin_visitor_id = d.visitor_id")
        with cursor.copy("COPY consent_consentrecord (site_key, visitor_id, user_key, granted, denied, policy_version, "
                         "source, language, client_address, created_at) FROM STDIN") as copy:
            copy.write(consents.getvalue())
        cursor.execute("ANALYZE personalization_profile, personalization_visitor, consent_consentrecord")
    return {"site": site.name}


def iso(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(ms / 1000))


def person(rng: random.Random, now: int) -> dict:
    """One synthetic person's figures, of one of the four behaviors (each drawn around its typical values)."""
    sessions, pages, engaged, scroll, clicks, purchases, promo, channel = rng.choice(BEHAVIORS)
    s = max(1, round(rng.lognormvariate(0, 0.4) * sessions))
    pv = max(2, round(s * pages * rng.lognormvariate(0, 0.3)))
    bought = round(purchases * rng.lognormvariate(0, 0.5)) if purchases else 0
    last = now - rng.randint(0, 20) * DAY_MS
    return {"first_seen": iso(last - rng.randint(1, 60) * DAY_MS), "last_seen": iso(last), "events": pv * 3,
            "sessions": s, "pageviews": pv, "engaged_ms": round(pv * engaged * 1000 * rng.lognormvariate(0, 0.4)),
            "scroll_sum": pv * scroll, "scrolled_pages": pv, "clicks": round(pv * clicks), "conversions": bought,
            "goal_counts": json.dumps({"purchase": bought} if bought else {}),
            "event_counts": json.dumps({"add_to_cart": 2 * bought} if bought else {}),
            "promo_pageviews": round(pv * promo), "channel_sessions": json.dumps({channel: s}),
            "device_type": "mobile" if rng.random() < 0.4 else "desktop"}


def segments_scale(*, python: str, root, env: dict, log, peak_of) -> dict:
    """Full runs over synthetic populations of each size: wall time and the run's peak memory."""
    results = {}
    for count in SIZES:
        log(f"segments: writing {count} synthetic profiles")
        site = shell(python, root, env, SCALE_SCRIPT.format(count=count))["site"]
        log(f"segments: a full run over {count} profiles")
        summary, seconds, peak = timed_run(python, root, env, site, peak_of)
        label = f"{count // 1_000_000}m" if count >= 1_000_000 else f"{count // 1000}k"
        results.update({f"segments_{label}_seconds": round(seconds, 1), f"segments_{label}_peak_mb": round(peak, 1),
                        f"segments_{label}_k": summary["k"]})
    return results
