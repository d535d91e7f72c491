"""Routes of the PaNOSC search API, mounted under /panosc/.

PIDs contain slashes (``20.500.12269/panosc-dataset1``): the detail routes take the rest of the
path, after the ``count`` routes so those are never read as PIDs.
"""

from django.urls import path

from datasets.panosc import instruments, views

urlpatterns = [
    path("Datasets", views.DatasetListView.as_view(), name="panosc-datasets"),
    path("Datasets/count", views.DatasetCountView.as_view(), name="panosc-datasets-count"),
    path("Datasets/<path:pid>", views.DatasetDetailView.as_view(), name="panosc-dataset"),
    path("Documents", views.DocumentListView.as_view(), name="panosc-documents"),
    path("Documents/count", views.DocumentCountView.as_view(), name="panosc-documents-count"),
    path("Documents/<path:pid>", views.DocumentDetailView.as_view(), name="panosc-document"),
    path("Instruments", instruments.InstrumentListView.as_view(), name="panosc-instruments"),
    path(
        "Instruments/count",
        instruments.InstrumentCountView.as_view(),
        name="panosc-instruments-count",
    ),
    path(
        "Instruments/<path:pid>",
        instruments.InstrumentDetailView.as_view(),
        name="panosc-instrument",
    ),
]
