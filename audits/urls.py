"""Pages of audits and improvement under /audits/."""

from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("objectives/", views.ObjectiveListView.as_view(), name="objective_list"),
    path("objectives/new/", views.ObjectiveCreateView.as_view(), name="objective_create"),
    path("objectives/<int:pk>/", views.objective_detail, name="objective_detail"),
    path("objectives/<int:pk>/edit/", views.ObjectiveUpdateView.as_view(), name="objective_update"),
]
