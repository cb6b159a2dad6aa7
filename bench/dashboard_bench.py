"""Dashboard benchmark (dashboard_1m_ms), in PostgreSQL: a synthetic site of 1,000,000 events in about 100,000
sessions of 30,000 visitors over 90 days (with their profiles, consent choices, segments and membership history),
written with COPY; then the site overview (rules/overview.py) over the largest range the page allows, timed.

The drain part of `make bench` stores 300,000 events of 1,000 visitors within seconds (about 1,000 sessions on one
day), which says little about a dashboard; hence a site of its own, shaped like a shop's traffic."""

import io
import json
import random
import statistics
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta

EVENTS = 1_000_000
SESSIONS = 100_000
VISITORS = 30_000
DAYS = 90
BOT_SHARE = 0.02
SEGMENTS = ("loyal", "browsers", "bargain-hunters", "newcomers")
KINDS = ("page_view", "engagement", "scroll", "click")

WRITE_SCRIPT = "import json; from bench.dashboard_bench import dashboard_site_write; " \
    "print(json.dumps(dashboard_site_write()))"
TIME_SCRIPT = "import json; from bench.dashboard_bench import overview_timed; " \
    "print(json.dumps({{'ms': overview_timed({site_id})}}))"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f+00")


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows: io.StringIO) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(rows.getvalue())


def dashboard_site_write(*, events: int = EVENTS, sessions: int = SESSIONS, visitors: int = VISITORS,
                         days: int = DAYS, seed: int = 15) -> dict:
    """A synthetic site ("Dashboard bench") written with COPY; run inside `manage.py shell`. Returns its id."""
    from django.db import connection

    from personalization.services.sites import site_create

    site = site_create(name="Dashboard bench", origins=["http://127.0.0.1"]).site
    rng, today = random.Random(seed), datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    starts = sorted(today - timedelta(days=days - 1, seconds=-rng.randrange(days * 86_400)) for _ in range(sessions))
    owner = [int(visitors * rng.random() ** 2) for _ in starts]  # a few visitors come often, most rarely
    with connection.cursor() as cursor:
        first_seen = {v: start for start, v in reversed(list(zip(starts, owner, strict=True)))}
        people_write(cursor, site, visitors, rng, first=first_seen)
        # A few more planned than kept: events_write keeps exactly `events`.
        sessions_write(cursor, site, starts, owner, events_per_session=1.05 * events / sessions, rng=rng)
        events_write(cursor, site, events)
        segments_write(cursor, site, today, days, rng)
        cursor.execute("ANALYZE")
    return {"site_id": site.pk, "events": events, "sessions": sessions}


def people_write(cursor, site, visitors: int, rng: random.Random, *, first: dict[int, datetime]) -> None:
    """Profiles, devices (a few bots) and one consent choice each on the day first seen (a tenth choose again)."""
    from personalization.ingest.profile_rows import PROFILE_DEFAULTS

    profiles, devices, choices = io.StringIO(), io.StringIO(), io.StringIO()
    columns = ("site_id", "origin_visitor_id", "updated_at", *PROFILE_DEFAULTS)
    for v in range(visitors):
        seen = first.get(v, datetime.now(UTC))
        values = {**PROFILE_DEFAULTS, "site_id": site.pk, "origin_visitor_id": f"d-{v}", "updated_at": stamp(seen)}
        profiles.write("\t".join(str(values[c]) for c in columns) + "\n")
        devices.write(f"{site.pk}\td-{v}\t{'t' if rng.random() < BOT_SHARE else 'f'}\t{stamp(seen)}\n")
        for again in range(2 if rng.random() < 0.1 else 1):
            granted = ["necessary", *(c for c, p in (("analytics", 0.8), ("personalization", 0.6),
                                                      ("marketing", 0.3)) if rng.random() < p)]
            choices.write("\t".join((site.public_key, f"d-{v}", "", json.dumps(granted), "[]", "0", "banner", "", "",
                                     stamp(seen + timedelta(days=3 * again)))) + "\n")
    copy_rows(cursor, "personalization_profile", columns, profiles)
    cursor.execute("CREATE TEMP TABLE bench_devices (site_id int, visitor_id text, is_bot bool, first_seen timestamptz)")
    copy_rows(cursor, "bench_devices", ("site_id", "visitor_id", "is_bot", "first_seen"), devices)
    cursor.execute("INSERT INTO personalization_visitor (site_id, visitor_id, profile_id, is_bot, first_seen) "
                   "SELECT d.site_id, d.visitor_id, p.id, d.is_bot, d.first_seen FROM bench_devices d JOIN "
                   "personalization_profile p ON p.site_id = d.site_id AND p.origin_visitor_id = d.visitor_id")
    copy_rows(cursor, "consent_consentrecord", ("site_key", "visitor_id", "user_key", "granted", "denied",
                                                "policy_version", "source", "language", "client_address",
                                                "created_at"), choices)


SESSION_COLUMNS = ("site_id", "visitor_id", "profile_id", "started_at", "ended_at", "events", "pageviews", "engaged_ms",
                   "scroll_max", "entry_path", "entry_at", "entry_channel", "entry_page_type", "exit_path", "exit_at",
                   "referrer", "device_type", "conversions", "revenue_cents", "purchased", "cart_changes", "pages",
                   "closed_at", "abandoned")


def sessions_write(cursor, site, starts: list, owner: list[int], *, events_per_session: float,
                   rng: random.Random) -> None:
    """Sessions with their page figures; the events each session holds are kept in a temporary table for
    events_write."""
    rows, plan = io.StringIO(), io.StringIO()
    for start, v in zip(starts, owner, strict=True):
        count = max(2, round(rng.expovariate(1 / events_per_session)))
        pageviews = max(1, count // 4)
        pages = {f"pv-{uuid.uuid4().hex[:12]}": [rng.randrange(5_000, 120_000), rng.randrange(100), "shoes", 0, 1]
                 for _ in range(pageviews)}
        engaged = sum(page[0] for page in pages.values())
        bought = rng.random() < 0.05
        end = start + timedelta(milliseconds=engaged + 1000 * count)
        rows.write("\t".join(str(x) for x in (
            site.pk, f"d-{v}", 0, stamp(start), stamp(end), count, pageviews, engaged, 80, "/", stamp(start),
            "search", "product", "/checkout" if bought else "/", stamp(end), "", "desktop", int(bought),
            rng.randrange(1_000, 20_000) if bought else 0, "t" if bought else "f", int(bought), json.dumps(pages),
            stamp(end), "f")) + "\n")
        plan.write(f"d-{v}\t{stamp(start)}\t{count}\t{next(iter(pages))}\n")
    cursor.execute("CREATE TEMP TABLE bench_plan (visitor_id text, started_at timestamptz, events int, pv text)")
    copy_rows(cursor, "bench_plan", ("visitor_id", "started_at", "events", "pv"), plan)
    names = ", ".join(SESSION_COLUMNS)
    cursor.execute(f"CREATE TEMP TABLE bench_sessions AS SELECT {names} FROM personalization_session WITH NO DATA")
    copy_rows(cursor, "bench_sessions", SESSION_COLUMNS, rows)
    chosen = ", ".join("v.profile_id" if column == "profile_id" else f"s.{column}" for column in SESSION_COLUMNS)
    cursor.execute(f"INSERT INTO personalization_session ({names}) SELECT {chosen} FROM bench_sessions s "
                   "JOIN personalization_visitor v ON v.site_id = s.site_id AND v.visitor_id = s.visitor_id")


def events_write(cursor, site, total: int) -> None:
    """The sessions' events, made in the database from the plan (then trimmed to exactly `total`)."""
    cursor.execute(f"""
        INSERT INTO personalization_event (site_id, event_id, visitor_id, type, name, ts, received_at, seq, url, path,
            referrer, page_view_id, category, props, dimensions, source, consent, purpose, device_type, country,
            client_address)
        SELECT {site.pk}, gen_random_uuid(), p.visitor_id, (ARRAY{list(KINDS)})[1 + n % 4], '',
            p.started_at + n * interval '20 seconds', p.started_at + n * interval '20 seconds', n,
            'http://127.0.0.1:8000/shop/p/trail-runner/', '/shop/p/trail-runner/', '', p.pv, 'shoes',
            '{{"page_type": "product"}}'::jsonb, '{{}}'::jsonb, 'browser', 'analytics,necessary,personalization',
            'analytics', 'desktop', '', ''
        FROM bench_plan p, generate_series(0, p.events - 1) n
        LIMIT {total}""")


def segments_write(cursor, site, today: datetime, days: int, rng: random.Random) -> None:
    """Rule segments whose members entered over the period (a few left again), and a clustering run a week."""
    from segments.models import ClusteringConfig, ClusteringRun, Segment

    config = ClusteringConfig.objects.create(site=site, name="Behavior", window_days=0)
    for week in range(days // 7):
        ClusteringRun.objects.create(config=config, status=ClusteringRun.Status.DONE, k=4,
                                     finished_at=today - timedelta(days=7 * week + 1))
    for slug in SEGMENTS:
        segment = Segment.objects.create(site=site, name=slug.replace("-", " ").title(), slug=slug,
                                         kind=Segment.Kind.RULE)
        cursor.execute(f"""
            INSERT INTO segments_membershipchange (segment_id, profile_id, entered, at, reason)
            SELECT {segment.pk}, id, true, %s - random() * interval '{days} days', 'bench' FROM personalization_profile
            WHERE site_id = {site.pk} AND random() < {rng.uniform(0.1, 0.4)}""", [today])
        cursor.execute(f"""
            INSERT INTO segments_membershipchange (segment_id, profile_id, entered, at, reason)
            SELECT segment_id, profile_id, false, at + interval '5 days', 'bench' FROM segments_membershipchange
            WHERE segment_id = {segment.pk} AND entered AND random() < 0.2 AND at < %s - interval '5 days'""", [today])
        cursor.execute(f"""
            INSERT INTO segments_membership (segment_id, profile_id, since)
            SELECT segment_id, profile_id, max(at) FROM segments_membershipchange WHERE segment_id = {segment.pk}
            GROUP BY segment_id, profile_id HAVING count(*) = 1""")


def overview_timed(site_id: int, *, days: int | None = None, segment_slug: str = "", rounds: int = 5) -> float:
    """Milliseconds the site overview takes for the last `days` days (the page's largest range when None), for
    everyone or one segment: the median of `rounds` runs after a warm-up one. Run inside Django."""
    from django.utils import timezone

    from rules.overview import MAX_DAYS, site_overview

    until = timezone.localdate()
    since = until - timedelta(days=(days or MAX_DAYS) - 1)
    site_overview(site_id=site_id, since=since, until=until, segment_slug=segment_slug)
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        site_overview(site_id=site_id, since=since, until=until, segment_slug=segment_slug)
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1)


def dashboard_benchmarks(*, python: str, root, env: dict, log) -> dict:
    """`make bench`'s part: write the synthetic site, then time the overview in a fresh process."""
    def shell(code: str) -> dict:
        out = subprocess.run([python, "manage.py", "shell", "-v0", "-c", code], cwd=root, env=env, check=True,
                             text=True, stdout=subprocess.PIPE).stdout
        return json.loads(out.strip().splitlines()[-1])

    log(f"dashboard: writing {EVENTS} events in {SESSIONS} sessions of {VISITORS} visitors")
    site = shell(WRITE_SCRIPT)
    timed = shell(TIME_SCRIPT.format(site_id=site["site_id"]))
    log(f"dashboard: the overview over {EVENTS} events answered in {timed['ms']} ms")
    return {"dashboard_1m_ms": timed["ms"]}
