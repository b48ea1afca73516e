"""API routes of SLA clocks, added to the app's router list."""

from rest_framework.routers import DefaultRouter

from .clock_views import ClockViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sla-clocks", ClockViewSet, basename="sla-clock")

urlpatterns = router.urls
