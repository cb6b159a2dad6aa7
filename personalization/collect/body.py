"""Reading a request body safely: size first, nesting depth without recursion, then JSON."""

import re

import orjson

# A JSON string literal, escapes included; removed before counting brackets so that
# brackets inside strings do not count as nesting.
STRING_LITERAL = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
OPENING = frozenset(b"[{")


class BodyError(Exception):
    """A body that cannot be read at all; nothing in it is accepted."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def nesting_depth(raw: bytes) -> int:
    """The deepest bracket nesting of a JSON text, found by scanning, never by recursion."""
    if raw.count(b"[") + raw.count(b"{") <= 1:
        return raw.count(b"[") + raw.count(b"{")
    brackets = STRING_LITERAL.sub(b"", raw).translate(None, NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        if byte in OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def body_parse(raw: bytes, *, max_bytes: int, max_depth: int) -> object:
    """The parsed JSON of `raw`, or a BodyError that says what to change."""
    if len(raw) > max_bytes:
        raise BodyError(413, "body_too_large", f"The body is {len(raw)} bytes; send at most {max_bytes} bytes per request.")
    if not raw.strip():
        raise BodyError(400, "empty_body", "The body is empty; send a JSON object with an `events` list.")
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise BodyError(400, "too_deep", f"The body nests {depth} levels deep; at most {max_depth} are allowed.")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BodyError(400, "malformed_json", f"The body is not valid JSON ({error}).") from None
