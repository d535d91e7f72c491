"""Find the default plot of a NeXus file by the NeXus rules.

1. The root's ``default`` attribute names the entry; otherwise the first NXentry.
2. The entry's ``default`` names an NXdata (or an NXentry/NXsubentry to look into); otherwise
   the first NXdata inside the entry.
3. The NXdata's ``signal`` attribute names the signal field; otherwise the field that carries the
   old-style ``signal=1`` attribute. Axes come from the NXdata's ``axes`` attribute, otherwise
   from the signal field's old-style ``axes`` attribute ("x:y" or "x,y").

The result is ``{path, signal, axes, shapes, dtypes}`` where ``signal`` and ``axes`` are absolute
field paths and ``shapes``/``dtypes`` map those paths to what the file holds.
"""

from __future__ import annotations

from .values import as_name_list, as_number, as_text

CONTAINER_CLASSES = ("NXentry", "NXsubentry")
MAX_DEFAULT_HOPS = 8


def find_default_plot(view) -> dict | None:
    """The default plot of ``view`` (an ``extractor.FileView``), or None when there is none."""
    entry = _pick_child(view, "", view.root_attrs.get("default"), ("NXentry",))
    data = _find_data(view, entry) if entry else None
    if data is None:
        return None
    signal = _signal_name(view, data)
    if signal is None:
        return None
    signal_path = f"{data}/{signal}"
    if view.field(signal_path) is None:
        return None  # absent, or an external link: nothing inside the file to plot
    axes = [f"{data}/{name}" for name in _axis_names(view, data, signal_path) if name != "."]
    plotted = [signal_path, *axes]
    return {
        "path": data,
        "signal": signal_path,
        "axes": axes,
        "shapes": {path: view.field_info(path).get("shape") for path in plotted},
        "dtypes": {path: view.field_info(path).get("dtype") for path in plotted},
    }


def _find_data(view, container: str) -> str | None:
    for _ in range(MAX_DEFAULT_HOPS):
        chosen = _pick_child(view, container, view.group_attrs(container).get("default"), None)
        if chosen and view.nx_class(chosen) == "NXdata":
            return chosen
        if chosen and view.nx_class(chosen) in CONTAINER_CLASSES:
            container = chosen
            continue
        return _first_of_class(view, container, "NXdata")
    return None


def _pick_child(view, parent: str, default: object, classes: tuple | None) -> str | None:
    name = as_text(default)
    if name:
        path = f"{parent}/{name}"
        found = view.nx_class(path)
        if found is not None and (classes is None or found in classes):
            return path
    if classes is None:
        return None
    return next((path for path in view.children(parent) if view.nx_class(path) in classes), None)


def _first_of_class(view, container: str, nx_class: str) -> str | None:
    prefix = view.resolve(container) + "/"
    return next((p for p, c in view.groups.items() if c == nx_class and p.startswith(prefix)), None)


def _signal_name(view, data: str) -> str | None:
    name = as_text(view.group_attrs(data).get("signal"))
    if name:
        return name
    for path in view.children(data):
        marker = view.field_attrs(path).get("signal")
        if as_number(marker) == 1 or as_text(marker) == "1":
            return path.rsplit("/", 1)[-1]
    return None


def _axis_names(view, data: str, signal_path: str) -> list[str]:
    names = as_name_list(view.group_attrs(data).get("axes"))
    return names or as_name_list(view.field_attrs(signal_path).get("axes"))
