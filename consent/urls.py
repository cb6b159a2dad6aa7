from django.urls import path

from . import views

app_name = "consent"
urlpatterns = [
    path("privacy/", views.privacy_center, name="center"),
    path("privacy/settings/", views.privacy_settings, name="settings"),
    path("privacy/export/", views.privacy_export, name="export"),
    path("privacy/erase/", views.privacy_erase, name="erase"),
]
