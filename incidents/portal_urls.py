"""The requester portal under /portal/: one's own incidents, reporting a problem, comments, confirming."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("report/", views.portal_report, name="report"),
    path("requests/new/", views.portal_request_new, name="request_create"),
    path("requests/<int:pk>/", views.portal_request, name="request_detail"),
    path("requests/<int:pk>/cancel/", views.portal_request_cancel, name="request_cancel"),
    path("incidents/<int:pk>/", views.portal_incident, name="incident_detail"),
    path("incidents/<int:pk>/comment/", views.portal_comment, name="incident_comment"),
    path("incidents/<int:pk>/<slug:transition>/", views.portal_transition, name="incident_transition"),
]
