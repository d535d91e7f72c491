"""API routes of the publications app, mounted under /api/v1/.

DOIs contain slashes, so the detail routes take a DOI pattern, and action routes come first.
"""

from django.urls import re_path
from rest_framework.routers import DefaultRouter

from publications.api import views

DOI = r"(?P<doi>10\.[0-9]{4,9}/[^?#]+?)"

router = DefaultRouter(trailing_slash=True)
router.register("publication-reproductions", views.ReproductionViewSet, basename="reproduction")

publication = views.PublicationViewSet
urlpatterns = [
    re_path(r"^publications/$", publication.as_view({"get": "list"}), name="publication-list"),
    re_path(rf"^publications/{DOI}/reproduce/$", publication.as_view({"post": "reproduce"}),
            name="publication-reproduce"),
    re_path(rf"^publications/{DOI}/reproductions/$",
            publication.as_view({"get": "reproductions"}), name="publication-reproductions"),
    re_path(rf"^publications/{DOI}/modify/$", publication.as_view({"post": "modify"}),
            name="publication-modify"),
    re_path(rf"^publications/{DOI}/modified-versions/$",
            publication.as_view({"post": "modified_versions"}),
            name="publication-modified-versions"),
    re_path(rf"^publications/{DOI}/crate\.zip$", publication.as_view({"get": "crate"}),
            name="publication-crate"),
    re_path(rf"^publications/{DOI}/$", publication.as_view({"get": "retrieve"}),
            name="publication-detail"),
    *router.urls,
]  # fmt: skip
