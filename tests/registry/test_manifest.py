"""Manifest validation: the good fixtures pass; each bad manifest gives a clear error and writes nothing."""

import json

import pytest
from django.core.management import CommandError, call_command

from registry.demo import demo_manifests
from registry.manifest import (
    ManifestError,
    parse_manifest_text,
    read_manifest_file,
    validate_manifest,
)
from registry.models import Procedure, ProcedureVersion, Resource
from registry.services import register_manifest
from tests.registry.factories import DELETE, SAXS, changed, manifest, version_entry

pytestmark = pytest.mark.django_db

GOOD = manifest()

# (name, document, pointer expected among the problems, words expected in its message)
BAD_MANIFESTS = [
    ("missing procedure", changed(GOOD, "procedure", DELETE), "", "procedure"),
    ("wrong manifest version", changed(GOOD, "manifest_version", 2), "/manifest_version", "1"),
    (
        "bad slug",
        changed(GOOD, "procedure/slug", "SAXS Integration!"),
        "/procedure/slug",
        "lowercase",
    ),
    (
        "short commit",
        changed(GOOD, "versions/0/code/commit", "abc123"),
        "/versions/0/code/commit",
        "40-hex",
    ),
    (
        "not semver",
        changed(GOOD, "versions/0/version", "v1"),
        "/versions/0/version",
        "semantic version",
    ),
    (
        "unknown technique",
        changed(GOOD, "procedure/techniques", ["http://purl.org/pan-science/PaNET/PaNET99999"]),
        "/procedure/techniques/0",
        "Unknown technique",
    ),
    (
        "unknown facility",
        changed(GOOD, "procedure/facilities", ["nowhere"]),
        "/procedure/facilities/0",
        "Unknown facility",
    ),
    (
        "no techniques",
        changed(GOOD, "procedure/techniques", []),
        "/procedure/techniques",
        "non-empty",
    ),
    (
        "published without digest",
        changed(GOOD, "versions/0/container", "ghcr.io/example/saxs:1.0.0"),
        "/versions/0/container",
        "no digest",
    ),
    (
        "published with only latest",
        changed(GOOD, "versions/0/container", "ghcr.io/example/saxs:latest"),
        "/versions/0/container",
        "latest",
    ),
    (
        "malformed container",
        changed(GOOD, "versions/0/container", "Not An Image"),
        "/versions/0/container",
        "registry/name:tag@sha256",
    ),
    (
        "invalid input schema",
        changed(GOOD, "versions/0/inputs/schema", {"type": "objekt"}),
        "/versions/0/inputs/schema/type",
        "Draft 2020-12",
    ),
    (
        "old schema draft",
        changed(
            GOOD,
            "versions/0/inputs/schema",
            {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"},
        ),
        "/versions/0/inputs/schema/$schema",
        "2020-12",
    ),
    (
        "bad required path",
        changed(GOOD, "versions/0/inputs/required_nexus", ["entry data"]),
        "/versions/0/inputs/required_nexus/0",
        "NeXus path",
    ),
    (
        "entry point escapes",
        changed(GOOD, "versions/0/code/entry_point", "../../etc/passwd"),
        "/versions/0/code/entry_point",
        "without '..'",
    ),
    (
        "duplicate versions",
        changed(GOOD, "versions", [version_entry(), version_entry()]),
        "/versions/1/version",
        "more than once",
    ),
    ("unknown property", changed(GOOD, "procedure/colour", "blue"), "/procedure", "colour"),
    (
        "bad resource kind",
        changed(GOOD, "procedure/resources/0/kind", "video"),
        "/procedure/resources/0/kind",
        "video",
    ),
    ("no versions", changed(GOOD, "versions", []), "/versions", "non-empty"),
    (
        "unknown owner",
        changed(GOOD, "procedure/owners", ["ghost"]),
        "/procedure/owners/0",
        "Unknown user",
    ),
    ("not an object", ["a", "list"], "", "object"),
]


@pytest.mark.parametrize(
    ("name", "document", "where", "words"), BAD_MANIFESTS, ids=[b[0] for b in BAD_MANIFESTS]
)
def test_bad_manifest_gives_clear_error_and_writes_nothing(
    terms, facilities, name, document, where, words
):
    report = validate_manifest(document)
    assert not report.is_valid
    matching = [p for p in report.problems if p.pointer == where]
    assert matching, f"no problem at {where!r}: {[p.as_dict() for p in report.problems]}"
    assert any(words.lower() in p.message.lower() for p in matching), [p.message for p in matching]
    with pytest.raises(ManifestError):
        register_manifest(document)
    assert Procedure.objects.count() == 0
    assert ProcedureVersion.objects.count() == 0
    assert Resource.objects.count() == 0


def test_every_error_is_reported_at_once(terms, facilities):
    document = changed(GOOD, "versions/0/code/commit", "xyz")
    document = changed(document, "procedure/facilities", ["nowhere"])
    document = changed(document, "procedure/slug", "Bad Slug")
    problems = {p.pointer for p in validate_manifest(document).problems}
    assert {"/versions/0/code/commit", "/procedure/slug"} <= problems


def test_draft_version_may_have_unpinned_container(terms, facilities):
    document = changed(
        GOOD, "versions/0", version_entry(status="draft", container="ghcr.io/example/saxs:latest")
    )
    assert validate_manifest(document).is_valid


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(ManifestError) as info:
        parse_manifest_text("procedure:\n  slug: [unclosed\n")
    assert "line" in str(info.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ManifestError, match="No manifest file"):
        read_manifest_file(tmp_path / "absent.yaml")


def test_registration_is_idempotent(terms, facilities):
    first = register_manifest(GOOD)
    assert first.procedure_action == "created"
    assert first.versions == {"1.0.0": "created"}
    second = register_manifest(GOOD)
    assert not second.changed
    assert Procedure.objects.count() == 1
    assert ProcedureVersion.objects.count() == 1
    assert Resource.objects.count() == 1


def test_dry_run_writes_nothing(terms, facilities):
    result = register_manifest(GOOD, dry_run=True)
    assert result.dry_run and result.procedure_action == "created"
    assert Procedure.objects.count() == 0


def test_changing_a_published_version_is_refused(terms, facilities):
    register_manifest(GOOD)
    document = changed(GOOD, "versions/0/code/commit", "f" * 40)
    report = validate_manifest(document)
    assert [p.pointer for p in report.problems] == ["/versions/0"]
    assert "immutable" in report.problems[0].message
    assert ProcedureVersion.objects.get().code_commit != "f" * 40


def test_new_version_and_metadata_update(terms, facilities):
    register_manifest(GOOD)
    document = changed(GOOD, "versions", [version_entry(), version_entry("1.1.0")])
    document = changed(document, "procedure/summary", "A better summary of SAXS integration.")
    result = register_manifest(document)
    assert result.procedure_action == "updated"
    assert result.versions == {"1.0.0": "unchanged", "1.1.0": "created"}


def test_register_procedure_command_is_idempotent(terms, facilities, tmp_path, capsys):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(GOOD))
    call_command("register_procedure", str(path))
    call_command("register_procedure", str(path))
    assert "nothing to change" in capsys.readouterr().out
    assert Procedure.objects.get().techniques.get().iri == SAXS


def test_register_procedure_command_reports_every_problem(terms, facilities, tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(changed(GOOD, "versions/0/code/commit", "abc")))
    with pytest.raises(CommandError, match="invalid"):
        call_command("register_procedure", str(path))
    assert "/versions/0/code/commit" in capsys.readouterr().err
    assert Procedure.objects.count() == 0


def test_register_procedure_dry_run(terms, facilities, tmp_path, capsys):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(GOOD))
    call_command("register_procedure", str(path), "--dry-run")
    assert "would be created" in capsys.readouterr().out
    assert Procedure.objects.count() == 0


def test_demo_manifests_are_valid():
    """Every demo manifest passes the schema (references are checked by load_demo's test)."""
    from jsonschema import Draft202012Validator

    from registry.manifest import manifest_schema

    paths = demo_manifests()
    assert len(paths) >= 20
    validator = Draft202012Validator(manifest_schema())
    for path in paths:
        errors = [e.message for e in validator.iter_errors(read_manifest_file(path))]
        assert not errors, f"{path}: {errors}"


def test_version_based_on_an_earlier_version_of_the_same_manifest(terms, facilities):
    document = changed(
        GOOD,
        "versions",
        [version_entry(), version_entry("1.1.0", based_on="saxs-integration@1.0.0")],
    )
    register_manifest(document)
    derived = ProcedureVersion.objects.get(version="1.1.0")
    assert derived.base_version.version == "1.0.0"


def test_based_on_a_later_or_unknown_version_is_refused(terms, facilities):
    document = changed(
        GOOD, "versions", [version_entry(based_on="saxs-integration@2.0.0"), version_entry("2.0.0")]
    )
    problems = validate_manifest(document).problems
    assert [p.pointer for p in problems] == ["/versions/0/based_on"]


def test_version_registered_as_deprecated(terms, facilities):
    document = changed(
        GOOD, "versions", [version_entry(status="deprecated"), version_entry("1.1.0")]
    )
    result = register_manifest(document)
    assert ProcedureVersion.objects.get(version="1.0.0").status == "deprecated"
    assert ProcedureVersion.objects.get(version="1.0.0").published_at is not None
    assert not register_manifest(document).changed
    assert result.versions == {"1.0.0": "created", "1.1.0": "created"}
