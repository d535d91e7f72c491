"""API routes of the execution app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from execution.api import views

router = DefaultRouter(trailing_slash=True)
router.register("runs", views.RunViewSet, basename="run")

urlpatterns = [
    path(
        "runs/<uuid:pk>/crate.zip",
        views.RunViewSet.as_view({"get": "crate"}),
        name="run-crate",
    ),
    path(
        "runs/<uuid:pk>/outputs/<path:name>",
        views.RunViewSet.as_view({"get": "output"}),
        name="run-output",
    ),
    *router.urls,
]
