"""An index over what the walk found: groups, fields, their attributes and children."""

from __future__ import annotations

from .walker import Node, WalkResult

MAX_SOFT_LINK_HOPS = 8


class FileView:
    """Look up groups, fields and attributes of a walked file by absolute path."""

    def __init__(self, walk: WalkResult) -> None:
        self.walk = walk
        self.root_attrs = walk.root_attrs
        self.soft_links = walk.soft_links
        self.groups: dict[str, str] = {}
        self.fields: dict[str, Node] = {}
        self._group_attrs: dict[str, dict] = {}
        self._children: dict[str, list[str]] = {}
        for node in walk.nodes:
            self._add(node)

    def _add(self, node: Node) -> None:
        if node.is_group:
            self.groups.setdefault(node.path, node.nx_class or "")
            self._group_attrs.setdefault(node.path, node.attrs)
        else:
            self.fields.setdefault(node.path, node)
        self._children.setdefault(node.path.rsplit("/", 1)[0], []).append(node.path)

    def resolve(self, path: str) -> str:
        """The hard path of ``path``: soft links anywhere along it followed, inside the file
        only (the walk recorded them), at most ``MAX_SOFT_LINK_HOPS`` times (loops end)."""
        for _ in range(MAX_SOFT_LINK_HOPS):
            if path in self.fields or path in self.groups:
                return path
            target = self._follow_once(path)
            if target == path:
                return path
            path = target
        return path

    def _follow_once(self, path: str) -> str:
        """``path`` with its longest soft-linked prefix (or itself) replaced by the target."""
        parts = path.split("/")
        for cut in range(len(parts), 1, -1):
            target = self.soft_links.get("/".join(parts[:cut]))
            if target is not None:
                return "/".join([target.rstrip("/"), *parts[cut:]])
        return path

    def unresolved_soft_links(self) -> list[str]:
        """Soft links whose target is nothing the walk found inside the file (dangling, a loop,
        or through an external link)."""
        return [
            path
            for path in self.soft_links
            if (hard := self.resolve(path)) not in self.fields
            and hard not in self.groups
            and hard.strip("/")
        ]

    def nx_class(self, path: str) -> str | None:
        """The NX class of the group at ``path`` (following soft links); "" for a group
        without one, None when ``path`` is not a group."""
        return self.groups.get(self.resolve(path))

    def children(self, path: str) -> list[str]:
        """Paths of the hard-linked children of a group ("" is the root), named under ``path``
        when ``path`` is a soft link to the group."""
        hard = self.resolve(path) if path else path
        found = self._children.get(hard, [])
        if hard == path:
            return found
        return [path + child[len(hard) :] for child in found]

    def group_attrs(self, path: str) -> dict:
        """The attributes read from a group (``default``, ``signal``, ``axes``)."""
        return self._group_attrs.get(path) or self._group_attrs.get(self.resolve(path), {})

    def field(self, path: str) -> Node | None:
        """The field at ``path`` (following soft links inside the file), or None."""
        return self.fields.get(path) or self.fields.get(self.resolve(path))

    def field_attrs(self, path: str) -> dict:
        """The attributes read from a field (``units``, ``signal``, ``axes``, ...)."""
        node = self.field(path)
        return node.attrs if node else {}

    def field_info(self, path: str) -> dict:
        """``{shape, dtype}`` of a field, empty when the path is not a field."""
        node = self.field(path)
        if node is None:
            return {}
        return {"shape": list(node.shape) if node.shape is not None else None, "dtype": node.dtype}

    def parent_class(self, path: str) -> str | None:
        """The NX class of the group holding ``path``."""
        return self.groups.get(path.rsplit("/", 1)[0]) or None

    def of_class(self, nx_class: str) -> list[str]:
        """Paths of every group of ``nx_class``, in walk order."""
        return [path for path, found in self.groups.items() if found == nx_class]
