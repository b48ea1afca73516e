"""API routes of incident and service request management under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from .alert_views import AlertViewSet, IntegrationViewSet, alertmanager, events
from .report_views import IncidentReportViewSet
from .views import (
    IncidentViewSet,
    MajorIncidentReviewViewSet,
    RequestCatalogueItemViewSet,
    ServiceRequestViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("alerts", AlertViewSet, basename="alert")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("major-incident-reviews", MajorIncidentReviewViewSet, basename="major-incident-review")
router.register("service-requests", ServiceRequestViewSet, basename="service-request")
router.register("request-catalogue-items", RequestCatalogueItemViewSet, basename="request-catalogue-item")
router.register("incident-reports", IncidentReportViewSet, basename="incident-report")

urlpatterns = [
    # Alert ingest (before the router, whose integrations/<pk>/ would otherwise take these paths).
    path("integrations/events/", events, name="integration-events"),
    path("integrations/alertmanager/", alertmanager, name="integration-alertmanager"),
    *router.urls,
]
