"""django-csp's middleware with each policy built once per configuration instead of on every response."""

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as UpstreamCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# A nonce's characters are base64's, so this mark never occurs in a built policy by accident.
NONCE_MARK = "{attune-csp-nonce}"
PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
# (report only, header, the response attribute that exempts it, the setting)
HEADERS = (
    (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
    (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)


@functools.cache
def policy_built(*, report_only: bool, nonced: bool) -> str:
    """The policy from the settings, with NONCE_MARK where a nonce goes when `nonced` ("" when there is none)."""
    return build_policy(nonce=NONCE_MARK if nonced else None, report_only=report_only)


@functools.cache
def excluded_prefixes(setting: str) -> tuple[str, ...]:
    """The paths that `setting`'s EXCLUDE_URL_PREFIXES leaves without its header."""
    return tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())


@receiver(setting_changed)
def policy_cache_clear(*, setting: str, **kwargs) -> None:
    """Forgets the built policies when a test changes the settings they come from."""
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        policy_built.cache_clear()
        excluded_prefixes.cache_clear()


class CSPMiddleware(UpstreamCSPMiddleware):
    """Sets the same headers as django-csp's; a response with its own policy (csp_update and the like) is built
    by django-csp as before."""

    def process_response(self, request, response):
        debug_page = settings.DEBUG and response.status_code in (404, 500)
        if debug_page or any(getattr(response, name, None) is not None for name in PER_RESPONSE):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        for report_only, header, exempt, setting in HEADERS:
            policy = policy_built(report_only=report_only, nonced=bool(nonce))
            if not policy or header in response or getattr(response, exempt, False):
                continue
            if not request.path_info.startswith(excluded_prefixes(setting)):
                response[header] = policy.replace(NONCE_MARK, nonce) if nonce else policy
        if nonce is None:
            # As django-csp: a nonce asked for once the header is written would be missing from it.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
