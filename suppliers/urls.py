"""Pages of supplier management under /suppliers/."""

from django.urls import URLPattern

app_name = "suppliers"

urlpatterns: list[URLPattern] = []
