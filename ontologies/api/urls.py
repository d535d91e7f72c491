"""API routes of the ontologies app, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from ontologies.api import views

router = DefaultRouter(trailing_slash=True)
router.register("techniques", views.TechniqueViewSet, basename="technique")
router.register("nexus-definitions", views.NexusDefinitionViewSet, basename="nexus-definition")

urlpatterns = router.urls
