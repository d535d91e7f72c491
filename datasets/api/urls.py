"""API routes of the datasets app, mounted under /api/v1/.

PIDs contain slashes and colons (``10.5072/demo:saxs-001``), so the detail routes accept any
characters; the plot route comes first so ``.../plot.png`` is never read as a PID.
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

from datasets.api.views import DatasetPlotView, DatasetViewSet

router = DefaultRouter(trailing_slash=True)
router.register("datasets", DatasetViewSet, basename="dataset")

urlpatterns = [
    path("datasets/<path:pid>/plot.png", DatasetPlotView.as_view(), name="dataset-plot"),
    *router.urls,
]
