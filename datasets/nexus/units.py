"""Normalise physical quantities to SI with pint.

Choice: ``si_value``/``si_unit`` are always the coherent SI unit of the quantity's dimension
(m, J, K, Pa, s, rad, T, V, A, Hz, W), so energies are in joules, wavelengths in metres and
angles in radians whatever the file wrote; ``value``/``unit`` keep what the file said. Units pint
cannot parse (or NeXus placeholders such as ``NX_TIME``) leave ``si_value`` empty.

Unit strings come from untrusted files and queries, and pint evaluates what it parses
(``m**9**9**9`` computes 9**9**9): only short strings whose exponents are small and apply to a
unit name reach pint (:func:`is_safe_unit`); anything else counts as a unit pint cannot read.
"""

from __future__ import annotations

import re
import tokenize
from functools import lru_cache

import pint

# Spellings found in facility files that pint does not know.
ALIASES = {
    "Angstroem": "angstrom",
    "Angstrom": "angstrom",
    "Angstroms": "angstrom",
    "angstroms": "angstrom",
    "Ang": "angstrom",
    "AA": "angstrom",
    "deg": "degree",
    "degrees": "degree",
    "celsius": "degC",
    "mbar": "millibar",
    "microns": "micrometer",
    "micron": "micrometer",
    "us": "microsecond",
}
SI_UNITS = {
    "[length]": "m",
    "[mass] * [length] ** 2 / [time] ** 2": "J",
    "[temperature]": "K",
    "[mass] / [length] / [time] ** 2": "Pa",
    "[time]": "s",
    "[mass] / [current] / [time] ** 2": "T",
    "[length] ** 2 * [mass] / [current] / [time] ** 3": "V",
    "[current]": "A",
    "1 / [time]": "Hz",
    "[length] ** 2 * [mass] / [time] ** 3": "W",
}


MAX_UNIT_LENGTH = 64
EXPONENT = re.compile(r"\*\*|\^")
SMALL_EXPONENT = re.compile(r"\s*\(?\s*[-+]?\d{1,2}(?:\.\d{1,3})?(?![\d.eE])")
# What pint raises on text it cannot read (its parser asserts on some malformed input).
PARSE_FAILURES = (
    pint.errors.PintError, AttributeError, TypeError, ValueError, KeyError, SyntaxError,
    AssertionError, IndexError, ZeroDivisionError, OverflowError, RecursionError,
    tokenize.TokenError,
)  # fmt: skip


def is_safe_unit(text: str) -> bool:
    """Whether ``text`` is cheap for pint to evaluate: at most ``MAX_UNIT_LENGTH`` characters,
    and every exponent (``**``, ``^``) a number of at most two digits raising a unit name (so
    no number is ever raised to a power and exponents never chain)."""
    if len(text) > MAX_UNIT_LENGTH:
        return False
    for match in EXPONENT.finditer(text):
        base = text[: match.start()].rstrip()[-1:]
        if not (base.isalpha() or base in "_%"):
            return False
        if SMALL_EXPONENT.match(text, match.end()) is None:
            return False
    return True


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The shared unit registry (built once; building it takes a while)."""
    return pint.UnitRegistry()


@lru_cache(maxsize=512)
def _parse(unit: str):
    name = ALIASES.get(unit.strip(), unit.strip())
    if not is_safe_unit(name):
        return None
    try:
        return registry().parse_units(name)
    except PARSE_FAILURES:
        return None


def to_si(value: float, unit: str | None) -> tuple[float | None, str | None]:
    """``value`` in ``unit`` converted to its SI unit: ``(si_value, si_unit)`` or ``(None, None)``."""
    if not unit:
        return None, None
    conversion = _conversion(unit)
    if conversion is None:
        return None, None
    si_unit, scale, offset = conversion
    return value * scale + offset, si_unit


@lru_cache(maxsize=512)
def _conversion(unit: str) -> tuple[str, float, float] | None:
    """``(si_unit, scale, offset)`` with ``si = value * scale + offset`` (offset: degC, degF)."""
    parsed = _parse(unit)
    if parsed is None:
        return None
    ureg = registry()
    if parsed in (ureg.degree, ureg.radian):
        si_unit = "radian"
    else:
        si_unit = SI_UNITS.get(str(parsed.dimensionality))
    if si_unit is None:
        return None
    zero = ureg.Quantity(0.0, parsed).to(si_unit).magnitude
    one = ureg.Quantity(1.0, parsed).to(si_unit).magnitude
    return ("rad" if si_unit == "radian" else si_unit), float(one - zero), float(zero)
