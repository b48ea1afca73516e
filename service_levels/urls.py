"""Pages of service level management under /service-levels/."""

from django.urls import URLPattern

app_name = "service_levels"

urlpatterns: list[URLPattern] = []
