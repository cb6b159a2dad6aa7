"""POSTing a webhook's body: one attempt, its outcome as a status code or an error a person can act on. No ORM."""

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass

ERROR_BODY_CHARS = 300


@dataclass(frozen=True)
class PostResult:
    code: int | None  # the receiver's HTTP status; None when no answer came
    error: str  # empty when delivered

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is reported, not followed: following would resend the signed body to an address nobody configured.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def json_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
    """POST `body` as JSON to `url` once; a 2xx answer is delivered, anything else says what went wrong."""
    if not url.lower().startswith(("https://", "http://")):
        return PostResult(code=None, error=f"{url} is not an http(s) URL; set the webhook's URL to one")
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 - the scheme is checked above
                                     headers={**headers, "Content-Type": "application/json"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return PostResult(code=response.status, error="")
    except urllib.error.HTTPError as answer:
        return PostResult(code=answer.code, error=http_error_text(answer))
    except urllib.error.URLError as error:  # refused, unknown host, TLS: the reason is the useful part
        return PostResult(code=None, error=f"no answer from {url}: {error.reason}")
    except (OSError, http.client.HTTPException, ValueError) as error:  # timed out, reset, malformed URL or answer
        return PostResult(code=None, error=f"no answer from {url}: {type(error).__name__}: {error}")


def http_error_text(answer: urllib.error.HTTPError) -> str:
    if 300 <= answer.code < 400:
        return (f"HTTP {answer.code}: redirected to {answer.headers.get('Location', '?')}; "
                "set the webhook's URL to the final address")
    try:
        text = answer.read(ERROR_BODY_CHARS).decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException):
        text = ""
    finally:
        answer.close()
    return f"HTTP {answer.code}: {text}" if text else f"HTTP {answer.code}"
