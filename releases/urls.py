"""Pages of release and deployment management under /releases/."""

from django.urls import URLPattern

app_name = "releases"

urlpatterns: list[URLPattern] = []
