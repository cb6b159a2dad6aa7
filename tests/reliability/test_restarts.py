"""Every event that got a 202 is stored exactly once, while Redis and PostgreSQL restart under load."""

import shutil
import subprocess
import threading
import time

import pytest
from django.db import connection
from django.db.models import Sum

from personalization.models import Event, Profile, Session

from ..conftest import ORIGIN, consent_token
from ..personalization.test_pipeline_redis import database_url
from ..services import service_missing
from .harness import Ledger, PrivateRedis, child_env, classify, drain_worker, sender, stop, web_server

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def postgresql_restart() -> None:
    """Restart the machine's PostgreSQL (root, Debian's pg_ctlcluster); else end every connection to the
    test database, which is what a restart does to the drain workers."""
    if shutil.which("pg_ctlcluster") and subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() == "0":
        version = subprocess.run(["ls", "/etc/postgresql"], capture_output=True, text=True).stdout.split()[0]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True,
                       capture_output=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    connection.close()


def run(site, restart) -> dict:
    redis = PrivateRedis()
    if not redis.binary:
        service_missing("redis-server (to run a private Redis that the test can restart)")
    redis.start()
    env = child_env(database_url(), redis.url)
    web, url = web_server(env)
    workers = [drain_worker(env), drain_worker(env)]
    ledger = Ledger()
    tokens = [(f"visitor-rel-{i:03d}", consent_token(f"visitor-rel-{i:03d}", "analytics")) for i in range(20)]
    try:
        threads = [threading.Thread(target=sender, kwargs=dict(url=url, site_key=site.public_key, origin=ORIGIN,
                                                                  tokens=tokens, batches=40, ledger=ledger, thread=t))
                   for t in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        restart(redis)
        for thread in threads:
            thread.join(timeout=240)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Event.objects.count() < len(ledger.accepted):
            time.sleep(0.5)
        time.sleep(2)  # anything still being replayed lands now
    finally:
        for process in (*workers, web):
            stop(process)
        redis.stop()
    for worker in workers:
        assert worker.returncode == 0, worker.stderr.read().decode()[-2000:]  # survived the restart
    result = classify(ledger, [str(e) for e in Event.objects.values_list("event_id", flat=True)])
    # Replays must not count twice in the aggregates either: every stored event once in a profile and a session.
    result["in_profiles"] = Profile.objects.aggregate(total=Sum("events"))["total"]
    result["in_sessions"] = Session.objects.aggregate(total=Sum("events"))["total"]
    return result


def test_redis_killed_and_restarted_mid_run_loses_nothing_and_doubles_nothing(site):
    def restart(redis):
        redis.kill()
        time.sleep(1.0)
        redis.start()

    result = run(site, restart)
    assert result["refused_answers"] > 0, "Redis must really have been down while batches were sent"
    assert result["accepted"] == result["sent"] == 4 * 40 * 20, result
    assert (result["lost"], result["duplicated"], result["unexpected"]) == (0, 0, 0), result
    assert result["stored"] == result["sent"] == result["in_profiles"] == result["in_sessions"], result


def test_postgresql_restarted_mid_run_loses_nothing_and_doubles_nothing(site):
    if connection.vendor != "postgresql":
        pytest.skip("runs against PostgreSQL (CI's first pass); the SQLite pass has no database server to restart")

    def restart(redis):
        postgresql_restart()
        time.sleep(1.0)

    result = run(site, restart)
    assert result["accepted"] == result["sent"], result
    assert (result["lost"], result["duplicated"], result["unexpected"]) == (0, 0, 0), result
    assert result["stored"] == result["in_profiles"] == result["in_sessions"], result
