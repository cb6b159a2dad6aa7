"""WSGI entry point; serve the collector through WSGI (gunicorn), which is several times faster than ASGI here."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
