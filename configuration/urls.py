"""Pages of configuration management under /configuration/."""

from django.urls import URLPattern

app_name = "configuration"

urlpatterns: list[URLPattern] = []
