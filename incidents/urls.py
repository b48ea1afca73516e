"""Pages of incident and service request management under /incidents/."""

from django.urls import URLPattern

app_name = "incidents"

urlpatterns: list[URLPattern] = []
