"""Client addresses: the one the trusted proxy saw, minimised; pure functions the edge can import."""

import subprocess
import sys

from django.conf import settings

from consent.addresses import address_minimise, client_address


def test_the_address_is_the_one_the_nearest_trusted_proxy_saw():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.9"}
    assert client_address(meta, trusted_proxies=0) == "10.0.0.2"
    assert client_address(meta, trusted_proxies=1) == "203.0.113.9"
    assert client_address(meta, trusted_proxies=2) == "198.51.100.7"
    assert client_address(meta, trusted_proxies=3) == "10.0.0.2"  # fewer hops than proxies: the header is forged


def test_the_trusted_proxy_count_comes_from_the_settings_by_default(attune_settings):
    attune_settings(TRUSTED_PROXY_COUNT=1)
    assert client_address({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}) == "203.0.113.9"


def test_an_address_is_dropped_or_truncated_to_its_network():
    assert address_minimise("203.0.113.77", storage="drop") == ""
    assert address_minimise("203.0.113.77", storage="truncate") == "203.0.113.0"
    assert address_minimise("2001:db8:abcd:12:1:2:3:4", storage="truncate") == "2001:db8:abcd::"


def test_the_collectors_edge_imports_no_orm_and_no_models():
    script = ("import sys, personalization.collect.edge; "
              "print(sorted(m for m in sys.modules if m.startswith(('django.db', 'django.apps')) or m.endswith('.models')))")
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env={"PATH": ""},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr  # nor Django's settings: no app registry, no database
    assert result.stdout.strip() == "[]"
