"""API routes of configuration management under /api/v1/."""

from rest_framework.routers import DefaultRouter

from .baseline_views import BaselineViewSet, CIHistoryViewSet, CIImportViewSet, CMDBAuditViewSet
from .views import CITypeViewSet, ConfigurationItemViewSet, RelationshipTypeViewSet, RelationshipViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("configuration-items", ConfigurationItemViewSet, basename="configuration-item")
router.register("ci-types", CITypeViewSet, basename="ci-type")
router.register("ci-relationship-types", RelationshipTypeViewSet, basename="ci-relationship-type")
router.register("ci-relationships", RelationshipViewSet, basename="ci-relationship")
router.register("baselines", BaselineViewSet, basename="baseline")
router.register("ci-history", CIHistoryViewSet, basename="ci-history")
router.register("cmdb-audits", CMDBAuditViewSet, basename="cmdb-audit")
router.register("ci-imports", CIImportViewSet, basename="ci-import")

urlpatterns = router.urls
