"""attune.track() and attune.identify() from Django code."""

from decimal import Decimal

import pytest
from django.test import RequestFactory

import attune
from personalization.models import Event, Profile

from ..conftest import consent_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded_mode")]


def request_with_consent(visitor_id: str, *categories: str):
    request = RequestFactory().get("/")
    request.COOKIES["attune_consent"] = consent_token(visitor_id, *categories)
    return request


def test_track_uses_the_visitor_and_consent_of_the_request(site):
    result = attune.track(request_with_consent("visitor-req-1", "analytics"), "purchase", {"revenue": 20}, site=site)
    assert result.accepted == 1
    event = Event.objects.get()
    assert (event.visitor_id, event.name, event.source) == ("visitor-req-1", "purchase", "server")
    assert Profile.objects.get().revenue_cents == 2000


def test_track_without_consent_stores_nothing(site):
    result = attune.track(request_with_consent("visitor-req-2"), "purchase", {"revenue": 20}, site=site)
    assert result.dropped == {"no_consent": 1}
    assert not Event.objects.exists()


def test_track_for_a_request_without_any_visitor_cookie_is_a_no_op(site):
    assert attune.track(RequestFactory().get("/"), "purchase", site=site).dropped == {"no_visitor": 1}


def test_an_invalid_event_raises_an_error_that_says_what_to_fix(site):
    with pytest.raises(attune.TrackingError, match=r"props\.revenue"):
        attune.track(request_with_consent("visitor-req-3", "analytics"), "purchase", {"revenue": "lots"}, site=site)


def test_decimal_money_is_sent_as_a_number_and_what_json_cannot_hold_is_named(site):
    request = request_with_consent("visitor-req-4", "analytics")
    assert attune.track(request, "purchase", {"revenue": Decimal("59.90")}, site=site).accepted == 1
    assert Profile.objects.get().revenue_cents == 5990
    with pytest.raises(attune.TrackingError, match="not JSON serializable: set"):
        attune.track(request, "purchase", {"sizes": {41, 42}}, site=site)


def test_identify_links_the_visitor_to_a_user_across_devices(site):
    attune.identify(request_with_consent("laptop-visitor", "analytics"), "user-7", site=site)
    attune.identify(request_with_consent("phone-visitor1", "analytics"), "user-7", site=site)
    assert Profile.objects.count() == 1
    assert sorted(Profile.objects.get().visitors.values_list("visitor_id", flat=True)) == ["laptop-visitor",
                                                                                            "phone-visitor1"]


def test_the_default_site_is_the_only_site(site):
    assert attune.track(request_with_consent("visitor-req-4", "analytics"), "signup").accepted == 1
