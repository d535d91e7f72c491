"""The demo content under fixtures/ is complete, valid and really runs.

Manifests follow docs/contributing.md and the published manifest schema, input schemas are
Draft 2020-12, PaNET IRIs exist, the example NeXus files carry the required items of their
application definitions and every notebook executes on the example file of its technique.
"""

import ast
import csv
import json
import re
from functools import cache

import h5py
import jsonschema
import nbformat
import pytest
import yaml

from datasets.examples import EXAMPLES, PANET, example_slug_for
from datasets.nexus.extractor import extract
from datasets.nexus.requirements import check_requirements
from tests.conftest import PROJECT_DIR, shared_path
from tests.fixtures_content.nxdl import missing_required

PROCEDURES = PROJECT_DIR / "fixtures" / "procedures"
MANIFEST_SCHEMA = PROJECT_DIR / "registry" / "schemas" / "procedure-manifest.schema.json"
SLUGS = sorted(path.parent.name for path in PROCEDURES.glob("*/procedure.yaml"))
FACILITIES = {"esrf", "diamond", "psi", "ill", "isis", "soleil", "desy", "maxiv", "aps", "ess"}
DEMO_REPOSITORY = "https://github.com/analysis-registry-demo/procedures.git"


@cache
def manifest(slug: str) -> dict:
    """The parsed procedure.yaml of a demo procedure."""
    return yaml.safe_load((PROCEDURES / slug / "procedure.yaml").read_text())


@cache
def panet_iris() -> frozenset[str]:
    """Every IRI in the shared PaNET term table."""
    with shared_path("ontologies/PaNET-terms.tsv").open() as handle:
        return frozenset(row["iri"] for row in csv.DictReader(handle, delimiter="\t"))


def example_for_manifest(slug: str) -> str | None:
    """The example file slug a demo procedure runs on (its techniques, its latest needs)."""
    document = manifest(slug)
    required = document["versions"][-1]["inputs"]["required_nexus"]
    return example_slug_for(document["procedure"]["techniques"], required)


def parameters_cell(slug: str) -> dict:
    """Names and literal values assigned in the notebook's papermill parameters cell."""
    notebook = nbformat.read(PROCEDURES / slug / "analysis.ipynb", as_version=4)
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{slug}: expected one cell tagged 'parameters'"
    tree = ast.parse(cells[0].source)
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}


def test_there_are_enough_demo_procedures_and_techniques():
    """At least 22 procedures covering at least 12 example techniques."""
    assert len(SLUGS) >= 22
    covered = {example_for_manifest(slug) for slug in SLUGS}
    assert None not in covered
    assert len(covered) >= 12


@pytest.mark.parametrize("slug", SLUGS)
def test_manifest_follows_the_contributing_format(slug):
    """Valid against the published manifest schema, with the demo conventions."""
    document = manifest(slug)
    jsonschema.Draft202012Validator(json.loads(MANIFEST_SCHEMA.read_text())).validate(document)
    procedure = document["procedure"]
    assert procedure["slug"] == slug
    assert procedure["description"].startswith("Demo procedure:")
    assert set(procedure["facilities"]) <= FACILITIES
    for version in document["versions"]:
        code = version["code"]
        assert code["repository"] == DEMO_REPOSITORY
        assert code["entry_point"] == f"{slug}/analysis.ipynb"
        assert re.fullmatch(r"[0-9a-f]{40}", code["commit"])
        image = f"ghcr.io/analysis-registry-demo/{slug}:{version['version']}"
        pinned = rf"{re.escape(image)}@sha256:[0-9a-f]{{64}}"
        if version["status"] == "draft":
            assert re.fullmatch(
                rf"{re.escape(image)}(@sha256:[0-9a-f]{{64}})?", version["container"]
            )
        else:
            assert re.fullmatch(pinned, version["container"])
        assert version["outputs"], "every version names its output files"


def test_versions_resources_and_drafts_across_the_demo_set():
    """Some procedures have two versions with a changelog, some a draft; 25+ resources."""
    versions = {slug: manifest(slug)["versions"] for slug in SLUGS}
    assert sum(1 for v in versions.values() if len(v) >= 2) >= 3
    assert any(x["status"] == "draft" for v in versions.values() for x in v)
    urls = {r["url"] for slug in SLUGS for r in manifest(slug)["procedure"].get("resources", [])}
    assert len(urls) >= 25


@pytest.mark.parametrize("slug", SLUGS)
def test_input_schemas_are_draft_2020_12_and_match_the_notebook(slug):
    """Each input schema is valid, its defaults validate, and the notebook declares them."""
    cell = parameters_cell(slug)
    assert {"dataset_path", "output_dir"} <= set(cell)
    for version in manifest(slug)["versions"]:
        schema = version["inputs"]["schema"]
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["type"] == "object"
        jsonschema.Draft202012Validator.check_schema(schema)
        defaults = {name: spec["default"] for name, spec in schema["properties"].items()}
        jsonschema.Draft202012Validator(schema).validate(defaults)
        for name, default in defaults.items():
            assert cell.get(name) == default, f"{slug} {version['version']}: {name}"
    latest = manifest(slug)["versions"][-1]["inputs"]["schema"]["properties"]
    assert set(cell) - {"dataset_path", "output_dir"} == set(latest)


@pytest.mark.parametrize("slug", SLUGS)
def test_panet_iris_exist(slug):
    """Procedure and resource techniques are IRIs of the shared PaNET table."""
    procedure = manifest(slug)["procedure"]
    used = set(procedure["techniques"])
    for resource in procedure.get("resources", []):
        used |= set(resource.get("techniques", []))
    assert used <= panet_iris(), sorted(used - panet_iris())


@pytest.mark.parametrize("technique", sorted(s for s, e in EXAMPLES.items() if e.definition))
def test_example_files_have_the_required_items_of_their_definition(examples, technique):
    """Required groups, fields, links and attributes of the NXDL application definition."""
    applications = shared_path("nexus-definitions/applications")
    example = EXAMPLES[technique]
    path = examples / example.file_name
    assert path.stat().st_size < 2 * 1024 * 1024
    with h5py.File(path, "r") as nexus:
        assert missing_required(nexus, applications, example.definition) == []
        entry = nexus[nexus.attrs["default"]]
        data = entry[entry.attrs["default"]]
        assert data.attrs["NX_class"] == "NXdata"
        assert data.attrs["signal"] in data


def test_the_model_example_has_the_layout_of_the_shared_pdb_sample(examples):
    """The deposited-model example (no application definition) nests its mmCIF categories as
    the shared 4n8z.h5 does, with the atom_site items the model procedure reads, as strings."""
    sample = shared_path("nexus-samples/nxpdb/hdf5/4n8z.h5")

    def layout(path):
        """NX classes of /entry, /entry/CBF_cbf, the datablock and atom_site (as str)."""
        with h5py.File(path, "r") as nexus:
            (datablock,) = nexus["entry/CBF_cbf"].values()
            nodes = [nexus["entry"], nexus["entry/CBF_cbf"], datablock, datablock["atom_site"]]
            classes = [node.attrs["NX_class"] for node in nodes] + [datablock.attrs["NXpdb_class"]]
            return [c.decode() if isinstance(c, bytes) else str(c) for c in classes]

    with h5py.File(examples / EXAMPLES["mx-model"].file_name, "r") as nexus:
        assert "definition" not in nexus["entry"]
    assert layout(examples / EXAMPLES["mx-model"].file_name) == layout(sample)
    items = {"Cartn_x", "Cartn_y", "Cartn_z", "B_iso_or_equiv", "occupancy", "auth_asym_id",
             "label_comp_id", "label_seq_id", "label_atom_id", "type_symbol"}  # fmt: skip
    with h5py.File(examples / EXAMPLES["mx-model"].file_name, "r") as nexus:
        atoms = next(iter(nexus["entry/CBF_cbf"].values()))["atom_site"]
        assert items <= set(atoms)
        assert {atoms[item].dtype.kind for item in items} == {"S"}
        assert len({atoms[item].shape for item in items}) == 1


def test_example_choice_follows_what_the_procedure_reads():
    """MX image procedures run on the NXmx images, the model procedure on the NXpdb model."""
    mx = PANET + "PaNET01164"
    assert example_slug_for([mx], ["NXentry/NXdata"]) == "mx"
    assert example_slug_for([mx]) == "mx"
    assert example_slug_for([mx], ["NXentry/NXpdb/NXpdb/NXpdb"]) == "mx-model"
    assert example_for_manifest("mx-model-validation") == "mx-model"
    assert example_for_manifest("mx-spot-finding") == "mx"


@pytest.mark.parametrize("slug", SLUGS)
def test_required_nexus_items_exist_in_the_example_file(examples, slug):
    """What a manifest says it needs is in the example file of its technique (the registry's
    own check: absolute paths, or NX class chains matched at the end of a group's chain)."""
    example = EXAMPLES[example_for_manifest(slug)]
    summary = extract(examples / example.file_name)
    for version in manifest(slug)["versions"]:
        _, missing = check_requirements(summary, version["inputs"]["required_nexus"])
        assert missing == [], f"{slug} {version['version']}: {missing} not in {example.file_name}"


@pytest.mark.parametrize("slug", SLUGS)
def test_required_nexus_items_are_class_level(slug):
    """Manifests ask for NeXus classes (found by the NeXus rules), never fixed paths."""
    for version in manifest(slug)["versions"]:
        for required in version["inputs"]["required_nexus"]:
            assert not required.startswith("/"), f"{slug}: fixed path {required}"


def test_notebooks_match_their_sources():
    """The committed notebooks are what _build_notebooks.py makes from the sources."""
    sources = PROCEDURES / "_notebook_sources"
    for slug in SLUGS:
        assert (sources / f"{slug}.py").is_file(), f"{slug} has no notebook source"
        notebook = nbformat.read(PROCEDURES / slug / "analysis.ipynb", as_version=4)
        nbformat.validate(notebook)
        assert notebook.metadata["kernelspec"]["name"] == "python3"
        code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        assert "import h5py" in code and "savefig" in code
