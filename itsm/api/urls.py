"""/api/v1/: the core's resources plus each app's router."""

from django.conf import settings
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views
from .planned import PlannedActivityViewSet, PlannedOccurrenceViewSet
from .saved_filters import SavedFilterViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("users", views.UserViewSet, basename="user")
router.register("teams", views.TeamViewSet, basename="team")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("planned-activities", PlannedActivityViewSet, basename="planned-activity")
router.register("planned-occurrences", PlannedOccurrenceViewSet, basename="planned-occurrence")
router.register("saved-filters", SavedFilterViewSet, basename="saved-filter")

urlpatterns = [
    path("me/", views.me, name="api-me"),
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
    path("docs/", views.DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
    # Every process app's router; resource names are unique across apps (kebab-case plurals).
    *(path("", include(f"{app}.api.urls")) for app in settings.PROCESS_APPS),
]
