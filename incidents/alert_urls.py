"""Pages of monitoring-alert ingest, added to ``incidents/urls.py`` (namespace ``incidents``)."""

from django.urls import path

from . import alert_views

urlpatterns = [
    path("integrations/", alert_views.IntegrationListView.as_view(), name="integration_list"),
    path("integrations/new/", alert_views.IntegrationCreateView.as_view(), name="integration_create"),
    path("integrations/<int:pk>/", alert_views.integration_detail, name="integration_detail"),
    path(
        "integrations/<int:pk>/edit/", alert_views.IntegrationUpdateView.as_view(), name="integration_update"
    ),
    path("integrations/<int:pk>/rotate/", alert_views.integration_rotate, name="integration_rotate"),
    path("integrations/<int:pk>/test/", alert_views.integration_test, name="integration_test"),
    path("alerts/incident/<int:pk>/", alert_views.incident_alerts, name="incident_alerts"),
]
