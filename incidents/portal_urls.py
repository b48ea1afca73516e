"""The requester portal under /portal/: one's own incidents, reporting a problem, comments, confirming."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("report/", views.portal_report, name="report"),
    path("incidents/<int:pk>/", views.portal_incident, name="incident_detail"),
    path("incidents/<int:pk>/comment/", views.portal_comment, name="incident_comment"),
    path("incidents/<int:pk>/<slug:transition>/", views.portal_transition, name="incident_transition"),
]
