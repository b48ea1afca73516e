"""API routes of service level management under /api/v1/."""

from rest_framework.routers import DefaultRouter

from .views import (
    AgreementViewSet,
    BusinessCalendarViewSet,
    ContactViewSet,
    CustomerViewSet,
    ServiceComponentViewSet,
    ServiceDependencyViewSet,
    ServiceViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("services", ServiceViewSet, basename="service")
router.register("service-components", ServiceComponentViewSet, basename="service-component")
router.register("service-dependencies", ServiceDependencyViewSet, basename="service-dependency")
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("business-calendars", BusinessCalendarViewSet, basename="business-calendar")
router.register("agreements", AgreementViewSet, basename="agreement")

urlpatterns = router.urls

# Service reporting and service reviews: report-definitions, service-reviews, sla-reports.
from .report_urls import urlpatterns as report_urlpatterns  # noqa: E402

urlpatterns += report_urlpatterns

# SLA clocks (read only): sla-clocks, sla-clocks/<id>/explain/.
from .clock_urls import urlpatterns as clock_urlpatterns  # noqa: E402

urlpatterns += clock_urlpatterns
