"""API routes of configuration management under /api/v1/."""

from rest_framework.routers import DefaultRouter

from .views import CITypeViewSet, ConfigurationItemViewSet, RelationshipTypeViewSet, RelationshipViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("configuration-items", ConfigurationItemViewSet, basename="configuration-item")
router.register("ci-types", CITypeViewSet, basename="ci-type")
router.register("ci-relationship-types", RelationshipTypeViewSet, basename="ci-relationship-type")
router.register("ci-relationships", RelationshipViewSet, basename="ci-relationship")

urlpatterns = router.urls
