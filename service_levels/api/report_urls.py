"""API routes of service reporting and service reviews, added to the app's router list."""

from rest_framework.routers import DefaultRouter

from .report_views import ReportDefinitionViewSet, ServiceReviewViewSet, SlaReportViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("report-definitions", ReportDefinitionViewSet, basename="report-definition")
router.register("service-reviews", ServiceReviewViewSet, basename="service-review")
router.register("sla-reports", SlaReportViewSet, basename="sla-report")

urlpatterns = router.urls
