"""Pages of planned activities, included by ``itsm.urls_core`` under /planned-activities/ (namespace
``itsm``)."""

from django.urls import path

from . import planned_views

urlpatterns = [
    path("", planned_views.PlannedActivityListView.as_view(), name="planned_activity_list"),
    path("new/", planned_views.PlannedActivityCreateView.as_view(), name="planned_activity_create"),
    path("<int:pk>/", planned_views.planned_activity_detail, name="planned_activity_detail"),
    path("<int:pk>/edit/", planned_views.PlannedActivityUpdateView.as_view(), name="planned_activity_update"),
    path(
        "occurrences/<int:pk>/complete/",
        planned_views.planned_occurrence_complete_view,
        name="planned_occurrence_complete",
    ),
]
