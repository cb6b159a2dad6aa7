"""Redis for other apps' state shared between processes: the same client and pool as the pipeline's, whether there
is one at all (not in the embedded default), and LeaderGrouping, which sends the reads or writes of requests that
wait at the same moment as one round trip (as the collector's stream appends are sent)."""

from ..ingest.grouping import LeaderGrouping
from ..ingest.redis_client import redis_client, redis_enabled

__all__ = ["LeaderGrouping", "redis_client", "redis_enabled"]
