"""Pages of service level management under /service-levels/."""

from django.urls import URLPattern, URLResolver

from . import report_urls

app_name = "service_levels"

urlpatterns: list[URLPattern | URLResolver] = [
    # Service reports and reviews (report_urls.py)
    *report_urls.urlpatterns,
]
