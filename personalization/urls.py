from django.urls import path

from .views.collector import collect

urlpatterns = [
    path("collect", collect, name="collect"),
]
