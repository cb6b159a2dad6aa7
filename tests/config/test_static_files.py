"""Static files: hashed names cached for a year, the stable script URL for a minute, both compressed."""

import gzip
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client, RequestFactory, override_settings

DIST = Path(settings.BASE_DIR) / "tracker_js" / "dist"
YEAR = "max-age=315360000, public, immutable"
HASHED = re.compile(r"/static/attune\.[0-9a-f]{12}\.js")


@pytest.fixture(scope="session")
def collected_root(tmp_path_factory):
    """`manage.py collectstatic` run once, as a deploy (and make demo) does; the admin's and the API docs' files
    left out to keep it quick."""
    root = tmp_path_factory.mktemp("var") / "static"  # as ATTUNE_VAR_DIR=var makes STATIC_ROOT var/static
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0,
                     ignore_patterns=["admin", "drf_spectacular_sidecar", "rest_framework"])
    return root


@pytest.fixture(params=[False, True], ids=["production", "demo (DEBUG on)"])
def collected(request, settings, collected_root):
    """The collected files in place; a client whose WhiteNoise reads them (it scans when the first request comes)."""
    settings.STATIC_ROOT = collected_root
    settings.DEBUG = request.param
    return Client()


def script_tag(site) -> str:
    request = RequestFactory().get("/")
    return Template("{% load attune %}{% attune_tracker %}").render(Context({"request": request}))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_the_script_tag_links_the_hashed_tracker_and_consent_script(collected, site):
    tag = script_tag(site)
    assert HASHED.search(tag), tag
    assert re.search(r'data-consent-script="/static/attune-consent\.[0-9a-f]{12}\.js"', tag), tag


def test_a_hashed_file_is_cached_for_a_year_and_sent_gzipped_to_clients_that_accept_it(collected, site):
    url = HASHED.search(script_tag(site)).group(0)
    zipped = collected.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert (zipped.status_code, zipped["Content-Encoding"], zipped["Cache-Control"]) == (200, "gzip", YEAR)
    assert zipped["Vary"] == "Accept-Encoding"
    plain = collected.get(url)
    assert "Content-Encoding" not in plain and plain["Cache-Control"] == YEAR
    zipped_bytes, plain_bytes = body(zipped), body(plain)
    assert gzip.decompress(zipped_bytes) == plain_bytes == (DIST / "attune.js").read_bytes()
    assert len(zipped_bytes) < len(plain_bytes) / 2


def test_the_stable_script_url_is_a_short_lived_alias_with_the_same_compressed_bytes(collected, site):
    url = HASHED.search(script_tag(site)).group(0)
    alias = collected.get("/static/attune.js", HTTP_ACCEPT_ENCODING="gzip")
    assert (alias.status_code, alias["Content-Encoding"], alias["Cache-Control"]) == (200, "gzip", "max-age=60, public")
    assert body(alias) == body(collected.get(url, HTTP_ACCEPT_ENCODING="gzip"))
    consent_alias = collected.get("/static/attune-consent.js")  # the pasted tag finds the banner's script beside it
    assert consent_alias["Cache-Control"] == "max-age=60, public"
    assert body(consent_alias) == (DIST / "attune-consent.js").read_bytes()


def test_brotli_is_sent_to_clients_that_accept_it_when_brotli_is_installed(collected, site):
    brotli = pytest.importorskip("brotli")
    url = HASHED.search(script_tag(site)).group(0)
    response = collected.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(body(response)) == (DIST / "attune.js").read_bytes()


@pytest.mark.django_db
def test_before_anything_is_collected_pages_link_the_plain_names_and_render(client, site):
    assert 'src="/static/attune.js"' in script_tag(site)
    assert client.get("/").status_code == 200
    assert client.get("/admin/login/").status_code == 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_demos_runserver_serves_the_collected_files_compressed_too(collected_root):
    port = free_port()
    env = {**os.environ, "DEBUG": "1", "ATTUNE_VAR_DIR": str(collected_root.parent), "DATABASE_URL": ""}
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/static/attune.js",
                                         headers={"Accept-Encoding": "gzip"})
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    headers, content = response.headers, response.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert (headers["Content-Encoding"], headers["Cache-Control"]) == ("gzip", "max-age=60, public")
    assert gzip.decompress(content) == (DIST / "attune.js").read_bytes()
