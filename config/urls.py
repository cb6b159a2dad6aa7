import os

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.cache import cache_control


@cache_control(max_age=86400, public=True)
def favicon(request):
    return HttpResponse(status=204)  # no icon, and no 404 in every browser's console


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("", include("personalization.urls")),
    path("", include("consent.urls")),
    path("", include("demo.urls")),
]

if os.environ.get("ATTUNE_BENCH_VIEWS") == "1":
    from .bench_views import bare_collect

    urlpatterns.append(path("bench/django-stack", bare_collect))
