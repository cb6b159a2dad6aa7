"""WSGI entry point. Serve it with gunicorn (config/gunicorn.py): the collector is several times faster
under WSGI than under Django's ASGI path.

POST /collect and GET /decide are answered before Django's middleware stack: they need none of it, and on the
tracker's hot path the middleware would cost more than their own work. Every other
path is Django as usual. In the embedded default (no Redis) the server also runs the scheduled
jobs (config/embedded_beat.py)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_wsgi_application()

from personalization.views.collector import collector_wsgi  # noqa: E402 - needs the app registry ready
from personalization.views.decide import decide_wsgi  # noqa: E402

LEAN_PATHS = {"/collect": collector_wsgi, "/decide": decide_wsgi}
if os.environ.get("ATTUNE_BENCH_VIEWS") == "1":
    from .bench_views import append_only, bare_django_view, bare_wsgi

    LEAN_PATHS.update({"/bench/django-view": bare_django_view, "/bench/django-json": bare_django_view,
                       "/bench/wsgi": bare_wsgi, "/bench/append-only": append_only})


if not settings.REDIS_URL:  # the embedded default has no Celery beat: the server runs the schedule itself
    from .embedded_beat import embedded_beat_start

    embedded_beat_start()


def application(environ, start_response):
    lean = LEAN_PATHS.get(environ.get("PATH_INFO", ""))
    if lean is not None:
        return lean(environ, start_response)
    return django_application(environ, start_response)
