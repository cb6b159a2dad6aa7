from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularSwaggerSplitView

from .views.collector import collect
from .views.consent_api import consent_record
from .views.decide import decide
from .views.schema import SchemaView
from .views.segment import BatchView, SegmentView

urlpatterns = [
    path("collect", collect, name="collect"),
    path("consent", consent_record, name="consent-record"),
    path("decide", decide, name="decide"),
    path("v1/batch", BatchView.as_view(), name="segment-batch"),
    path("v1/track", SegmentView.as_view(message_type="track"), name="segment-track"),
    path("v1/identify", SegmentView.as_view(message_type="identify"), name="segment-identify"),
    path("v1/alias", SegmentView.as_view(message_type="alias"), name="segment-alias"),
    path("v1/page", SegmentView.as_view(message_type="page"), name="segment-page"),
    path("v1/screen", SegmentView.as_view(message_type="screen"), name="segment-screen"),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # Swagger UI styles itself inline; only this page relaxes style-src (scripts stay self-only).
    path("api/docs/", csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
         name="api-docs"),
]
