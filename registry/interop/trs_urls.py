"""Routes of the GA4GH TRS 2.1 read API, mounted at ``/ga4gh/trs/v2/`` by ``config/urls.py``."""

from django.urls import path, re_path

from registry.interop import trs_views as views

# Any segment reaches the views, which answer a TRS ``Error`` for what they do not know (a
# narrower pattern would fall through to the project's own 404 shape).
TOOL = r"tools/(?P<tool_id>[^/]+)"
VERSION = TOOL + r"/versions/(?P<version_id>[^/]+)"
TYPE = VERSION + r"/(?P<descriptor_type>[^/]+)"

urlpatterns = [
    path("service-info", views.ServiceInfoView.as_view(), name="trs-service-info"),
    path("toolClasses", views.ToolClassesView.as_view(), name="trs-tool-classes"),
    path("tools", views.ToolsView.as_view(), name="trs-tools"),
    re_path(rf"^{TOOL}$", views.ToolView.as_view(), name="trs-tool"),
    re_path(rf"^{TOOL}/versions$", views.ToolVersionsView.as_view(), name="trs-versions"),
    re_path(rf"^{VERSION}$", views.ToolVersionView.as_view(), name="trs-version"),
    re_path(
        rf"^{VERSION}/containerfile$",
        views.ContainerfileView.as_view(),
        name="trs-containerfile",
    ),
    re_path(rf"^{TYPE}/descriptor$", views.DescriptorView.as_view(), name="trs-descriptor"),
    re_path(
        rf"^{TYPE}/descriptor/(?P<relative_path>.+)$",
        views.DescriptorView.as_view(),
        name="trs-descriptor-file",
    ),
    re_path(rf"^{TYPE}/files$", views.FilesView.as_view(), name="trs-files"),
    re_path(rf"^{TYPE}/tests$", views.TestsView.as_view(), name="trs-tests"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="trs-not-found"),
]
