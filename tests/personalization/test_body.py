import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalization.collect.body import BodyError, body_parse, nesting_depth


def parse(raw: bytes, *, max_bytes: int = 64 * 1024, max_depth: int = 8):
    return body_parse(raw, max_bytes=max_bytes, max_depth=max_depth)


def test_a_valid_body_is_parsed():
    assert parse(b'{"site": "pk", "events": [{"props": {"a": [1]}}]}') == {"site": "pk", "events": [{"props": {"a": [1]}}]}


def test_an_oversize_body_is_refused_with_413_before_parsing():
    with pytest.raises(BodyError) as error:
        parse(b"{" + b" " * 100 + b"}", max_bytes=50)
    assert error.value.status == 413
    assert "at most 50 bytes" in error.value.message


def test_a_hundred_thousand_nested_brackets_are_refused_without_recursion():
    raw = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(BodyError) as error:
        parse(raw, max_bytes=1_000_000)
    assert error.value.code == "too_deep"
    assert "more than 8 levels" in error.value.message


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert nesting_depth(b'{"a": "[[[[{{{{\\"]]]]"}') == 1


def test_malformed_json_says_it_is_not_json():
    with pytest.raises(BodyError) as error:
        parse(b'{"site": ')
    assert (error.value.status, error.value.code) == (400, "malformed_json")


def test_an_empty_body_says_what_to_send():
    with pytest.raises(BodyError) as error:
        parse(b"  ")
    assert "events" in error.value.message


def test_depth_is_counted_across_mixed_brackets_and_escaped_strings():
    assert nesting_depth(b'{"a": [{"b": []}]}') == 4
    assert nesting_depth(b'{"a": "\\"[[[", "b": [[1]]}') == 3
    assert nesting_depth(b"[[]]") == 2
    assert nesting_depth(b"{[]}") == 2


def test_a_hundred_thousand_nested_brackets_inside_objects_are_refused_quickly():
    import time

    raw = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    started = time.perf_counter()
    with pytest.raises(BodyError):
        parse(raw, max_bytes=10_000_000)
    assert time.perf_counter() - started < 2  # a coarse guard against a quadratic scan, not a benchmark


def true_depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((true_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((true_depth(v) for v in value), default=0)
    return 0


tricky_text = st.text(alphabet='[]{}"\\\\ab/\n\t\u005c', max_size=12)
json_trees = st.recursive(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), tricky_text),
                          lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                  st.dictionaries(tricky_text, inner, max_size=3)),
                          max_leaves=25)


@settings(max_examples=500, deadline=None)
@given(tree=json_trees)
def test_the_scan_finds_the_true_depth_of_any_json_text(tree):
    import orjson

    assert nesting_depth(orjson.dumps(tree)) == true_depth(tree)
