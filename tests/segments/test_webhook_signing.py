"""Webhook signatures: what a receiver checks (no database)."""

import time

from segments.webhook_signing import secret_new, signature_header, signature_valid

BODY = b'{"a":1}'


def test_the_signature_is_the_hmac_sha256_of_timestamp_dot_body_as_openssl_computes_it():
    # echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    assert signature_header(secret="whsec_test", body=BODY, timestamp=1_700_000_000) == (
        "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789")


def test_a_fresh_signature_verifies_and_any_change_to_secret_body_or_time_fails():
    secret, now = secret_new(), int(time.time())
    header = signature_header(secret=secret, body=BODY, timestamp=now)
    assert signature_valid(secret=secret, body=BODY, header=header)
    assert not signature_valid(secret=secret_new(), body=BODY, header=header)
    assert not signature_valid(secret=secret, body=b'{"a":2}', header=header)
    assert not signature_valid(secret=secret, body=BODY, header=header.replace(f"t={now}", f"t={now + 1}"))


def test_a_delivery_replayed_after_the_tolerance_is_refused():
    secret = secret_new()
    header = signature_header(secret=secret, body=BODY, timestamp=1_700_000_000)
    assert signature_valid(secret=secret, body=BODY, header=header, now=1_700_000_000 + 299)
    assert not signature_valid(secret=secret, body=BODY, header=header, now=1_700_000_000 + 301)


def test_malformed_headers_are_refused_and_one_matching_v1_of_several_is_enough():
    secret, now = secret_new(), int(time.time())
    good = signature_header(secret=secret, body=BODY, timestamp=now)
    for header in ("", "v1=abc", f"t={now}", f"t=x,{good.split(',')[1]}", f"{good},t={now}"):
        assert not signature_valid(secret=secret, body=BODY, header=header), header
    assert signature_valid(secret=secret, body=BODY, header=f"t={now},v1=00ff,{good.split(',')[1]}")


def test_each_secret_is_new_and_long():
    first, second = secret_new(), secret_new()
    assert first != second and first.startswith("whsec_") and len(first) >= 40
