"""Pages of configuration management under /configuration/."""

from django.urls import path

from . import views

app_name = "configuration"

urlpatterns = [
    path("cis/", views.ConfigurationItemListView.as_view(), name="ci_list"),
    path("cis/new/", views.ConfigurationItemCreateView.as_view(), name="ci_create"),
    path("cis/<int:pk>/", views.ci_detail, name="ci_detail"),
    path("cis/<int:pk>/edit/", views.ConfigurationItemUpdateView.as_view(), name="ci_update"),
    path("cis/<int:pk>/impact/", views.ci_impact, name="ci_impact"),
    path("cis/<int:pk>/relationships/new/", views.relationship_add, name="relationship_create"),
    path(
        "cis/<int:pk>/<slug:transition>/",
        views.ConfigurationItemTransitionView.as_view(),
        name="ci_transition",
    ),
    path("relationships/<int:pk>/remove/", views.relationship_remove, name="relationship_remove"),
    path("ci-types/", views.CITypeListView.as_view(), name="citype_list"),
    path("ci-types/new/", views.CITypeCreateView.as_view(), name="citype_create"),
    path("ci-types/<int:pk>/", views.citype_detail, name="citype_detail"),
    path("ci-types/<int:pk>/edit/", views.CITypeUpdateView.as_view(), name="citype_update"),
    path("relationship-types/", views.RelationshipTypeListView.as_view(), name="relationshiptype_list"),
    path(
        "relationship-types/new/", views.RelationshipTypeCreateView.as_view(), name="relationshiptype_create"
    ),
    path(
        "relationship-types/<int:pk>/edit/",
        views.RelationshipTypeUpdateView.as_view(),
        name="relationshiptype_update",
    ),
]
