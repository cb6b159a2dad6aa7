import time

from consent.categories import consent_mode_signals
from consent.state import consent_state_from_token, consent_token_sign, token_visitor_id

SITE = "pk_site_a"


def token(granted=("analytics",), *, version=1, given_at=None, visitor="visitor-1234", site=SITE):
    return consent_token_sign(site_key=site, visitor_id=visitor, granted=frozenset(granted), policy_version=version,
                              given_at=int(time.time()) if given_at is None else given_at)


def test_a_signed_token_proves_what_was_granted_and_for_whom():
    state = consent_state_from_token(token(("analytics", "marketing")), site_key=SITE, current_material_version=1)
    assert state.granted == {"analytics", "marketing", "necessary"}
    assert state.visitor_id == "visitor-1234" and state.explicit


def test_a_tampered_or_forged_token_counts_as_no_consent():
    payload, rest = token().split(":", 1)
    forged = consent_token_sign(site_key=SITE, visitor_id="x" * 12, granted=frozenset({"analytics"}), policy_version=1,
                                given_at=int(time.time())).split(":", 1)[1]
    for bad in (payload + "A:" + rest, payload + ":" + forged, "garbage", "", "a" * 5000):
        state = consent_state_from_token(bad, site_key=SITE, current_material_version=1)
        assert state.granted == {"necessary"} and not state.explicit


def test_a_token_counts_only_on_the_site_it_was_given_on():
    given = token(("analytics",))
    assert consent_state_from_token(given, site_key=SITE, current_material_version=1).allows("analytics")
    assert consent_state_from_token(given, site_key="pk_site_b", current_material_version=1).granted == {"necessary"}
    assert token_visitor_id(given, site_key="pk_site_b") == ""


def test_a_token_from_before_tokens_named_their_site_is_no_consent_but_still_proves_its_visitor():
    """Valid on every site it would be, so it is refused; the consent script asks again, and the new choice keeps
    the visitor (and their history) because the old token still proves who they are."""
    old = token(("analytics",), site="")
    assert consent_state_from_token(old, site_key=SITE, current_material_version=1).granted == {"necessary"}
    assert not consent_state_from_token(old, site_key=SITE, current_material_version=1).explicit
    assert token_visitor_id(old, site_key=SITE) == "visitor-1234"


def test_consent_expires_after_the_configured_period(attune_settings):
    attune_settings(CONSENT_MAX_AGE_DAYS=30)
    old = token(given_at=int(time.time()) - 31 * 86400)
    assert consent_state_from_token(old, site_key=SITE, current_material_version=1).granted == {"necessary"}
    assert consent_state_from_token(token(), site_key=SITE, current_material_version=1).allows("analytics")


def test_a_material_policy_change_asks_again_and_a_minor_one_does_not():
    given = token(version=1)
    assert consent_state_from_token(given, site_key=SITE, current_material_version=2).granted == {"necessary"}
    assert consent_state_from_token(given, site_key=SITE, current_material_version=1).allows("analytics")


def test_categories_map_onto_google_consent_mode_v2_signals():
    assert consent_mode_signals(frozenset({"necessary", "analytics"})) == {
        "security_storage": "granted", "functionality_storage": "granted", "analytics_storage": "granted",
        "personalization_storage": "denied", "ad_storage": "denied", "ad_user_data": "denied",
        "ad_personalization": "denied",
    }
