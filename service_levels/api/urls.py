"""API routes of service level management under /api/v1/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

urlpatterns = router.urls

# Service reporting and service reviews: report-definitions, service-reviews, sla-reports.
from .report_urls import urlpatterns as report_urlpatterns  # noqa: E402

urlpatterns += report_urlpatterns
