"""GET /api/schema/: the OpenAPI document, generated once per process (per language and API version).

drf-spectacular loads its optional extensions lazily and not thread-safely: two first requests at
once can fail with a 500 (tfranzel/drf-spectacular#1122), so the document is generated under a lock.
It is the same for every request of a deploy, so it is kept: later requests only render it."""

import threading

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    generation = threading.Lock()
    documents: dict[tuple[str | None, str | None], dict] = {}  # (language, API version) → the document

    def dispatch(self, request, *args, **kwargs):  # not get(): its schema annotations stay as drf-spectacular made them
        with self.generation:
            return super().dispatch(request, *args, **kwargs)

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version)
        if key not in self.documents:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            self.documents[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=self.documents[key],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


@receiver(setting_changed)
def schema_documents_forget(**kwargs) -> None:
    """Forgets the generated documents (a test changed the settings they are made from)."""
    SchemaView.documents.clear()
