"""Portal pages."""

from django.urls import path

from portal import curator, curator_manage, publication_pages, runs, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("techniques/", views.techniques, name="techniques"),
    path("techniques/<str:short_id>/", views.technique_detail, name="technique"),
    path("procedures/", views.procedures, name="procedures"),
    path("procedures/<slug:slug>/", views.procedure_detail, name="procedure"),
    path("procedures/<slug:slug>/run/", runs.run_procedure, name="run_procedure"),
    path("datasets/", views.datasets, name="datasets"),
    path("datasets/<path:pid>/", views.dataset_detail, name="dataset"),
    path("upload/", views.upload, name="upload"),
    path("upload/analyse/", runs.analyse_upload, name="analyse_upload"),
    path("publications/", publication_pages.publications, name="publications"),
    path(
        "publications/<path:doi>/reproduce/",
        publication_pages.reproduce,
        name="publication_reproduce",
    ),
    path("publications/<path:doi>/modify/", publication_pages.modify, name="publication_modify"),
    path("publications/<path:doi>/", publication_pages.publication_detail, name="publication"),
    path("analyse/", runs.analyse, name="analyse"),
    path("runs/", runs.runs, name="runs"),
    path("runs/<uuid:run_id>/", runs.run_detail, name="run"),
    path("runs/<uuid:run_id>/status.json", runs.run_status, name="run_status"),
    path("runs/<uuid:run_id>/again/", runs.run_again, name="run_again"),
    path("curator/", curator.dashboard, name="curator"),
    path("curator/register/", curator.register, name="curator_register"),
    path("curator/manifest/", curator.upload_manifest, name="curator_manifest"),
    path("curator/versions/<int:pk>/publish/", curator.publish, name="curator_publish"),
    path("curator/versions/<int:pk>/edit/", curator_manage.edit_version, name="curator_edit"),
    path(
        "curator/versions/<int:pk>/delete/",
        curator_manage.delete_version,
        name="curator_delete_version",
    ),
    path(
        "curator/versions/<int:pk>/deprecate/",
        curator_manage.deprecate,
        name="curator_deprecate",
    ),
    path(
        "curator/procedures/<slug:slug>/delete/",
        curator_manage.delete_procedure,
        name="curator_delete_procedure",
    ),
]
