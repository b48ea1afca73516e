"""Pages of saved filters, included by ``itsm.urls_core`` under /saved-filters/ (namespace ``itsm``)."""

from django.urls import path

from . import saved_filter_views

urlpatterns = [
    path("", saved_filter_views.saved_filter_list, name="saved_filter_list"),
    path("control/", saved_filter_views.saved_filter_control, name="saved_filter_control"),
    path("new/", saved_filter_views.saved_filter_create_view, name="saved_filter_create"),
    path("<int:pk>/edit/", saved_filter_views.saved_filter_update_view, name="saved_filter_update"),
    path("<int:pk>/delete/", saved_filter_views.saved_filter_delete_view, name="saved_filter_delete"),
]
