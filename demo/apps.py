from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo news portal and shop, and the traffic simulator."""

    name = "demo"
