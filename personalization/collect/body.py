"""Reading a request body safely: size first, nesting depth without recursion, then JSON."""

import orjson
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, UnreadablePostError

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
        raise json_error(raw, error) from None


def json_error(raw: bytes, error: orjson.JSONDecodeError) -> BodyError:
    """The BodyError for a body orjson could not read: its encoding when that is the cause, else its JSON."""
    try:
        raw.decode()
    except UnicodeDecodeError as undecodable:
        return BodyError(400, "invalid_encoding", f"The body is not UTF-8 (byte {undecodable.start}); send JSON "
                         "encoded as UTF-8, with other characters escaped (\\u00e9) or encoded (%C3%A9 in a URL).")
    if "surrogate" in str(error):
        return BodyError(400, "invalid_encoding", "The body escapes a lone UTF-16 surrogate (\\ud800), which is no "
                         "character; send whole characters.")
    return BodyError(400, "malformed_json", f"The body is not valid JSON ({error}).")


def body_check(raw: bytes, *, max_bytes: int, max_depth: int) -> None:
    """Size and nesting depth, before any parsing; a BodyError says what to change."""
    if len(raw) > max_bytes:
        raise BodyError(413, "body_too_large", f"The body is {len(raw)} bytes; send at most {max_bytes} bytes per request.")
    if not raw.strip():
        raise BodyError(400, "empty_body", "The body is empty; send a JSON object with an `events` list.")
    depth = nesting_depth(raw, stop_above=max_depth)
    if depth > max_depth:
        raise BodyError(400, "too_deep", f"The body nests more than {max_depth} levels deep; flatten it.")


def body_received(request: HttpRequest, *, max_bytes: int) -> bytes:
    """The raw body of a Django request, or a BodyError: 413 above `max_bytes` or Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE, 408 when the client stops sending it (the server's body timeout)."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not (declared.isascii() and declared.isdigit()):  # "²" is a digit to isdigit(), and Django's int() fails on it
        raise BodyError(400, "invalid_length", "Content-Length must be a number of bytes.")
    if int(declared) > max_bytes:
        raise BodyError(413, "body_too_large", f"The body is {declared} bytes; send at most {max_bytes} bytes.")
    try:
        return request.body
    except RequestDataTooBig:
        raise BodyError(413, "body_too_large", f"The body is {declared} bytes; send a smaller one.") from None
    except UnreadablePostError:
        raise BodyError(408, "body_timeout", "The body did not arrive in time; send it again.") from None
