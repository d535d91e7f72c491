"""API routes of the audit app, mounted under /api/v1/ (before the default token route)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from audit.api import views

router = SimpleRouter(trailing_slash=True)
router.register("audit", views.AuditEntryViewSet, basename="audit-entry")

urlpatterns = [
    path("auth/token/", views.AuthTokenView.as_view(), name="api-token"),
    path(
        "auth/tokens/<str:username>/",
        views.StaffTokenRevocationView.as_view(),
        name="api-token-revoke",
    ),
    *router.urls,
]
