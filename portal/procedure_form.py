"""The curator's procedure form: builds a manifest and shows the validator's problems by field."""

import json

from django import forms

from ontologies.models import Term
from registry.choices import VersionKind
from registry.manifest import ManifestError
from registry.services import procedure_to_manifest, version_to_manifest

# JSON pointer prefixes of a one-version manifest, most specific first, and the form field each
# problem is shown beside.
POINTER_FIELDS = (
    ("/procedure/slug", "slug"),
    ("/procedure/name", "name"),
    ("/procedure/summary", "summary"),
    ("/procedure/description", "description"),
    ("/procedure/license", "license"),
    ("/procedure/techniques", "techniques"),
    ("/procedure/facilities", "facilities"),
    ("/versions/0/version", "version"),
    ("/versions/0/kind", "kind"),
    ("/versions/0/code/repository", "repository"),
    ("/versions/0/code/commit", "commit"),
    ("/versions/0/code/entry_point", "entry_point"),
    ("/versions/0/code", "repository"),
    ("/versions/0/container", "container"),
    ("/versions/0/inputs/schema", "input_schema"),
    ("/versions/0/inputs/required_nexus", "required_nexus"),
)


def field_for_pointer(pointer: str) -> str | None:
    """The form field a manifest problem at ``pointer`` belongs to (None: the whole form)."""
    for prefix, name in POINTER_FIELDS:
        if pointer == prefix or pointer.startswith(prefix + "/"):
            return name
    return None


def _lines(text: str) -> list[str]:
    """Non-empty stripped lines (commas also separate)."""
    return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


def technique_iri(value: str) -> str:
    """The IRI of a technique given by IRI or short id (left as given when unknown)."""
    if "://" in value:
        return value
    term = Term.objects.filter(iri__endswith=f"/{value}").first()
    return term.iri if term else value


class ProcedureForm(forms.Form):
    """Register a procedure with one draft version; the manifest validator checks everything."""

    name = forms.CharField(max_length=200)
    slug = forms.CharField(max_length=100, help_text="Lowercase letters, digits and hyphens.")
    summary = forms.CharField(max_length=300, help_text="One line saying what it does.")
    description = forms.CharField(widget=forms.Textarea, required=False, help_text="Markdown.")
    license = forms.CharField(max_length=64, initial="MIT", help_text="SPDX identifier.")
    techniques = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="PaNET IRIs or short ids (PaNET01188), one per line.",
    )
    facilities = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, required=False)
    version = forms.CharField(max_length=64, initial="1.0.0", help_text="Semantic version.")
    kind = forms.ChoiceField(choices=VersionKind.choices, initial=VersionKind.NOTEBOOK)
    repository = forms.CharField(max_length=500, label="Code repository", help_text="Git URL.")
    commit = forms.CharField(max_length=100, help_text="The full 40-hex commit id.")
    entry_point = forms.CharField(max_length=500, help_text="Path inside the repository.")
    container = forms.CharField(
        max_length=500,
        required=False,
        help_text="Image pinned by digest (name:tag@sha256:…) to publish.",
    )
    input_schema = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        initial='{\n  "type": "object",\n  "properties": {}\n}',
        label="Input schema (JSON)",
        help_text="JSON Schema (Draft 2020-12) of the parameters.",
    )
    required_nexus = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Required NeXus",
        help_text="Paths or NX class paths, one per line (NXentry/NXdata).",
    )

    def __init__(self, *args, facilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilities"].choices = [(f.slug, str(f)) for f in facilities]

    def clean_input_schema(self):
        """Parse the schema text as JSON."""
        try:
            return json.loads(self.cleaned_data["input_schema"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc

    def manifest(self) -> dict:
        """The manifest document the form describes (one draft version)."""
        data = self.cleaned_data
        procedure = {
            "slug": data["slug"],
            "name": data["name"],
            "summary": data["summary"],
            "license": data["license"],
            "facilities": list(data.get("facilities") or []),
            "techniques": [technique_iri(value) for value in _lines(data["techniques"])],
        }
        if data.get("description"):
            procedure["description"] = data["description"]
        version = {
            "version": data["version"],
            "status": "draft",
            "kind": data["kind"],
            "code": {
                "repository": data["repository"],
                "commit": data["commit"],
                "entry_point": data["entry_point"],
            },
            "inputs": {
                "schema": data["input_schema"],
                "required_nexus": _lines(data.get("required_nexus") or ""),
            },
        }
        if data.get("container"):
            version["container"] = data["container"]
        return {"manifest_version": 1, "procedure": procedure, "versions": [version]}

    def add_manifest_errors(self, error: ManifestError) -> None:
        """Put each of the validator's problems next to its field (or above the form)."""
        for problem in error.problems:
            field = field_for_pointer(problem.pointer)
            message = problem.message if field else f"{problem.pointer or '/'}: {problem.message}"
            self.add_error(field, message)


def initial_from_version(version) -> dict:
    """Initial values of a ProcedureForm describing a stored version and its procedure."""
    procedure = version.procedure
    return {
        "name": procedure.name,
        "slug": procedure.slug,
        "summary": procedure.summary,
        "description": procedure.description,
        "license": procedure.license,
        "techniques": "\n".join(procedure.techniques.values_list("iri", flat=True)),
        "facilities": list(procedure.facilities.values_list("slug", flat=True)),
        "version": version.version,
        "kind": version.kind,
        "repository": version.code_repository,
        "commit": version.code_commit,
        "entry_point": version.entry_point,
        "container": version.container_image,
        "input_schema": json.dumps(version.input_schema, indent=2),
        "required_nexus": "\n".join(version.required_nexus or []),
    }


class EditVersionForm(ProcedureForm):
    """Edit a draft version (and its procedure); slug and version number stay as they are."""

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, initial=initial_from_version(version), **kwargs)
        self.version = version
        for name in ("slug", "version"):
            self.fields[name].disabled = True
            self.fields[name].help_text = "Fixed once registered."

    def manifest(self) -> dict:
        """The stored procedure's manifest with this version only, changed as the form says.

        Starting from the stored manifest keeps what the form does not show (keywords,
        citation, owners, resources, outputs, compute resources, changelog)."""
        edited = super().manifest()
        stored = procedure_to_manifest(self.version.procedure)
        procedure = {**stored["procedure"], **edited["procedure"]}
        if not self.cleaned_data.get("description"):
            procedure["description"] = ""
        entry = version_to_manifest(self.version)
        entry.update(edited["versions"][0])
        if not self.cleaned_data.get("container"):
            entry.pop("container", None)
        return {"manifest_version": 1, "procedure": procedure, "versions": [entry]}
