"""API routes of the recommender app, mounted under /api/v1/.

Dataset PIDs hold slashes and colons, so the dataset route takes any characters before
``/recommendations/``; it must be tried before the datasets app's own detail route.
"""

from django.urls import path, re_path

from recommender.api import views

urlpatterns = [
    re_path(
        r"^datasets/(?P<pid>.+)/recommendations/$",
        views.DatasetRecommendationsView.as_view(),
        name="dataset-recommendations",
    ),
    path("recommendations/", views.RecommendationsView.as_view(), name="recommendations"),
    path(
        "recommendations/upload/",
        views.RecommendationUploadView.as_view(),
        name="recommendations-upload",
    ),
    path(
        "procedures/<slug:slug>/datasets/",
        views.ProcedureDatasetsView.as_view(),
        name="procedure-datasets",
    ),
    path("search/", views.SearchView.as_view(), name="recommender-search"),
]
