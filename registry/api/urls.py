"""API routes of the registry, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from registry.api import views

router = DefaultRouter(trailing_slash=True)
router.register("procedures", views.ProcedureViewSet, basename="procedure")
router.register(
    r"procedures/(?P<procedure_slug>[a-z0-9-]+)/versions",
    views.ProcedureVersionViewSet,
    basename="procedure-version",
)
router.register("versions", views.VersionViewSet, basename="version")
router.register("resources", views.ResourceViewSet, basename="resource")
router.register("facilities", views.FacilityViewSet, basename="facility")
router.register("instruments", views.InstrumentViewSet, basename="instrument")

urlpatterns = [
    path(
        "schemas/procedure-manifest.json",
        views.ManifestSchemaView.as_view(),
        name="procedure-manifest-schema",
    ),
    *router.urls,
]
