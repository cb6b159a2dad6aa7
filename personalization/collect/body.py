"""Reading a request body safely: size first, nesting depth without recursion, then JSON."""

import re

import orjson

# A JSON string literal, escapes included. Only needed when the body has backslashes: without
# them every quote opens or closes a string, which a split finds much faster.
STRING_LITERAL = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
NOT_BRACKETS_OR_QUOTES = bytes(b for b in range(256) if b not in b'[]{}"')
INNERMOST_PAIR = re.compile(rb"\[\]|\{\}")


class BodyError(Exception):
    """A body that cannot be read at all; nothing in it is accepted."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def brackets_outside_strings(raw: bytes) -> bytes:
    if b"\\" in raw:
        return STRING_LITERAL.sub(b"", raw).translate(None, NOT_BRACKETS)
    return b"".join(raw.translate(None, NOT_BRACKETS_OR_QUOTES).split(b'"')[0::2])


def nesting_depth(raw: bytes, *, stop_above: int = 1_000_000) -> int:
    """The deepest bracket nesting of a JSON text, without recursion: each pass removes every innermost
    pair (a C-speed regex), so the number of passes is the depth. Stops counting above `stop_above`."""
    brackets = brackets_outside_strings(raw)
    depth = 0
    while brackets and depth <= stop_above:
        reduced = INNERMOST_PAIR.sub(b"", brackets)
        if len(reduced) == len(brackets):
            break  # unbalanced: the JSON parser will say so
        brackets = reduced
        depth += 1
    return depth


def body_parse(raw: bytes, *, max_bytes: int, max_depth: int) -> object:
    """The parsed JSON of `raw`, or a BodyError that says what to change."""
    if len(raw) > max_bytes:
        raise BodyError(413, "body_too_large", f"The body is {len(raw)} bytes; send at most {max_bytes} bytes per request.")
    if not raw.strip():
        raise BodyError(400, "empty_body", "The body is empty; send a JSON object with an `events` list.")
    depth = nesting_depth(raw, stop_above=max_depth)
    if depth > max_depth:
        raise BodyError(400, "too_deep", f"The body nests more than {max_depth} levels deep; flatten it.")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BodyError(400, "malformed_json", f"The body is not valid JSON ({error}).") from None
