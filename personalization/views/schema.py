"""GET /api/schema/: the OpenAPI document, generated one request at a time.

drf-spectacular loads its optional extensions lazily and not thread-safely: two first requests at
once can fail with a 500 (tfranzel/drf-spectacular#1122). The document is the same for every
request of a deploy, so generating it under a lock costs nothing worth measuring."""

import threading

from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    generation = threading.Lock()

    def dispatch(self, request, *args, **kwargs):  # not get(): its schema annotations stay as drf-spectacular made them
        with self.generation:
            return super().dispatch(request, *args, **kwargs)
