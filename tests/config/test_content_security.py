"""The Content-Security-Policy header: built once per configuration, the same header as django-csp builds."""

import re

import pytest
from csp.utils import build_policy

import config.content_security as content_security

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy_builds(monkeypatch):
    """The policies built from the settings, in order (the built ones forgotten first)."""
    built = []

    def counted(**parts):
        built.append(parts)
        return build_policy(**parts)

    content_security.policy_built.cache_clear()
    monkeypatch.setattr(content_security, "build_policy", counted)
    yield built
    content_security.policy_built.cache_clear()


def test_the_header_carries_the_pages_nonce_and_is_the_one_django_csp_builds(client, site, policy_builds):
    response = client.get("/")
    nonce = re.search(r'<script nonce="([^"]+)"', response.text)
    assert nonce, "the demo's home page renders the tracker's nonced stub"
    assert response["Content-Security-Policy"] == build_policy(nonce=nonce.group(1))
    assert f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]


def test_the_policy_is_built_once_for_many_pages_each_with_its_own_nonce(client, site, policy_builds):
    headers = [client.get("/")["Content-Security-Policy"] for _ in range(3)]
    assert len(set(headers)) == 3, "each page has its own nonce"
    assert len(policy_builds) == 2, "one normal policy and one (empty) report-only policy, each built once"


def test_a_page_without_a_nonce_gets_the_policy_without_one(client, policy_builds):
    response = client.get("/api/schema/")
    assert response["Content-Security-Policy"] == build_policy()
    assert "nonce" not in response["Content-Security-Policy"]


def test_a_view_that_relaxes_its_policy_still_gets_its_own(client, policy_builds):
    response = client.get("/api/docs/")
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in client.get("/privacy/")["Content-Security-Policy"]


def test_a_changed_setting_changes_the_header(client, settings, policy_builds):
    client.get("/privacy/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["https://cdn.example"]}}
    header = client.get("/privacy/")["Content-Security-Policy"]
    assert header == build_policy() and "img-src https://cdn.example" in header and "script-src" not in header
