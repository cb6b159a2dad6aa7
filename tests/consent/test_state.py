import time

from consent.categories import consent_mode_signals
from consent.state import consent_state_from_token, consent_token_sign


def token(granted=("analytics",), *, version=1, given_at=None, visitor="visitor-1234"):
    return consent_token_sign(visitor_id=visitor, granted=frozenset(granted), policy_version=version,
                              given_at=int(time.time()) if given_at is None else given_at)


def test_a_signed_token_proves_what_was_granted_and_for_whom():
    state = consent_state_from_token(token(("analytics", "marketing")), current_material_version=1)
    assert state.granted == {"analytics", "marketing", "necessary"}
    assert state.visitor_id == "visitor-1234" and state.explicit


def test_a_tampered_or_forged_token_counts_as_no_consent():
    payload, rest = token().split(":", 1)
    forged = consent_token_sign(visitor_id="x" * 12, granted=frozenset({"analytics"}), policy_version=1,
                                given_at=int(time.time())).split(":", 1)[1]
    for bad in (payload + "A:" + rest, payload + ":" + forged, "garbage", "", "a" * 5000):
        state = consent_state_from_token(bad, current_material_version=1)
        assert state.granted == {"necessary"} and not state.explicit


def test_consent_expires_after_the_configured_period(attune_settings):
    attune_settings(CONSENT_MAX_AGE_DAYS=30)
    old = token(given_at=int(time.time()) - 31 * 86400)
    assert consent_state_from_token(old, current_material_version=1).granted == {"necessary"}
    assert consent_state_from_token(token(), current_material_version=1).allows("analytics")


def test_a_material_policy_change_asks_again_and_a_minor_one_does_not():
    given = token(version=1)
    assert consent_state_from_token(given, current_material_version=2).granted == {"necessary"}
    assert consent_state_from_token(given, current_material_version=1).allows("analytics")


def test_categories_map_onto_google_consent_mode_v2_signals():
    assert consent_mode_signals(frozenset({"necessary", "analytics"})) == {
        "security_storage": "granted", "functionality_storage": "granted", "analytics_storage": "granted",
        "personalization_storage": "denied", "ad_storage": "denied", "ad_user_data": "denied",
        "ad_personalization": "denied",
    }
