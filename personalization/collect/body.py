"""Reading a request body safely: size first, nesting depth without recursion, then JSON."""

import orjson

NOT_BRACKETS_OR_QUOTES = bytes(b for b in range(256) if b not in b'[]{}"')


class BodyError(Exception):
    """A body that cannot be read at all; nothing in it is accepted."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def brackets_outside_strings(raw: bytes) -> bytes:
    """The brackets of a JSON text that are not inside strings. Escaped backslashes and quotes are removed
    first (left to right, as JSON reads them), so every quote left opens or closes a string."""
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(raw.translate(None, NOT_BRACKETS_OR_QUOTES).split(b'"')[0::2])


def nesting_depth(raw: bytes, *, stop_above: int = 1_000_000) -> int:
    """The deepest bracket nesting of a JSON text, without recursion: each pass removes every pair that was
    innermost when the pass began (marked, then dropped, so that a pair it uncovers waits for the next pass),
    so the number of passes is the depth. Stops counting above `stop_above`."""
    brackets = brackets_outside_strings(raw)
    depth = 0
    while brackets and depth <= stop_above:
        reduced = brackets.replace(b"[]", b"\x00").replace(b"{}", b"\x00").replace(b"\x00", b"")
        if len(reduced) == len(brackets):
            break  # unbalanced: the JSON parser will say so
        brackets = reduced
        depth += 1
    return depth


def body_parse(raw: bytes, *, max_bytes: int, max_depth: int) -> object:
    """The parsed JSON of `raw`, or a BodyError that says what to change."""
    body_check(raw, max_bytes=max_bytes, max_depth=max_depth)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BodyError(400, "malformed_json", f"The body is not valid JSON ({error}).") from None


def body_check(raw: bytes, *, max_bytes: int, max_depth: int) -> None:
    """Size and nesting depth, before any parsing; a BodyError says what to change."""
    if len(raw) > max_bytes:
        raise BodyError(413, "body_too_large", f"The body is {len(raw)} bytes; send at most {max_bytes} bytes per request.")
    if not raw.strip():
        raise BodyError(400, "empty_body", "The body is empty; send a JSON object with an `events` list.")
    depth = nesting_depth(raw, stop_above=max_depth)
    if depth > max_depth:
        raise BodyError(400, "too_deep", f"The body nests more than {max_depth} levels deep; flatten it.")
