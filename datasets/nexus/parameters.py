"""Which scalar fields count as physical parameters of a measurement, and their names.

A parameter is a numeric scalar field whose name (and, where the name is ambiguous, whose
parent group's NX class) is in :data:`PARAMETERS`. ``name`` is the canonical quantity,
``path`` says where it came from.
"""

from __future__ import annotations

from .units import to_si
from .values import as_number, as_text

ANY = None
# (field name, parent NX class or ANY) -> canonical parameter name
PARAMETERS: dict[tuple[str, str | None], str] = {
    ("wavelength", ANY): "wavelength",
    ("incident_wavelength", ANY): "wavelength",
    ("lambda", "NXmonochromator"): "wavelength",
    ("energy", "NXmonochromator"): "energy",
    ("energy", "NXbeam"): "energy",
    ("incident_energy", ANY): "energy",
    ("photon_energy", ANY): "energy",
    ("energy", "NXsource"): "source_energy",
    ("current", "NXsource"): "source_current",
    ("power", "NXsource"): "source_power",
    ("temperature", ANY): "temperature",
    ("pressure", ANY): "pressure",
    ("magnetic_field", ANY): "magnetic_field",
    ("electric_field", ANY): "electric_field",
    ("distance", "NXdetector"): "detector_distance",
    ("polar_angle", "NXdetector"): "detector_polar_angle",
    ("x_pixel_size", "NXdetector"): "x_pixel_size",
    ("y_pixel_size", "NXdetector"): "y_pixel_size",
    ("beam_center_x", "NXdetector"): "beam_center_x",
    ("beam_center_y", "NXdetector"): "beam_center_y",
    ("count_time", ANY): "count_time",
    ("exposure_time", ANY): "exposure_time",
    ("d_spacing", "NXmonochromator"): "monochromator_d_spacing",
}
FIELD_NAMES = frozenset(name for name, _ in PARAMETERS)


def parameter_name(field_name: str, parent_class: str | None) -> str | None:
    """The canonical parameter name of a field, or None when it is not a parameter."""
    return PARAMETERS.get((field_name, parent_class)) or PARAMETERS.get((field_name, ANY))


def make_parameter(name: str, path: str, value: object, units: object) -> dict | None:
    """A ``{name, value, unit, path, si_value, si_unit}`` record, or None when not numeric."""
    number = as_number(value)
    if number is None:
        return None
    unit = as_text(units) if units is not None else None
    si_value, si_unit = to_si(number, unit)
    return {
        "name": name,
        "value": number,
        "unit": unit or None,
        "path": path,
        "si_value": si_value,
        "si_unit": si_unit,
    }
