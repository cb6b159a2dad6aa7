"""A finished clustering run over a small simulated traffic, for the admin, "why" and outside-label tests."""

from datetime import UTC, datetime, timedelta

from demo.services import demo_content_load, demo_segments_ensure, demo_site_ensure
from demo.simulator.run import traffic_simulate
from segments.models import ClusteringConfig, ClusteringRun
from segments.services.runs import segment_run_execute


def finished_run(*, visitors: int = 160, k: int | None = 4) -> ClusteringRun:
    """The demo site with `visitors` simulated visitors over two weeks, clustered once (k=4 unless None: chosen)."""
    demo_content_load()
    site = demo_site_ensure()[0]
    demo_segments_ensure(site)
    traffic_simulate(site=site, visitors=visitors, days=14, seed=11, end=datetime.now(UTC) - timedelta(hours=1),
                     progress=False)
    config = ClusteringConfig.objects.get(site=site, name="Behavior")
    run = segment_run_execute(run=ClusteringRun.objects.create(config=config, requested_k=k))
    assert run.status == ClusteringRun.Status.DONE, run.error
    return run
