"""Settings assembled from topic modules; everything host-specific comes from the environment."""

from .attune import DEFAULTS as ATTUNE_DEFAULTS
from .base import *  # noqa: F403
from .celery import *  # noqa: F403
from .database import *  # noqa: F403
from .security import *  # noqa: F403

ATTUNE = dict(ATTUNE_DEFAULTS)
