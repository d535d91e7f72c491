"""Forms of the portal: a run form generated from an input JSON Schema, and curator forms."""

import json

from django import forms

from execution.backends import BACKEND_CLASSES
from execution.choices import BackendName
from registry.models import Facility

SCHEMA_FIELD_PREFIX = "param_"


def _bounds(spec: dict) -> dict:
    """min/max keyword arguments of a numeric schema property."""
    bounds = {}
    if "minimum" in spec:
        bounds["min_value"] = spec["minimum"]
    if "maximum" in spec:
        bounds["max_value"] = spec["maximum"]
    return bounds


def field_for_property(name: str, spec: dict, required: bool) -> forms.Field | None:
    """A form field for one property of an input JSON Schema, or None for kinds we do not show."""
    if not isinstance(spec, dict):
        return None
    options = {
        "label": spec.get("title") or name.replace("_", " ").capitalize(),
        "help_text": spec.get("description", ""),
        "required": required and "default" not in spec,
        "initial": spec.get("default"),
    }
    kind = spec.get("type")
    if "enum" in spec:
        choices = [(json.dumps(value), str(value)) for value in spec["enum"]]
        if not options["required"]:
            choices = [("", "(default)"), *choices]
        initial = json.dumps(spec["default"]) if "default" in spec else None
        return forms.TypedChoiceField(
            choices=choices, coerce=json.loads, empty_value=None, **{**options, "initial": initial}
        )
    if kind == "integer":
        return forms.IntegerField(**options, **_bounds(spec))
    if kind == "number":
        return forms.FloatField(**options, **_bounds(spec))
    if kind == "boolean":
        return forms.BooleanField(**{**options, "required": False})
    if kind == "string":
        return forms.CharField(
            max_length=spec.get("maxLength"), min_length=spec.get("minLength"), **options
        )
    return None


class RunForm(forms.Form):
    """Start a run of a procedure version: parameters from its schema, dataset, backend, facility."""

    dataset = forms.ChoiceField(label="Dataset", required=False)
    backend = forms.ChoiceField(
        label="Backend", required=False, help_text="Where the procedure runs (empty: the default)."
    )
    facility = forms.ChoiceField(label="Facility", required=False)

    def __init__(self, *args, version=None, datasets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["dataset"].choices = [("", "(no dataset)")] + [
            (d.pid, f"{d.title} ({d.pid})") for d in datasets
        ]
        self.fields["backend"].choices = [("", "(default)")] + [
            (value, label) for value, label in BackendName.choices if value in BACKEND_CLASSES
        ]
        facilities = version.procedure.facilities.all() if version else Facility.objects.all()
        self.fields["facility"].choices = [("", "(any)")] + [(f.slug, str(f)) for f in facilities]
        self.parameter_names: list[str] = []
        schema = (version.input_schema if version else None) or {}
        required = set(schema.get("required") or [])
        for name, spec in (schema.get("properties") or {}).items():
            if name in ("dataset_path", "output_dir"):
                continue
            field = field_for_property(name, spec, name in required)
            if field is not None:
                self.fields[SCHEMA_FIELD_PREFIX + name] = field
                self.parameter_names.append(name)

    def parameters(self) -> dict:
        """The schema parameters the user gave (empty ones left to the schema defaults)."""
        values = {}
        for name in self.parameter_names:
            value = self.cleaned_data.get(SCHEMA_FIELD_PREFIX + name)
            if value is None or value == "":
                continue
            values[name] = value
        return values

    def add_parameter_errors(self, errors: list[dict]) -> None:
        """Show the execution service's schema errors next to the parameter fields."""
        for error in errors:
            field = SCHEMA_FIELD_PREFIX + str(error.get("path", "")).split("/")[0]
            self.add_error(field if field in self.fields else None, error.get("message", ""))


class UploadForm(forms.Form):
    """A NeXus file to summarise and recommend for, never stored."""

    file = forms.FileField(label="NeXus file", help_text="HDF5/NeXus (.nxs, .h5); it is not kept.")


class ManifestUploadForm(forms.Form):
    """A procedure manifest (YAML or JSON) to register."""

    manifest = forms.FileField(label="Manifest file", help_text="procedure.yaml or .json")
