"""Test data of the interoperability tests: terms, facilities, users, procedures, a notebook."""

import json

import pytest
from django.contrib.auth import get_user_model

from ontologies.models import NexusDefinitionMapping, OntologyVersion, Term
from ontologies.services import rebuild_closure
from registry.models import Facility, Instrument
from registry.services import register_manifest

PANET = "http://purl.org/pan-science/PaNET/"
SAXS = PANET + "PaNET01188"
SCATTERING = PANET + "PaNET01127"
TOMO = PANET + "PaNET01207"
REPO = "https://github.com/analysis-registry-demo/procedures.git"
COMMIT = "3f1c2b9a7d4e5f60718293a4b5c6d7e8f9012345"
DIGEST = "a" * 64
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "metadata": {"tags": ["parameters"]},
            "source": "bins = 200",
            "outputs": [],
            "execution_count": None,
        }
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def version_entry(number: str, status: str = "published", **extra) -> dict:
    """A manifest version entry."""
    entry = {
        "version": number,
        "status": status,
        "kind": "notebook",
        "code": {"repository": REPO, "commit": COMMIT, "entry_point": "saxs/analysis.ipynb"},
        "container": f"ghcr.io/analysis-registry-demo/saxs:{number}@sha256:{DIGEST}",
        "inputs": {
            "schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {
                    "bins": {"type": "integer", "minimum": 10, "default": 200},
                    "dataset_path": {"type": "string", "description": "NeXus file"},
                },
                "required": ["dataset_path"],
            },
            "required_nexus": ["NXentry/NXinstrument/NXdetector"],
        },
        "outputs": [{"name": "profile.csv", "description": "I(q)", "media_type": "text/csv"}],
        "resources": {"cpu": 1, "memory_mb": 2048, "gpu": 0, "walltime_minutes": 10},
        "changelog": f"Release {number}.",
    }
    entry.update(extra)
    return entry


def saxs_manifest() -> dict:
    """A manifest with a published, a deprecated-later and a draft version and a resource."""
    return {
        "manifest_version": 1,
        "procedure": {
            "slug": "saxs",
            "name": "SAXS azimuthal integration",
            "summary": "Radial profile I(q) of a 2D SAXS image.",
            "description": "Integrates azimuthally.",
            "license": "MIT",
            "keywords": ["saxs", "azimuthal integration"],
            "facilities": ["esrf"],
            "techniques": [SAXS],
            "owners": ["alice"],
            "citation": "Alice (2024).",
            "resources": [
                {
                    "kind": "tutorial",
                    "title": "SAXS tutorial",
                    "url": "https://example.org/saxs",
                    "description": "Read me",
                    "techniques": [SAXS],
                }
            ],
        },
        "versions": [
            version_entry("1.0.0"),
            version_entry("1.1.0", based_on="saxs@1.0.0"),
            version_entry(
                "2.0.0-dev", status="draft", container="ghcr.io/analysis-registry-demo/saxs:dev"
            ),
        ],
    }


def tomo_manifest() -> dict:
    """A second procedure, a script, at another facility."""
    entry = version_entry("0.1.0", kind="script")
    entry["code"] = {**entry["code"], "entry_point": "tomo/run.py"}
    return {
        "manifest_version": 1,
        "procedure": {
            "slug": "tomo-reconstruction",
            "name": "Tomographic reconstruction",
            "summary": "Filtered back projection.",
            "license": "BSD-3-Clause",
            "facilities": ["diamond"],
            "techniques": [TOMO],
        },
        "versions": [entry],
    }


@pytest.fixture
def reference_data(db):
    """Terms (with a parent), the ontology version, facilities, instruments, users, mapping."""
    scattering = Term.objects.create(iri=SCATTERING, label="scattering")
    saxs = Term.objects.create(iri=SAXS, label="small angle x-ray scattering", synonyms=["SAXS"])
    saxs.parents.add(scattering)
    tomo = Term.objects.create(iri=TOMO, label="tomography")
    rebuild_closure()
    OntologyVersion.objects.create(source="test", checksum="c" * 64, term_count=3, added=3)
    NexusDefinitionMapping.objects.create(definition="NXsas", term=saxs, confidence=0.9)
    esrf = Facility.objects.create(
        slug="esrf",
        name="European Synchrotron",
        short_name="ESRF",
        url="https://www.esrf.fr",
        country="France",
    )
    diamond = Facility.objects.create(
        slug="diamond", name="Diamond Light Source", short_name="Diamond", country="United Kingdom"
    )
    Instrument.objects.create(facility=esrf, slug="id02", name="ID02").techniques.add(saxs)
    Instrument.objects.create(facility=diamond, slug="i13", name="I13").techniques.add(tomo)
    users = get_user_model().objects
    alice = users.create_user("alice", first_name="Alice", last_name="Curie")
    esrf.curators.add(alice)
    return {"esrf": esrf, "diamond": diamond, "alice": alice}


@pytest.fixture
def code_mirror(tmp_path, settings):
    """A working copy of the demo repository with the SAXS notebook, mapped by CODE_MIRRORS."""
    folder = tmp_path / "mirror" / "saxs"
    folder.mkdir(parents=True)
    (folder / "analysis.ipynb").write_text(json.dumps(NOTEBOOK))
    (folder / "procedure.yaml").write_text("demo: true\n")
    settings.CODE_MIRRORS = {REPO: str(tmp_path / "mirror")}
    return folder


@pytest.fixture
def registry_data(reference_data, code_mirror):
    """Two procedures registered through the manifest; one 1.0.0 deprecated."""
    first = saxs_manifest()
    first["versions"] = first["versions"][:1]
    register_manifest(first)
    register_manifest(saxs_manifest())
    register_manifest(tomo_manifest())
    document = saxs_manifest()
    document["versions"][0]["status"] = "deprecated"
    register_manifest(document)
    return reference_data
