"""Pages of incident and service request management under /incidents/."""

from django.urls import path

from . import alert_urls, report_views, views

app_name = "incidents"

urlpatterns = [
    *alert_urls.urlpatterns,  # monitoring integrations and the alerts panel
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("new/", views.IncidentCreateView.as_view(), name="incident_create"),
    path("new/suggest/", views.incident_suggest, name="incident_suggest"),
    path("bulk/", views.incident_bulk, name="incident_bulk"),
    path("reports/", report_views.incident_report, name="report"),
    path("matrix/", views.priority_matrix, name="priority_matrix"),
    path("categories/", views.CategoryListView.as_view(), name="category_list"),
    path("categories/new/", views.CategoryCreateView.as_view(), name="category_create"),
    path("categories/<int:pk>/edit/", views.CategoryUpdateView.as_view(), name="category_update"),
    path("criteria/", views.CriteriaListView.as_view(), name="criteria_list"),
    path("criteria/new/", views.CriteriaCreateView.as_view(), name="criteria_create"),
    path("criteria/<int:pk>/edit/", views.CriteriaUpdateView.as_view(), name="criteria_update"),
    path("reviews/", views.ReviewListView.as_view(), name="review_list"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/edit/", views.ReviewUpdateView.as_view(), name="review_update"),
    path("reviews/<int:pk>/complete/", views.review_complete, name="review_complete"),
    path("requests/", views.ServiceRequestListView.as_view(), name="request_list"),
    path("requests/new/", views.ServiceRequestCreateView.as_view(), name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path(
        "requests/<int:pk>/<slug:transition>/",
        views.ServiceRequestTransitionView.as_view(),
        name="request_transition",
    ),
    path("catalogue/", views.CatalogueListView.as_view(), name="catalogue_list"),
    path("catalogue/new/", views.CatalogueCreateView.as_view(), name="catalogue_create"),
    path("catalogue/<int:pk>/edit/", views.CatalogueUpdateView.as_view(), name="catalogue_update"),
    path("<int:pk>/", views.incident_detail, name="incident_detail"),
    path("<int:pk>/edit/", views.IncidentUpdateView.as_view(), name="incident_update"),
    path("<int:pk>/priority/", views.incident_prioritise, name="incident_prioritise"),
    path("<int:pk>/notes/add/", views.incident_note_add, name="incident_note_add"),
    path("<int:pk>/<slug:transition>/", views.incident_transition, name="incident_transition"),
]
