"""Routes of GA4GH WES 1.1, mounted at ``/ga4gh/wes/v1/`` by ``config/urls.py``.

Paths are exactly the spec's (no trailing slash); run ids are checked by the views, so a
malformed id is a WES 404 rather than the site's HTML one.
"""

from django.urls import path

from execution.wes import views

urlpatterns = [
    path("service-info", views.ServiceInfoView.as_view(), name="wes-service-info"),
    path("runs", views.RunsView.as_view(), name="wes-runs"),
    path("runs/<str:run_id>", views.RunLogView.as_view(), name="wes-run"),
    path("runs/<str:run_id>/status", views.RunStatusView.as_view(), name="wes-run-status"),
    path("runs/<str:run_id>/cancel", views.CancelRunView.as_view(), name="wes-run-cancel"),
]
