from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    """Feature engineering, clustering runs and segments (built on personalization's profiles)."""

    name = "segments"
