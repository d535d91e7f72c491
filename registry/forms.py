"""Admin forms that validate through the procedure manifest, like the CLI and the API."""

from django import forms

from registry.manifest import validate_manifest
from registry.models import IMMUTABLE_VERSION_FIELDS, ProcedureVersion
from registry.services import procedure_to_manifest, version_to_manifest

# Manifest pointers of a version entry → admin form fields.
FIELD_BY_POINTER = {
    "version": "version",
    "kind": "kind",
    "code/repository": "code_repository",
    "code/commit": "code_commit",
    "code/entry_point": "entry_point",
    "container": "container_image",
    "inputs/schema": "input_schema",
    "inputs/required_nexus": "required_nexus",
    "outputs": "outputs",
    "resources": "compute_resources",
    "changelog": "changelog",
}


class ProcedureVersionForm(forms.ModelForm):
    """Edit a draft version; the result is checked as a manifest, errors shown per field."""

    class Meta:
        model = ProcedureVersion
        # Everything a curator states in a manifest version entry; status moves by actions.
        fields = ["procedure", *(name.removesuffix("_id") for name in IMMUTABLE_VERSION_FIELDS)]

    def clean(self):
        cleaned = super().clean()
        procedure = cleaned.get("procedure") or getattr(self.instance, "procedure", None)
        if procedure is None or self.errors:
            return cleaned
        candidate = ProcedureVersion(procedure=procedure, status=self.instance.status or "draft")
        for name, value in cleaned.items():
            if name in {f.name for f in ProcedureVersion._meta.concrete_fields} and name != "id":
                setattr(candidate, name, value)
        document = procedure_to_manifest(procedure)
        entry = version_to_manifest(candidate)
        document["versions"] = [
            v for v in document["versions"] if v["version"] != self.instance.version
        ] + [entry]
        index = len(document["versions"]) - 1
        for problem in validate_manifest(document).problems:
            self._attach(problem, index)
        return cleaned

    def _attach(self, problem, index: int) -> None:
        prefix = f"/versions/{index}/"
        if not problem.pointer.startswith(prefix):
            self.add_error(None, f"{problem.pointer}: {problem.message}")
            return
        rest = problem.pointer[len(prefix) :]
        for pointer, field in FIELD_BY_POINTER.items():
            if rest == pointer or rest.startswith(pointer + "/"):
                self.add_error(field if field in self.fields else None, problem.message)
                return
        self.add_error(None, f"{problem.pointer}: {problem.message}")
