"""Pages of service reporting and service reviews, mounted by ``service_levels/urls.py``."""

from django.urls import path

from . import report_views as views

urlpatterns = [
    path("reports/", views.report_dashboard, name="report_dashboard"),
    path("reports/csv/<slug:table>/", views.report_csv, name="report_csv"),
    path("reports/breaches/<int:pk>/cause/", views.BreachCauseView.as_view(), name="report_breach_cause"),
    path("report-definitions/", views.ReportDefinitionListView.as_view(), name="report_definition_list"),
    path(
        "report-definitions/new/", views.ReportDefinitionCreateView.as_view(), name="report_definition_create"
    ),
    path("report-definitions/<int:pk>/", views.report_definition_detail, name="report_definition_detail"),
    path(
        "report-definitions/<int:pk>/edit/",
        views.ReportDefinitionUpdateView.as_view(),
        name="report_definition_update",
    ),
    path("report-definitions/<int:pk>/run/", views.report_definition_run, name="report_definition_run"),
    path("reviews/", views.ServiceReviewListView.as_view(), name="review_list"),
    path("reviews/new/", views.ServiceReviewCreateView.as_view(), name="review_create"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/edit/", views.ServiceReviewUpdateView.as_view(), name="review_update"),
    path("reviews/<int:pk>/hold/", views.ServiceReviewHoldView.as_view(), name="review_hold"),
    path("reviews/<int:pk>/refresh/", views.review_refresh, name="review_refresh"),
    path(
        "reviews/<int:pk>/<slug:transition>/",
        views.ServiceReviewTransitionView.as_view(),
        name="review_transition",
    ),
]
