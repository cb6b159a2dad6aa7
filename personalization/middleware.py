"""Pages with personalized slots never enter a shared cache: Django's cache middleware or a CDN would otherwise
serve one visitor's content to the next."""

from django.utils.cache import patch_cache_control, patch_vary_headers

_PERSONALIZED = "_attune_personalized"


def personalized_page_mark(request) -> None:
    """Note that the response to `request` holds a personalized slot ({% personalize %} calls this)."""
    setattr(request, _PERSONALIZED, True)


class PersonalizedPagesPrivateMiddleware:
    """Marks responses with personalized slots `Cache-Control: private` (and Vary: Cookie), which Django's
    UpdateCacheMiddleware and shared caches do not store. List it after UpdateCacheMiddleware."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, _PERSONALIZED, False):
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ("Cookie",))
        return response
