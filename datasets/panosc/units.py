"""Units of parameters: SI conversion with pint, the way the PaNOSC search API compares values.

The PaNOSC API converts a queried quantity to SI before comparing it with the stored SI value and
converts results back to the unit the query named. Unit names follow mathjs (``celsius``,
``angstrom``, ``eV``); pint understands those and the NeXus spellings (``Angstrom``, ``degC``).
"""

from functools import lru_cache

import pint

from config.api.errors import DomainError
from datasets.nexus.units import PARSE_FAILURES, is_safe_unit

UNITS = pint.UnitRegistry()
UNITS.define("Angstrom = angstrom")
# Spellings seen in NeXus files and PaNOSC catalogues that pint does not know by itself.
ALIASES = {"Celsius": "degC", "Fahrenheit": "degF", "degrees": "degree"}
DIMENSIONLESS = {"", "counts", "count", "a.u.", "au", "arb", "arbitrary"}


class UnitError(DomainError):
    """A unit that pint cannot read, or two units of different dimensions."""

    code = "invalid_unit"


@lru_cache(maxsize=512)
def _unit(unit: str) -> pint.Unit | None:
    """The pint unit of ``unit``, or None when pint cannot read it."""
    name = ALIASES.get(unit.strip(), unit.strip())
    if not is_safe_unit(name):  # untrusted text: pint evaluates what it parses
        return None
    try:
        return UNITS.parse_units(name)
    except PARSE_FAILURES:
        return None


def si_unit_of(unit: str) -> str | None:
    """The SI base unit that values in ``unit`` convert to (``"meter"`` for ``"nm"``), or None."""
    if unit.strip().lower() in DIMENSIONLESS:
        return None
    parsed = _unit(unit)
    if parsed is None:
        return None
    return str(UNITS.Quantity(1.0, parsed).to_base_units().units)


def to_si(value: float, unit: str) -> tuple[float, str] | None:
    """``value`` in ``unit`` converted to SI base units as ``(si_value, si_unit)``, or None."""
    if unit.strip().lower() in DIMENSIONLESS:
        return None
    parsed = _unit(unit)
    if parsed is None:
        return None
    try:
        quantity = UNITS.Quantity(float(value), parsed).to_base_units()
    except (pint.errors.PintError, ValueError, TypeError):
        return None
    return float(quantity.magnitude), str(quantity.units)


def require_si(value: float, unit: str) -> tuple[float, str]:
    """Like :func:`to_si`, but raise :class:`UnitError` when the unit cannot be read."""
    converted = to_si(value, unit)
    if converted is None:
        raise UnitError(
            f"Unknown unit {unit!r}: give a unit such as nm, eV, K or celsius.",
            details={"unit": unit},
        )
    return converted


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (raises :class:`UnitError`)."""
    source, target = _unit(from_unit), _unit(to_unit)
    if source is None or target is None:
        raise UnitError(
            f"Cannot convert {from_unit!r} to {to_unit!r}.",
            details={"from": from_unit, "to": to_unit},
        )
    try:
        return float(UNITS.Quantity(float(value), source).to(target).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(
            f"Cannot convert {from_unit!r} to {to_unit!r}: different dimensions.",
            details={"from": from_unit, "to": to_unit},
        ) from exc
