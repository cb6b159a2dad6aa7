"""Whatever a client sends, the collector stores only what the visitor's signed consent allows."""

import time

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent.state import consent_token_sign
from personalization.models import Event

from ..conftest import ORIGIN, make_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]
CATEGORIES = ["analytics", "personalization", "marketing"]
CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"


@st.composite
def consent_states(draw):
    """What the batch's consent field holds, for a site's key: a valid token (of some grants), one for another
    visitor, one given on another site, one naming no site, one from before a material policy change, an expired
    one, a forged one, or nothing."""
    kind = draw(st.sampled_from(["valid", "valid", "valid", "other_visitor", "other_site", "no_site", "outdated",
                                 "expired", "forged", "none"]))
    granted = frozenset(draw(st.sets(st.sampled_from(CATEGORIES))))
    visitor = "visitor-prop-1"

    def token_for(site_key: str) -> str | None:
        if kind == "none":
            return None
        token = consent_token_sign(
            site_key={"other_site": "pk_another_site", "no_site": ""}.get(kind, site_key),
            visitor_id="somebody-else" if kind == "other_visitor" else visitor, granted=granted,
            policy_version=0 if kind == "outdated" else 1,
            given_at=int(time.time()) - (400 * 86400 if kind == "expired" else 0),
        )
        if kind == "forged":
            payload, rest = token.split(":", 1)
            token = payload[:-3] + "abc:" + rest
        return token

    return token_for, (granted if kind == "valid" else frozenset())


events = st.lists(st.tuples(st.sampled_from(["page_view", "click", "track"]), st.sampled_from(CATEGORIES)),
                  min_size=1, max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(state=consent_states(), stream=events)
def test_only_events_whose_categories_the_signed_consent_grants_are_stored(client, site, state, stream):
    from consent.models import ConsentPolicy
    from consent.selectors import policy_cache_clear

    Event.objects.all().delete()
    ConsentPolicy.objects.get_or_create(version=1, defaults={"material": True, "summary": "v1"})
    policy_cache_clear()
    token_for, granted = state
    token = token_for(site.public_key)
    sent = [make_event(kind, name="custom", purpose=purpose) for kind, purpose in stream]
    body = {"site": site.public_key, "vid": "visitor-prop-1", "sent": int(time.time() * 1000), "events": sent}
    if token:
        body["consent"] = token
    response = client.post("/collect", orjson.dumps(body), content_type="text/plain", HTTP_ORIGIN=ORIGIN,
                           HTTP_USER_AGENT=CHROME)
    assert response.status_code == 200
    # Every event type needs analytics (the tracker sends nothing without it); a purpose is needed as well.
    allowed = {e["id"] for e, (_, purpose) in zip(sent, stream, strict=True) if {"analytics", purpose} <= granted}
    stored = {str(event_id) for event_id in Event.objects.values_list("event_id", flat=True)}
    assert stored == allowed
