"""A small checker of NeXus files against the required parts of an NXDL application definition.

Only presence is checked: required groups (by NX_class, and by name when the name is fixed),
fields, links and attributes, closed enumerations, and the ``definition`` value. In application
definitions every item is required unless marked ``optional``, ``recommended`` or
``minOccurs="0"``. An application that ``extends`` another application must satisfy both.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

import h5py
import numpy as np

NS = "{http://definition.nexusformat.org/nxdl/3.1}"


def is_required(element: ET.Element) -> bool:
    """True when an NXDL group, field, link or attribute must be present."""
    if element.get("optional") == "true" or element.get("recommended") == "true":
        return False
    return element.get("minOccurs") != "0"


def definition_chain(applications: Path, name: str) -> list[ET.Element]:
    """Root elements of ``name`` and of every application definition it extends."""
    chain = []
    while (applications / f"{name}.nxdl.xml").is_file():
        root = ET.parse(applications / f"{name}.nxdl.xml").getroot()
        chain.append(root)
        name = root.get("extends", "")
    return chain


def missing_required(nexus: h5py.File, applications: Path, name: str) -> list[str]:
    """Every required item of application ``name`` that ``nexus`` lacks, as readable lines."""
    problems: list[str] = []
    chain = definition_chain(applications, name)
    if not chain:
        return [f"no application definition {name}"]
    for depth, root in enumerate(chain):
        _check_children(root, nexus, "", problems, leaf=depth == 0)
    for entry in _matching_groups(nexus, "NXentry", None, None):
        value = _text(entry["definition"][()]) if "definition" in entry else None
        if value != name:
            problems.append(f"{entry.name}/definition is {value!r}, expected {name!r}")
    return problems


def _check_children(spec: ET.Element, node, path: str, problems: list[str], leaf: bool) -> None:
    """Check the required children of NXDL element ``spec`` inside HDF5 object ``node``."""
    for child in spec:
        tag = child.tag.removeprefix(NS)
        if tag not in {"group", "field", "link", "attribute", "choice"} or not is_required(child):
            continue
        name = child.get("name")
        where = f"{path}/{name or child.get('type')}"
        if tag == "group":
            found = _matching_groups(node, child.get("type"), name, child.get("nameType"))
            if not found:
                problems.append(f"missing group {where} ({child.get('type')})")
            for group in found:
                _check_children(child, group, group.name, problems, leaf)
        elif tag == "choice":
            options = [g for g in child if g.tag == NS + "group"]
            if not any(_matching_groups(node, g.get("type"), None, "any") for g in options):
                problems.append(f"missing one of the choice {where}")
        elif tag == "attribute":
            if name not in node.attrs:
                problems.append(f"missing attribute {node.name}@{name}")
        elif name not in node:
            problems.append(f"missing {tag} {where}")
        elif tag == "field":
            _check_field(child, node[name], problems, leaf or name != "definition")


def _check_field(spec: ET.Element, dataset, problems: list[str], check_enumeration: bool) -> None:
    """A required field's closed enumeration and its required attributes."""
    enumeration = spec.find(NS + "enumeration")
    if check_enumeration and enumeration is not None and enumeration.get("open") != "true":
        allowed = {item.get("value") for item in enumeration.findall(NS + "item")}
        value = _text(dataset[()])
        if allowed and value not in allowed:
            problems.append(f"{dataset.name} is {value!r}, not one of {sorted(allowed)}")
    for attribute in spec.findall(NS + "attribute"):
        if is_required(attribute) and attribute.get("name") not in dataset.attrs:
            problems.append(f"missing attribute {dataset.name}@{attribute.get('name')}")


def _matching_groups(node, nx_class: str, name: str | None, name_type: str | None) -> list:
    """Child groups of ``node`` of class ``nx_class`` (with that exact name when fixed)."""
    exact = name is not None and name_type in (None, "specified")
    found = []
    for key, child in node.items():
        if not isinstance(child, h5py.Group) or _text(child.attrs.get("NX_class")) != nx_class:
            continue
        if not exact or key == name:
            found.append(child)
    return found


def _text(value) -> str:
    """A string from an HDF5 scalar string value (bytes, str or a one-element array)."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)
