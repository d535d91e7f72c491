"""Comparing a run's output file with a published result: by checksum or within a tolerance.

Numbers are compared field by field: a JSON document by its paths (``a.b[2]``), a CSV table by
row and column. The verdict names the largest deviation, where it is, and what was allowed.
"""

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from publications.choices import ComparisonStatus, DiffKind


@dataclass
class Verdict:
    """The outcome of one comparison."""

    status: str
    message: str
    details: dict = field(default_factory=dict)


class FormatError(ValueError):
    """A file that is neither CSV nor JSON with numbers."""


def compare_output(result, output_path: Path | None, output_sha256: str = "") -> Verdict:
    """Compare the run's file at ``output_path`` with published ``result``."""
    if output_path is None or not output_path.is_file():
        return Verdict(
            ComparisonStatus.MISSING,
            f"The run wrote no {result.output_name}.",
            {"kind": DiffKind.MISSING_FILE, "output": result.output_name},
        )
    if not result.uses_tolerance:
        actual = output_sha256 or hashlib.sha256(output_path.read_bytes()).hexdigest()
        if actual == result.sha256:
            return Verdict(ComparisonStatus.REPRODUCED, "Identical bytes (sha256).")
        return Verdict(
            ComparisonStatus.DIFFERS,
            f"Checksum mismatch: published sha256 {result.sha256[:12]}…, run {actual[:12]}….",
            {"kind": DiffKind.CHECKSUM, "expected_sha256": result.sha256, "actual_sha256": actual},
        )
    return compare_numbers(
        result.expected_text,
        output_path.read_text(encoding="utf-8", errors="replace"),
        name=result.expected_name or result.output_name,
        absolute=result.absolute_tolerance or 0.0,
        relative=result.relative_tolerance or 0.0,
    )


def compare_numbers(expected: str, actual: str, name: str, absolute: float, relative: float):
    """Compare two CSV or JSON texts value by value within ``absolute`` + ``relative`` tolerance."""
    try:
        want, got = flatten(expected, name), flatten(actual, name)
    except FormatError as exc:
        return Verdict(ComparisonStatus.DIFFERS, str(exc), {"kind": DiffKind.STRUCTURE})
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    if missing or extra:
        return Verdict(
            ComparisonStatus.DIFFERS,
            f"Different structure: {len(missing)} value(s) missing, {len(extra)} extra"
            + (f" (first missing: {missing[0]})" if missing else f" (first extra: {extra[0]})"),
            {"kind": DiffKind.STRUCTURE, "missing": missing[:20], "extra": extra[:20]},
        )
    worst, mismatched_text = None, []
    for key, expected_value in want.items():
        actual_value = got[key]
        if isinstance(expected_value, float) and isinstance(actual_value, float):
            deviation = deviation_of(expected_value, actual_value)
            allowed = max(absolute, relative * abs(expected_value))
            excess = math.inf if math.isnan(deviation) else deviation - allowed
            if worst is None or excess > worst["excess"]:
                worst = {"field": key, "expected": expected_value, "actual": actual_value,
                         "deviation": deviation, "allowed": allowed, "excess": excess}  # fmt: skip
        elif expected_value != actual_value:
            mismatched_text.append(key)
    return numeric_verdict(worst, mismatched_text, absolute, relative, len(want))


def deviation_of(expected: float, actual: float) -> float:
    """Absolute difference; zero when both are the same non-finite value."""
    if expected == actual or (math.isnan(expected) and math.isnan(actual)):
        return 0.0
    return abs(expected - actual)


def numeric_verdict(worst, mismatched_text, absolute, relative, count) -> Verdict:
    """The verdict from the largest deviation and any differing non-numeric values."""
    tolerance = {"absolute": absolute, "relative": relative}
    if mismatched_text:
        return Verdict(
            ComparisonStatus.DIFFERS,
            f"Non-numeric value differs at {mismatched_text[0]}"
            + (f" and {len(mismatched_text) - 1} more" if len(mismatched_text) > 1 else ""),
            {"kind": DiffKind.STRUCTURE, "fields": mismatched_text[:20], "tolerance": tolerance},
        )
    if worst is None or worst["excess"] <= 0:
        largest = (
            f"; largest deviation {worst['deviation']:.3g} at {worst['field']}" if worst else ""
        )
        details = {"values": count, "tolerance": tolerance}
        if worst:
            details["largest"] = {k: worst[k] for k in ("field", "deviation", "allowed")}
        return Verdict(
            ComparisonStatus.REPRODUCED, f"{count} values within tolerance{largest}.", details
        )
    details = {k: worst[k] for k in ("field", "expected", "actual", "deviation", "allowed")}
    return Verdict(
        ComparisonStatus.DIFFERS,
        f"Largest deviation {worst['deviation']:.6g} at {worst['field']} "
        f"(published {worst['expected']:.10g}, reproduced {worst['actual']:.10g}) "
        f"exceeds the tolerance {worst['allowed']:.3g} "
        f"(absolute {absolute:g}, relative {relative:g}).",
        {"kind": DiffKind.NUMERIC, "tolerance": tolerance, "values": count, **details},
    )


def flatten(text: str, name: str) -> dict:
    """Values of a JSON or CSV text by location: floats for numbers, strings otherwise."""
    stripped = text.lstrip()
    if name.lower().endswith(".json") or stripped.startswith(("{", "[")):
        try:
            return flatten_json(json.loads(text))
        except json.JSONDecodeError as exc:
            raise FormatError(f"{name} is not valid JSON: {exc}") from exc
    return flatten_csv(text, name)


def flatten_json(value, prefix: str = "") -> dict:
    """``{"a.b[0]": 1.0, ...}`` of a JSON value."""
    if isinstance(value, dict):
        items = {}
        for key, inner in value.items():
            items.update(flatten_json(inner, f"{prefix}.{key}" if prefix else str(key)))
        return items
    if isinstance(value, list):
        items = {}
        for index, inner in enumerate(value):
            items.update(flatten_json(inner, f"{prefix}[{index}]"))
        return items
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return {prefix or "$": value}
    return {prefix or "$": float(value)}


def flatten_csv(text: str, name: str) -> dict:
    """``{"row 3, column intensity": 1.0, ...}`` of a CSV text (header row when not numeric)."""
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    if not rows:
        raise FormatError(f"{name} holds no rows.")
    header = rows[0] if not all(_is_number(cell) for cell in rows[0]) else None
    body = rows[1:] if header else rows
    items = {}
    for row_number, row in enumerate(body, start=1):
        for column, cell in enumerate(row):
            column_name = header[column] if header and column < len(header) else str(column + 1)
            key = f"row {row_number}, column {column_name}"
            items[key] = float(cell) if _is_number(cell) else cell.strip()
    return items


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
