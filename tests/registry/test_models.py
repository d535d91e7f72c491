"""Registry models and references: immutability, container references, code links."""

import pytest
from django.core.exceptions import ValidationError

from config.api.errors import ConflictError
from registry.manifest import manifest_schema, validate_manifest
from registry.models import Procedure, ProcedureVersion
from registry.references import (
    REPOSITORY_PATTERN,
    commit_url,
    parse_container,
    publishable_container_problem,
)
from registry.services import register_manifest
from tests.registry.factories import manifest, version_entry

DIGEST = "sha256:" + "0" * 64


@pytest.mark.django_db
def test_published_version_refuses_changes_at_model_level(terms, facilities):
    register_manifest(manifest())
    version = ProcedureVersion.objects.get()
    version.code_commit = "f" * 40
    with pytest.raises(ConflictError) as info:
        version.save()
    assert info.value.details == {"immutable_fields": ["code_commit"]}
    version.refresh_from_db()
    assert version.code_commit != "f" * 40


@pytest.mark.django_db
def test_draft_version_may_change_and_status_may_move(terms, facilities):
    register_manifest(manifest(versions=[version_entry(status="draft")]))
    version = ProcedureVersion.objects.get()
    version.changelog = "Rewritten."
    version.save()
    assert ProcedureVersion.objects.get().changelog == "Rewritten."
    assert Procedure.objects.get().status == "draft"


@pytest.mark.django_db
def test_search_text_follows_the_procedure(terms, facilities):
    register_manifest(manifest(keywords=["Guinier", "radius of gyration"]))
    procedure = Procedure.objects.get()
    assert "|guinier|radius of gyration|" in procedure.search_text
    procedure.summary = "Completely new words here."
    procedure.save(update_fields=["summary"])
    assert "completely new words" in Procedure.objects.get().search_text


@pytest.mark.parametrize(
    ("reference", "name", "tag", "digest"),
    [
        (f"ghcr.io/org/saxs:1.0@{DIGEST}", "ghcr.io/org/saxs", "1.0", "0" * 64),
        (
            f"registry.example.org:5000/a/b/c@{DIGEST}",
            "registry.example.org:5000/a/b/c",
            None,
            "0" * 64,
        ),
        ("ubuntu:22.04", "ubuntu", "22.04", None),
        ("python", "python", None, None),
    ],
)
def test_container_references_parse(reference, name, tag, digest):
    parsed = parse_container(reference)
    assert (parsed.name, parsed.tag, parsed.digest) == (name, tag, digest)


@pytest.mark.parametrize(
    "reference", ["", "UPPER/case:1", "a b", "x@sha256:123", "img:tag@md5:" + "0" * 32]
)
def test_bad_container_references_are_not_references(reference):
    assert parse_container(reference) is None
    assert publishable_container_problem(reference)


@pytest.mark.parametrize(
    ("reference", "words"),
    [
        ("ghcr.io/org/saxs", "latest"),
        ("ghcr.io/org/saxs:latest", "latest"),
        ("ghcr.io/org/saxs:1.0", "no digest"),
    ],
)
def test_unpinned_containers_cannot_be_published(reference, words):
    assert words in publishable_container_problem(reference)
    assert publishable_container_problem(f"{reference}@{DIGEST}") is None


@pytest.mark.parametrize(
    ("repository", "url"),
    [
        ("https://github.com/org/repo.git", "https://github.com/org/repo/commit/abc"),
        ("git@github.com:org/repo.git", "https://github.com/org/repo/commit/abc"),
        ("https://gitlab.esrf.fr/group/repo", "https://gitlab.esrf.fr/group/repo/-/commit/abc"),
        ("https://git.example.org/repo.git", None),
    ],
)
def test_commit_links(repository, url):
    assert commit_url(repository, "abc") == url


REPOSITORIES_THE_MANIFEST_ALLOWS = [
    "https://github.com/example/saxs.git",
    "ssh://git@gitlab.esrf.fr/analysis/saxs.git",
    "git://example.org/saxs",
    "git@github.com:example/saxs.git",
]
REPOSITORIES_IT_REFUSES = [
    "github.com/example/saxs",
    "ftp://example.org/saxs",
    "git@host",
    "https://",
]


def test_model_and_manifest_agree_on_code_repositories():
    schema = manifest_schema()
    code = schema["$defs"]["version"]["properties"]["code"]["properties"]["repository"]
    assert code["pattern"] == REPOSITORY_PATTERN.pattern


@pytest.mark.django_db
@pytest.mark.parametrize("repository", REPOSITORIES_THE_MANIFEST_ALLOWS)
def test_version_accepts_every_repository_the_manifest_allows(terms, facilities, repository):
    version = version_entry(status="draft")
    version["code"]["repository"] = repository
    register_manifest(manifest(versions=[version]))
    stored = ProcedureVersion.objects.get()
    assert stored.code_repository == repository
    stored.full_clean()  # the admin and any ModelForm validate the same way


@pytest.mark.django_db
@pytest.mark.parametrize("repository", REPOSITORIES_IT_REFUSES)
def test_version_refuses_what_the_manifest_refuses(terms, facilities, repository):
    register_manifest(manifest(versions=[version_entry(status="draft")]))
    stored = ProcedureVersion.objects.get()
    stored.code_repository = repository
    with pytest.raises(ValidationError) as info:
        stored.full_clean()
    assert "git@host:path" in info.value.message_dict["code_repository"][0]
    document = manifest(versions=[version_entry(status="draft")])
    document["versions"][0]["code"]["repository"] = repository
    problems = validate_manifest(document).problems
    assert [p.pointer for p in problems] == ["/versions/0/code/repository"]
    assert "git@host:path" in problems[0].message
