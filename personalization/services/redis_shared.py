"""Redis for other apps' state shared between processes: the same client and pool as the pipeline's, and whether
there is one at all (not in the embedded default)."""

from ..ingest.redis_client import redis_client, redis_enabled

__all__ = ["redis_client", "redis_enabled"]
