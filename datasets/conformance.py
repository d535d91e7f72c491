"""Does a file hold what the application definitions it declares require?

``import_nxdl`` (or the shipped snapshot) records, for every NXDL application definition, the
groups (NX class chains from the entry down) and fields (paths with NXDL placeholders such as
``/ENTRY/DATA/data``) that it requires. A file that declares ``definition = NXsas`` in an entry
is checked against those requirements inside that entry: the answer names what is missing, so a
curator or a scientist can see why a file is not the NXsas it claims to be.
"""

from __future__ import annotations

from ontologies.models import NexusDefinition

from .nexus.requirements import is_placeholder
from .nexus.summary import DatasetSummary


def definition_conformance(summary: DatasetSummary) -> list[dict]:
    """For each definition the file declares: its required items and which of them are missing.

    Each item is ``{definition, entry, known, required, missing_groups, missing_fields,
    conforms}``; ``known`` is false (and ``conforms`` None) for a definition the registry has no
    requirements of.
    """
    declared = [
        (item["name"], item["path"].rsplit("/", 1)[0] or "/") for item in summary.definitions
    ]
    rows = {
        row.name.lower(): row
        for row in NexusDefinition.objects.filter(category="application").only(
            "name", "required_groups", "required_fields"
        )
    }
    results = []
    for name, entry in dict.fromkeys(declared):
        row = rows.get(name.lower())
        if row is None:
            results.append(_unknown(name, entry))
            continue
        missing_groups = [g for g in row.required_groups if not _has_chain(summary, entry, g)]
        missing_fields = [f for f in row.required_fields if not _has_field(summary, entry, f)]
        results.append(
            {
                "definition": row.name,
                "entry": entry,
                "known": True,
                "required": len(row.required_groups) + len(row.required_fields),
                "missing_groups": missing_groups,
                "missing_fields": missing_fields,
                "conforms": not missing_groups and not missing_fields,
            }
        )
    return results


def _unknown(name: str, entry: str) -> dict:
    return {
        "definition": name,
        "entry": entry,
        "known": False,
        "required": 0,
        "missing_groups": [],
        "missing_fields": [],
        "conforms": None,
    }


def _chain_below(summary: DatasetSummary, entry: str, path: str) -> list[str] | None:
    """NX classes from ``entry`` down to ``path`` (None when a group on the way has no class)."""
    relative = path[len(entry) :].strip("/")
    chain, current = [summary.groups.get(entry, "")], entry.rstrip("/")
    for part in relative.split("/") if relative else []:
        current = f"{current}/{part}"
        chain.append(summary.groups.get(current, ""))
    return chain if all(chain) else None


def _has_chain(summary: DatasetSummary, entry: str, required: str) -> bool:
    """Whether a group below ``entry`` has the class chain ``required`` (its first class is the
    entry's own: NXentry, or NXsubentry when the definition is declared in a subentry)."""
    wanted = required.strip("/").split("/")
    for path in summary.groups:
        if path != entry and not path.startswith(entry.rstrip("/") + "/"):
            continue
        chain = _chain_below(summary, entry, path)
        if chain and len(chain) == len(wanted) and chain[1:] == wanted[1:]:
            return True
    return False


def _has_field(summary: DatasetSummary, entry: str, required: str) -> bool:
    """Whether the field ``required`` (``/ENTRY/...`` with placeholders) exists below ``entry``.

    An upper-case segment stands for any group of that NX class (``DATA`` → NXdata) or, as the
    last segment, for any field; other segments must match by name.
    """
    parts = required.strip("/").split("/")[1:]  # the first segment is the entry itself
    known = set(summary.fields) | set(summary.soft_links)
    prefix = entry.rstrip("/") + "/"
    for path in known:
        if not path.startswith(prefix):
            continue
        segments = path[len(prefix) :].split("/")
        if len(segments) == len(parts) and _segments_match(summary, prefix, segments, parts):
            return True
    return False


def _segments_match(
    summary: DatasetSummary, prefix: str, segments: list[str], parts: list[str]
) -> bool:
    for index, (segment, part) in enumerate(zip(segments, parts, strict=True)):
        last = index == len(parts) - 1
        if not is_placeholder(part):
            if segment != part:
                return False
        elif not last:
            group_path = prefix + "/".join(segments[: index + 1])
            if summary.groups.get(group_path) != "NX" + part.lower():
                return False
    return True
