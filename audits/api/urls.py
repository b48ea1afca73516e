"""API routes of audits and improvement under /api/v1/."""

from rest_framework.routers import DefaultRouter

from .views import DocumentViewSet, ObjectiveViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = router.urls
