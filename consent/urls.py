from django.urls import path

from . import views

app_name = "consent"
urlpatterns = [
    path("privacy/settings/", views.privacy_settings, name="settings"),
]
