import threading

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from personalization.selectors import site_for_public_key

from ..consent.test_remembered import together


@pytest.mark.django_db(transaction=True)
def test_requests_that_all_find_the_site_cache_cold_open_one_database_connection_between_them(site):
    """Under gevent every request in flight is a greenlet with its own database connection: when the site cache
    went cold, all of them connected at once and PostgreSQL refused connections (the collector answered 503)."""
    opened, lock = [], threading.Lock()

    def count(sender, connection, **kwargs):
        with lock:
            opened.append(connection)

    def request():
        try:
            return site_for_public_key(site.public_key)
        finally:
            connection.close()  # this thread's own, as a request's end closes it

    connection_created.connect(count)
    try:
        found = together(12, request)
    finally:
        connection_created.disconnect(count)
    assert {info.id for info in found} == {site.id}
    assert len(opened) == 1
