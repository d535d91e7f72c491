"""A bounded walk over an HDF5 file that never follows external links and never loops.

Uses h5py's low-level API: links are inspected before anything is opened, so an external link
is listed and left alone, a soft link is recorded with its target, and a hard link back to a
group already on the path (or seen before) is not entered twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import h5py
import numpy as np
from h5py import h5a, h5d, h5g, h5l, h5o, h5s, h5t

from .errors import NexusError
from .limits import ExtractionLimits
from .values import as_text

GROUP_ATTRIBUTES = (b"NX_class", b"default", b"signal", b"axes")
FIELD_ATTRIBUTES = (b"units", b"signal", b"axes")
DEFINITION_ATTRIBUTES = (b"version", b"URL")
ROOT_ATTRIBUTES = (b"default",)
TIME_CHECK_EVERY = 256


@dataclass
class Node:
    """One hard-linked object: its NX class (groups), shape and dtype (fields), small values."""

    path: str
    is_group: bool
    nx_class: str | None = None
    attrs: dict = field(default_factory=dict)
    shape: tuple | None = None
    dtype: str | None = None
    value: object = None


@dataclass
class WalkResult:
    """Everything the walk saw, in visiting order."""

    nodes: list[Node] = field(default_factory=list)
    root_attrs: dict = field(default_factory=dict)
    soft_links: dict[str, str] = field(default_factory=dict)
    external_links: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    truncated: bool = False


class Walker:
    """Visits every link below the root once, within :class:`ExtractionLimits`."""

    def __init__(self, limits: ExtractionLimits, wanted_values: frozenset[str]) -> None:
        self.limits = limits
        self.wanted_values = wanted_values
        self.result = WalkResult()
        self.count = 0
        self.deadline = time.monotonic() + limits.max_seconds
        self.seen_groups: set[tuple[int, int]] = set()

    def walk(self, file: h5py.File) -> WalkResult:
        """Walk ``file`` from its root group and return what was found."""
        root = file.id
        root_info = h5o.get_info(root)
        self.seen_groups.add((root_info.fileno, root_info.addr))
        self.result.root_attrs = self._read_attrs(root, root_info.num_attrs, "/", ROOT_ATTRIBUTES)
        self._visit_group(root, "", 0)
        return self.result

    def _visit_group(self, gid, path: str, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise NexusError(f"nesting deeper than {self.limits.max_depth} groups at {path}")
        links: list[tuple[bytes, int]] = []
        gid.links.iterate(lambda name, info: links.append((name, info.type)), info=True)
        for name, link_type in links:
            if self.result.truncated:
                return
            child = f"{path}/{name.decode('utf-8', errors='replace')}"
            self._count(child)
            if self.result.truncated:
                return
            if link_type == h5l.TYPE_HARD:
                self._visit_hard(gid, name, child, depth)
            elif link_type == h5l.TYPE_SOFT:
                self._record_soft(gid, name, child, path)
            elif link_type == h5l.TYPE_EXTERNAL:
                file_name, target = gid.links.get_val(name)
                self.result.external_links.append(
                    {"path": child, "file": _decode(file_name), "target": _decode(target)}
                )
            else:
                self.result.warnings.append(f"{child}: user-defined link type not followed")

    def _count(self, path: str) -> None:
        self.count += 1
        if self.count > self.limits.max_nodes:
            self.result.truncated = True
            self.result.warnings.append(
                f"stopped after {self.limits.max_nodes} nodes (max_nodes) at {path}; "
                "the summary is incomplete"
            )
        elif self.count % TIME_CHECK_EVERY == 0 and time.monotonic() > self.deadline:
            raise NexusError(
                f"extraction took longer than {self.limits.max_seconds} s (max_seconds)"
            )

    def _visit_hard(self, gid, name: bytes, path: str, depth: int) -> None:
        oid = h5o.open(gid, name)
        if isinstance(oid, h5d.DatasetID):
            num_attrs = h5a.get_num_attrs(oid)
            self.result.nodes.append(self._describe_field(oid, num_attrs, name, path))
            return
        if not isinstance(oid, h5g.GroupID):
            return  # a named datatype: nothing NeXus about it
        info = h5o.get_info(oid)
        attrs = self._read_attrs(oid, info.num_attrs, path, GROUP_ATTRIBUTES)
        node = Node(path, True, attrs=attrs)
        node.nx_class = _class_name(node.attrs.pop("NX_class", None))
        self.result.nodes.append(node)
        key = (info.fileno, info.addr)
        if key in self.seen_groups:
            return
        self.seen_groups.add(key)
        self._visit_group(oid, path, depth + 1)

    def _record_soft(self, gid, name: bytes, path: str, parent: str) -> None:
        target = _decode(gid.links.get_val(name))
        absolute = target if target.startswith("/") else f"{parent}/{target}"
        self.result.soft_links[path] = absolute
        try:
            h5o.open(gid, name)
        except (KeyError, OSError, RuntimeError, ValueError):
            self.result.warnings.append(
                f"{path}: soft link to {target} does not resolve (dangling or a loop)"
            )

    def _describe_field(self, oid, num_attrs: int, name: bytes, path: str) -> Node:
        basename = name.decode("utf-8", errors="replace")
        names = FIELD_ATTRIBUTES + (DEFINITION_ATTRIBUTES if basename == "definition" else ())
        node = Node(path, False, attrs=self._read_attrs(oid, num_attrs, path, names))
        space = oid.get_space()
        is_null = space.get_simple_extent_type() == h5s.NULL
        node.shape = None if is_null else space.shape
        dtype = oid.dtype
        node.dtype = _dtype_name(dtype)
        if basename in self.wanted_values and not is_null and self._is_small(node.shape, dtype):
            try:
                data = np.zeros(node.shape, dtype=dtype)
                oid.read(h5s.ALL, h5s.ALL, data, h5t.py_create(dtype))
                node.value = data[()] if node.shape == () else data
            except (OSError, TypeError, ValueError) as exc:
                self.result.warnings.append(f"{path}: value not readable ({exc})")
        return node

    def _is_small(self, shape: tuple, dtype: np.dtype) -> bool:
        size = int(np.prod(shape)) if shape else 1
        if size > self.limits.max_value_elements or dtype.kind not in "SUOiufb":
            return False
        return dtype.itemsize * max(size, 1) <= self.limits.max_attribute_bytes

    def _read_attrs(self, oid, num_attrs: int, path: str, names: tuple[bytes, ...]) -> dict:
        if num_attrs == 0:
            return {}
        found = {}
        for name in names:
            if h5a.exists(oid, name):
                value = self._read_attr(oid, name, path)
                if value is not None:
                    found[name.decode()] = value
        return found

    def _read_attr(self, oid, name: bytes, path: str) -> object:
        aid = h5a.open(oid, name)
        size = aid.get_storage_size()
        if size > self.limits.max_attribute_bytes:
            self.result.warnings.append(
                f"{path}@{name.decode()}: attribute of {size} bytes skipped "
                f"(max_attribute_bytes={self.limits.max_attribute_bytes})"
            )
            return None
        if aid.shape is None:
            return None
        data = np.zeros(aid.shape, dtype=aid.dtype)
        aid.read(data, mtype=h5t.py_create(aid.dtype))
        return data[()] if data.shape == () else data


def _decode(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _class_name(value: object) -> str | None:
    if isinstance(value, np.ndarray) and value.size > 1:
        value = value.reshape(-1)[0]
    return as_text(value) or None


def _dtype_name(dtype: np.dtype) -> str:
    if dtype.kind in "iufb":
        return dtype.name
    string_info = h5py.check_string_dtype(dtype)
    if string_info is not None:
        return "string" if string_info.length is None else f"string[{string_info.length}]"
    return str(dtype)
