"""Reading NXDL application definitions: category and the groups and fields they require."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from config.api.errors import DomainError

NXDL_NS = "http://definition.nexusformat.org/nxdl/3.1"
TAG = {name: f"{{{NXDL_NS}}}{name}" for name in ("definition", "group", "field", "doc", "choice")}
SUMMARY_LIMIT = 500


@dataclass
class NxdlDefinition:
    """What the project keeps of one NXDL file."""

    name: str
    category: str
    extends: str
    summary: str
    source: str
    checksum: str
    contributed: bool = False
    required_groups: list[str] = field(default_factory=list)
    required_fields: list[str] = field(default_factory=list)


def is_required(element: ET.Element) -> bool:
    """Whether an element of an application definition must be present.

    Elements are required unless ``minOccurs="0"``, ``optional="true"`` or ``recommended="true"``.
    """
    if element.get("minOccurs", "1").strip() == "0":
        return False
    return "true" not in (
        element.get("optional", "").lower(),
        element.get("recommended", "").lower(),
    )


def _group_step(group: ET.Element) -> str:
    """The path segment of a group: its name, else its class without NX in capitals (``DATA``)."""
    name = group.get("name")
    if name:
        return name
    return group.get("type", "NXobject").removeprefix("NX").upper()


def _walk(element: ET.Element, classes: list[str], steps: list[str], found: NxdlDefinition) -> None:
    """Collect required groups and fields below ``element`` (optional subtrees are skipped)."""
    for child in element:
        if child.tag == TAG["group"] and is_required(child):
            child_classes = [*classes, child.get("type", "NXobject")]
            found.required_groups.append("/".join(child_classes))
            _walk(child, child_classes, [*steps, _group_step(child)], found)
        elif child.tag == TAG["field"] and is_required(child) and child.get("name"):
            found.required_fields.append("/" + "/".join([*steps, child.get("name")]))
        # <choice> offers alternatives: none of them is required on its own.


def _summary(root: ET.Element) -> str:
    """The first paragraph of the definition's documentation, on one line."""
    doc = root.find(TAG["doc"])
    text = (doc.text or "") if doc is not None else ""
    paragraph = text.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())[:SUMMARY_LIMIT]


def parse_nxdl(path: Path) -> NxdlDefinition:
    """Parse one ``*.nxdl.xml`` file; raise DomainError when it is not an NXDL definition."""
    content = path.read_bytes()
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise DomainError(f"{path.name} is not well-formed XML: {exc}") from exc
    if root.tag != TAG["definition"] or not root.get("name"):
        raise DomainError(f"{path.name} is not an NXDL definition (namespace {NXDL_NS}).")
    found = NxdlDefinition(
        name=root.get("name"),
        category=root.get("category", ""),
        extends=root.get("extends", ""),
        summary=_summary(root),
        source=str(path),
        checksum=hashlib.sha256(content).hexdigest(),
        contributed="contributed_definitions" in path.parts,
    )
    if found.category == "application":
        _walk(root, [], [], found)
    return found


def inherit_requirements(definitions: dict[str, NxdlDefinition]) -> None:
    """Add to each definition what the application definitions it extends require."""

    def requirements(name: str, seen: frozenset[str]) -> tuple[list[str], list[str]]:
        definition = definitions.get(name)
        if definition is None or name in seen:
            return [], []
        groups, fields = requirements(definition.extends, seen | {name})
        return groups + definition.required_groups, fields + definition.required_fields

    merged = {name: requirements(name, frozenset()) for name in definitions}
    for name, (groups, fields) in merged.items():
        definitions[name].required_groups = list(dict.fromkeys(groups))
        definitions[name].required_fields = list(dict.fromkeys(fields))


def read_nxdl_dir(directory: Path, applications_only: bool = True) -> list[NxdlDefinition]:
    """Parse every ``*.nxdl.xml`` below ``directory`` (application definitions by default)."""
    if not directory.is_dir():
        raise DomainError(f"{directory} is not a directory.")
    definitions: dict[str, NxdlDefinition] = {}
    for path in sorted(directory.rglob("*.nxdl.xml")):
        definition = parse_nxdl(path)
        if applications_only and definition.category != "application":
            continue
        definitions.setdefault(definition.name, definition)
    if not definitions:
        raise DomainError(f"No NXDL application definitions found under {directory}.")
    inherit_requirements(definitions)
    return list(definitions.values())


# --- the offline snapshot of requirements (facts only: names, classes, paths) -----------------

NXDL_SNAPSHOT_FORMAT = 1
SNAPSHOT_FIELDS = (
    "name",
    "category",
    "contributed",
    "extends",
    "required_groups",
    "required_fields",
)


def write_nxdl_snapshot(definitions: list[NxdlDefinition], output: Path, *, source: str) -> Path:
    """Write the requirements of ``definitions`` as JSON, one definition a line.

    Documentation text is left out on purpose: the snapshot keeps facts (names, NX classes and
    paths), so the project ships no prose of the NeXus definitions.
    """
    items = [
        {key: getattr(definition, key) for key in SNAPSHOT_FIELDS}
        for definition in sorted(definitions, key=lambda d: d.name)
    ]
    head = json.dumps({"format": NXDL_SNAPSHOT_FORMAT, "source": source, "count": len(items)})
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(f'{head[:-1]}, "definitions": [\n{lines}\n]}}\n', encoding="utf-8")
    return output


def read_nxdl_snapshot(path: Path) -> list[NxdlDefinition]:
    """The definitions of a snapshot written by :func:`write_nxdl_snapshot`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != NXDL_SNAPSHOT_FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        return [
            NxdlDefinition(
                summary="",
                source=f"snapshot:{path.name}",
                checksum="",
                **{key: item[key] for key in SNAPSHOT_FIELDS},
            )
            for item in data["definitions"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DomainError(f"Cannot read the NXDL snapshot {path}: {exc}") from exc
