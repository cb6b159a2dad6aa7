import os

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("personalization.urls")),
    path("", include("consent.urls")),
    path("", include("demo.urls")),
]

if os.environ.get("ATTUNE_BENCH_VIEWS") == "1":
    from .bench_views import bare_collect

    urlpatterns.append(path("bench/bare", bare_collect))
