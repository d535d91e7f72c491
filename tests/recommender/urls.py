"""The project's URLs with the recommender routes tried before the datasets app's detail route.

Used until config/urls.py includes recommender.api.urls before datasets.api.urls (the datasets
detail route ``datasets/(?P<pid>.+)/$`` otherwise takes ``<pid>/recommendations/`` as a PID).
"""

from django.urls import include, path

from config import urls as project

urlpatterns = [
    path("api/v1/", include("recommender.api.urls")),
    *project.urlpatterns,
]
