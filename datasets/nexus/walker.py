"""A bounded walk over an HDF5 file that never follows external links and never loops.

Uses h5py's low-level API: links are inspected before anything is opened, so an external link
is listed and left alone, a soft link is recorded with its target (never opened), and a hard link back to a
group already on the path (or seen before) is not entered twice.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import h5py
import numpy as np
from h5py import h5a, h5d, h5f, h5g, h5l, h5o, h5s, h5t

from .errors import NexusError
from .limits import ExtractionLimits
from .values import as_text

GROUP_ATTRIBUTES = (b"NX_class", b"default", b"signal", b"axes")
FIELD_ATTRIBUTES = (b"units", b"signal", b"axes")
DEFINITION_ATTRIBUTES = (b"version", b"URL")
ROOT_ATTRIBUTES = (b"default",)
TIME_CHECK_EVERY = 256
TYPE_CACHE_SIZE = 256  # distinct types remembered; a file with more just reads uncached


@dataclass(slots=True)
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

    def __init__(
        self, limits: ExtractionLimits, wanted_values: frozenset[str], deadline: float | None = None
    ) -> None:
        self.limits = limits
        self.wanted_values = wanted_values
        self.result = WalkResult()
        self.count = 0
        self.deadline = time.monotonic() + limits.max_seconds if deadline is None else deadline
        self.seen_groups: set[int] = set()  # object addresses (one file: no external links)

    def walk(self, file_id: h5f.FileID) -> WalkResult:
        """Walk the open file ``file_id`` from its root group and return what was found."""
        root = h5g.open(file_id, b"/")
        root_info = h5o.get_info(root)
        self.seen_groups.add(root_info.addr)
        self.result.root_attrs = self._read_attrs(root, root_info.num_attrs, "/", ROOT_ATTRIBUTES)
        self._visit_group(root, "", 0)
        return self.result

    def _visit_group(self, gid, path: str, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise NexusError(f"nesting deeper than {self.limits.max_depth} groups at {path}")
        links: list[tuple[bytes, int, int]] = []
        # For a hard link, info.u is the address of the object it points to.
        gid.links.iterate(lambda name, info: links.append((name, info.type, info.u)), info=True)
        max_nodes = self.limits.max_nodes
        for name, link_type, address in links:
            child = path + "/" + name.decode("utf-8", errors="replace")
            self.count += 1
            if self.count > max_nodes:
                self._stop(child)
                return
            if self.count % TIME_CHECK_EVERY == 0:
                self._check_time()
            if link_type == h5l.TYPE_HARD:
                self._visit_hard(gid, name, child, depth, address)
                if self.result.truncated:
                    return
            elif link_type == h5l.TYPE_SOFT:
                self._record_soft(gid, name, child, path)
            elif link_type == h5l.TYPE_EXTERNAL:
                file_name, target = gid.links.get_val(name)
                self.result.external_links.append(
                    {"path": child, "file": _decode(file_name), "target": _decode(target)}
                )
            else:
                self.result.warnings.append(f"{child}: user-defined link type not followed")

    def _stop(self, path: str) -> None:
        """Mark the walk truncated at ``path`` (max_nodes reached)."""
        self.result.truncated = True
        self.result.warnings.append(
            f"stopped after {self.limits.max_nodes} nodes (max_nodes) at {path}; "
            "the summary is incomplete"
        )

    def _check_time(self) -> None:
        """Refuse a walk that has run past ``max_seconds``."""
        check_deadline(self.deadline, self.limits.max_seconds)

    def _visit_hard(self, gid, name: bytes, path: str, depth: int, address: int) -> None:
        oid = h5o.open(gid, name)
        if isinstance(oid, h5d.DatasetID):
            num_attrs = h5a.get_num_attrs(oid)
            self.result.nodes.append(self._describe_field(oid, num_attrs, name, path))
            return
        if not isinstance(oid, h5g.GroupID):
            return  # a named datatype: nothing NeXus about it
        attrs = self._read_attrs(oid, h5a.get_num_attrs(oid), path, GROUP_ATTRIBUTES)
        node = Node(path, True, attrs=attrs)
        node.nx_class = _class_name(node.attrs.pop("NX_class", None))
        self.result.nodes.append(node)
        if address in self.seen_groups:
            return
        self.seen_groups.add(address)
        self._visit_group(oid, path, depth + 1)

    def _record_soft(self, gid, name: bytes, path: str, parent: str) -> None:
        target = _decode(gid.links.get_val(name))
        absolute = target if target.startswith("/") else f"{parent}/{target}"
        # Not opened: a target crossing an external link would open another file (or block on a
        # FIFO). Whether it resolves is decided from the walk (FileView.unresolved_soft_links).
        self.result.soft_links[path] = absolute

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
            node.value = self._read_value(oid, node, dtype)
        return node

    def _read_value(self, oid, node: Node, dtype: np.dtype) -> object:
        """The small value of a field; None when it is too big or stored outside the file."""
        if stored_elsewhere(oid):
            self.result.warnings.append(
                f"{node.path}: value stored in another file (external or virtual); not read"
            )
            return None
        try:
            data = np.zeros(node.shape, dtype=dtype)
            oid.read(h5s.ALL, h5s.ALL, data, _memory_type(dtype))
        except (OSError, TypeError, ValueError) as exc:
            self.result.warnings.append(f"{node.path}: value not readable ({exc})")
            return None
        if dtype.kind == "O" and not self._within_bytes(_content_bytes(data), node.path, "value"):
            return None
        return data[()] if node.shape == () else data

    def _is_small(self, shape: tuple, dtype: np.dtype) -> bool:
        size = math.prod(shape) if shape else 1
        if size > self.limits.max_value_elements or dtype.kind not in "SUOiufb":
            return False
        return dtype.itemsize * max(size, 1) <= self.limits.max_attribute_bytes

    def _read_attrs(self, oid, num_attrs: int, path: str, names: tuple[bytes, ...]) -> dict:
        if num_attrs == 0:
            return {}
        found = {}
        for name in names:
            if h5a.exists(oid, name):
                value = self._read_attr(h5a.open(oid, name), name, path)
                if value is not None:
                    found[name.decode()] = value
        return found

    def _read_attr(self, aid, name: bytes, path: str) -> object:
        where = f"{path}@{name.decode()}"
        if not self._within_bytes(aid.get_storage_size(), where, "attribute"):
            return None
        space = aid.get_space()
        extent = space.get_simple_extent_type()
        if extent == h5s.NULL:
            return None
        dtype, mtype = _memory_types(aid)
        data = np.zeros(() if extent == h5s.SCALAR else space.shape, dtype=dtype)
        aid.read(data, mtype=mtype)
        # The storage size of a variable-length value is that of its pointers, not its content:
        # only reading tells how long it is (HDF5 has no way to ask for an attribute).
        if dtype.kind == "O" and not self._within_bytes(_content_bytes(data), where, "attribute"):
            return None
        return data[()] if data.shape == () else data

    def _within_bytes(self, size: int, where: str, what: str) -> bool:
        """Whether a value of ``size`` bytes may be kept; warn when it may not."""
        if size <= self.limits.max_attribute_bytes:
            return True
        self.result.warnings.append(
            f"{where}: {what} of {size} bytes skipped "
            f"(max_attribute_bytes={self.limits.max_attribute_bytes})"
        )
        return False


def check_deadline(deadline: float, max_seconds: float) -> None:
    """Raise :class:`NexusError` naming ``max_seconds`` once ``deadline`` has passed."""
    if time.monotonic() > deadline:
        raise NexusError(f"extraction took longer than {max_seconds} s (max_seconds)")


# Memory types of string attributes, keyed by (variable length, size, character set): building
# a numpy dtype from an HDF5 type and back costs more than reading a short attribute.
_STRING_TYPES: dict[tuple, tuple[np.dtype, h5t.TypeID]] = {}


def _memory_types(aid) -> tuple[np.dtype, h5t.TypeID]:
    """The numpy dtype and HDF5 memory type to read attribute ``aid`` into."""
    tid = aid.get_type()
    if tid.get_class() != h5t.STRING:
        dtype = aid.dtype
        return dtype, h5t.py_create(dtype)
    key = (tid.is_variable_str(), tid.get_size(), tid.get_cset())
    known = _STRING_TYPES.get(key)
    if known is None:
        dtype = aid.dtype
        known = (dtype, h5t.py_create(dtype))
        if len(_STRING_TYPES) < TYPE_CACHE_SIZE:
            _STRING_TYPES[key] = known
    return known


def _content_bytes(data: np.ndarray) -> int:
    """How many bytes the variable-length items of an object array hold."""
    total = 0
    for item in data.flat:
        if isinstance(item, str):
            total += len(item.encode("utf-8", errors="replace"))
        elif isinstance(item, bytes | np.ndarray):
            total += len(item) if isinstance(item, bytes) else item.nbytes
    return total


def stored_elsewhere(dataset_id: h5d.DatasetID) -> bool:
    """Whether a dataset's values live in other files: external raw storage or a virtual
    dataset. Reading such a value would read a file the data root does not vouch for."""
    if dataset_id.get_offset() is not None:
        return False  # contiguous data at an address of this file (the common, cheap case)
    plist = dataset_id.get_create_plist()
    return plist.get_external_count() > 0 or plist.get_layout() == h5d.VIRTUAL


def _decode(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _class_name(value: object) -> str | None:
    if isinstance(value, np.ndarray) and value.size > 1:
        value = value.reshape(-1)[0]
    return as_text(value) or None


def _dtype_key(dtype: np.dtype) -> tuple:
    """A cache key for ``dtype`` that tells apart the object dtypes h5py marks with metadata
    (variable-length strings, references), which compare equal as numpy dtypes."""
    # repr, not the items: an enum's metadata holds a dict, which is not hashable.
    metadata = dtype.metadata
    return (dtype, repr(sorted(metadata.items(), key=repr)) if metadata else None)


_MEMORY_TYPES: dict[tuple, h5t.TypeID] = {}
_DTYPE_NAMES: dict[tuple, str] = {}


def _memory_type(dtype: np.dtype) -> h5t.TypeID:
    """The HDF5 memory type that reads a field of ``dtype`` (few distinct dtypes: cached)."""
    key = _dtype_key(dtype)
    known = _MEMORY_TYPES.get(key)
    if known is None:
        known = h5t.py_create(dtype)
        if len(_MEMORY_TYPES) < TYPE_CACHE_SIZE:
            _MEMORY_TYPES[key] = known
    return known


def _dtype_name(dtype: np.dtype) -> str:
    """The dtype as the summary shows it ("float64", "string", "string[5]"), cached."""
    key = _dtype_key(dtype)
    known = _DTYPE_NAMES.get(key)
    if known is None:
        known = _describe_dtype(dtype)
        if len(_DTYPE_NAMES) < TYPE_CACHE_SIZE:
            _DTYPE_NAMES[key] = known
    return known


def _describe_dtype(dtype: np.dtype) -> str:
    if h5py.check_enum_dtype(dtype) is not None:
        return f"enum[{dtype.name}]"
    if dtype.kind in "iufb":
        return dtype.name
    string_info = h5py.check_string_dtype(dtype)
    if string_info is not None:
        return "string" if string_info.length is None else f"string[{string_info.length}]"
    return str(dtype)
