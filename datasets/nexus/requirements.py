"""Does a summary hold what a procedure needs? Paths and NX class chains.

A requirement is either an absolute path ("/entry/data/data"; NXDL-style upper-case segments
such as "/ENTRY/DATA/data" stand for any group of class NXentry, NXdata) or an NX class path:
"NXdetector" (a group of that class anywhere) or "NXentry/NXdata" (a chain of classes, matched
against the end of a group's chain, so "NXinstrument/NXdetector" also matches
"NXentry/NXinstrument/NXdetector"). An application definition's name ("NXsas") is met when the
file declares it in an entry that holds all the definition requires (``summary.conformance``).
"""

from __future__ import annotations

from .summary import DatasetSummary


def satisfies(summary: DatasetSummary, requirement: str) -> bool:
    """True when ``summary`` holds the path or class chain named by ``requirement``."""
    requirement = requirement.strip()
    if not requirement:
        return False
    if requirement.startswith("/"):
        return _has_path(summary, requirement)
    declared = _declared_conformance(summary, requirement)
    if declared is not None:
        return declared
    wanted = requirement.strip("/").split("/")
    return any(chain.split("/")[-len(wanted) :] == wanted for chain in summary.class_paths())


def check_requirements(
    summary: DatasetSummary, requirements: list[str]
) -> tuple[list[str], list[str]]:
    """Split ``requirements`` into ``(present, missing)``, keeping their order."""
    present, missing = [], []
    for requirement in requirements:
        (present if satisfies(summary, requirement) else missing).append(requirement)
    return present, missing


def _declared_conformance(summary: DatasetSummary, requirement: str) -> bool | None:
    """For an application definition the file declares (``NXsas``): whether some entry declaring
    it holds everything the definition requires; None when the file does not declare it."""
    checked = [
        item
        for item in summary.conformance
        if item.get("definition", "").lower() == requirement.lower()
    ]
    if not checked:
        return None
    return any(item.get("conforms") is not False for item in checked)


def _has_path(summary: DatasetSummary, requirement: str) -> bool:
    path = requirement.rstrip("/") or "/"
    if path in summary.groups or path in summary.fields:
        return True
    target = summary.soft_links.get(path)
    if target and (target in summary.groups or target in summary.fields):
        return True
    if any(is_placeholder(part) for part in path.split("/")):
        return _match_placeholders(summary, path.strip("/").split("/"))
    return False


def is_placeholder(segment: str) -> bool:
    """Whether a path segment is an NXDL placeholder (``ENTRY``, ``DATA``) rather than a name."""
    return segment.isupper() and segment.replace("_", "").isalpha()


def _match_placeholders(summary: DatasetSummary, parts: list[str]) -> bool:
    known = list(summary.groups) + list(summary.fields) + list(summary.soft_links)
    for candidate in known:
        segments = candidate.strip("/").split("/")
        if len(segments) == len(parts) and _segments_match(summary, segments, parts):
            return True
    return False


def _segments_match(summary: DatasetSummary, segments: list[str], parts: list[str]) -> bool:
    for index, (segment, part) in enumerate(zip(segments, parts, strict=True)):
        if not is_placeholder(part):
            if segment != part:
                return False
            continue
        group_path = "/" + "/".join(segments[: index + 1])
        if summary.groups.get(group_path) != "NX" + part.lower():
            return False
    return True
