"""Benchmark of the NeXus extractor against a bare h5py ``visititems`` walk.

Run with ``.venv/bin/python bench/bench_extract.py``. Measures, in the same run:

1. files/s and ms per file of ``datasets.nexus.extract`` versus a baseline that opens each file
   and walks it with ``visititems`` (no attributes, no values), over the shared NeXus samples
   and ~300 small generated NeXus files;
2. extraction time of a 1 MB and a 1 GB file of the same structure (the 1 GB file is written
   chunk by chunk so it really takes 1 GB on disk; it is deleted afterwards).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("SHARED_DIR", PROJECT_DIR.parent / "shared"))
SMALL_FILES = 300
REPEATS = 5
sys.path.insert(0, str(PROJECT_DIR))

from datasets.nexus import NexusError, extract  # noqa: E402


def baseline_walk(path: Path) -> int:
    """Open the file and visit every object with h5py's visititems; return the node count."""
    count = 0

    def visit(name, obj):
        nonlocal count
        count += 1

    with h5py.File(path, "r") as file:
        file.visititems(visit)
    return count


def write_small_nexus(path: Path, index: int, frames: int = 4, frame: int = 64) -> None:
    """A small NXsas-like file: entry, instrument, source, monochromator, detector, sample, data."""
    with h5py.File(path, "w") as file:
        file.attrs["default"] = "entry"
        entry = _group(file, "entry", "NXentry", default="data")
        entry["definition"] = "NXsas"
        entry["title"] = f"generated file {index}"
        entry["start_time"] = "2024-01-01T00:00:00"
        instrument = _group(entry, "instrument", "NXinstrument")
        instrument["name"] = "bench instrument"
        source = _group(instrument, "source", "NXsource")
        source["probe"], source["type"], source["name"] = "x-ray", "Synchrotron", "bench"
        mono = _group(instrument, "monochromator", "NXmonochromator")
        mono["wavelength"] = 1.0 + index / 1000
        mono["wavelength"].attrs["units"] = "Angstrom"
        detector = _group(instrument, "detector", "NXdetector")
        detector["distance"] = 2.5
        detector["distance"].attrs["units"] = "m"
        detector.create_dataset("data", shape=(frames, frame, frame), dtype="f4",
                                chunks=(1, frame, frame))  # fmt: skip
        sample = _group(entry, "sample", "NXsample")
        sample["name"], sample["temperature"] = "sample", 295.0
        sample["temperature"].attrs["units"] = "K"
        data = _group(entry, "data", "NXdata", signal="data")
        data["data"] = h5py.SoftLink("/entry/instrument/detector/data")


def _group(parent, name, nx_class, **attrs):
    group = parent.create_group(name)
    group.attrs["NX_class"] = nx_class
    for key, value in attrs.items():
        group.attrs[key] = value
    return group


def fill_detector(path: Path) -> None:
    """Write every chunk of the detector data (zeros), so the file's size is real on disk."""
    with h5py.File(path, "a") as file:
        data = file["/entry/instrument/detector/data"]
        block = np.zeros(data.shape[1:], dtype=data.dtype)
        for index in range(data.shape[0]):
            data[index] = block


def time_once(function, paths: list[Path]) -> float:
    """Wall-clock seconds to run ``function`` over every path once."""
    start = time.perf_counter()
    for path in paths:
        try:
            function(path)
        except (NexusError, OSError):
            pass
    return time.perf_counter() - start


def time_files(function, paths: list[Path]) -> float:
    """Best of REPEATS wall-clock seconds to run ``function`` over every path."""
    return min(time_once(function, paths) for _ in range(REPEATS))


def time_pair(paths: list[Path]) -> tuple[float, float]:
    """Best of REPEATS seconds of extract and of the baseline, run alternately so that a busy
    machine slows both alike."""
    extract_s, baseline_s = [], []
    for _ in range(REPEATS):
        extract_s.append(time_once(extract, paths))
        baseline_s.append(time_once(baseline_walk, paths))
    return min(extract_s), min(baseline_s)


def compare(label: str, paths: list[Path]) -> None:
    """Print one table row: files, extract and baseline throughput, and their ratio."""
    extract_s, baseline_s = time_pair(paths)
    n = len(paths)
    print(
        f"| {label} | {n} | {n / extract_s:,.0f} | {1000 * extract_s / n:.2f} | "
        f"{n / baseline_s:,.0f} | {1000 * baseline_s / n:.2f} | {extract_s / baseline_s:.2f} |"
    )


def size_scaling(folder: Path) -> None:
    """Extraction time of a 1 MB file and a 1 GB file with the same groups and fields."""
    print(f"\n| file | size on disk | extract ms (best of {REPEATS}) |\n| --- | ---: | ---: |")
    for label, frames, frame in (("1 MB", 4, 256), ("1 GB", 256, 1024)):
        path = folder / f"size_{label.replace(' ', '')}.nxs"
        write_small_nexus(path, 0, frames=frames, frame=frame)
        fill_detector(path)
        on_disk = os.stat(path).st_blocks * 512
        seconds = time_files(extract, [path])
        print(f"| {label} | {on_disk / 1e6:,.1f} MB | {1000 * seconds:.2f} |")
        path.unlink()


def main() -> None:
    """Generate the small files, run both walks over them and the shared samples, print tables."""
    samples = sorted(p for p in (SHARED_DIR / "nexus-samples").rglob("*") if p.is_file()
                     and p.suffix in {".h5", ".hdf5", ".nxs", ".hdf"})  # fmt: skip
    extract(samples[0]) if samples else None  # warm up (pint registry)
    with tempfile.TemporaryDirectory(prefix="bench_extract_") as tmp:
        folder = Path(tmp)
        small = [folder / f"small_{index:03d}.nxs" for index in range(SMALL_FILES)]
        for index, path in enumerate(small):
            write_small_nexus(path, index)
        print("| files | n | extract files/s | extract ms/file | baseline files/s "
              "| baseline ms/file | extract / baseline |")  # fmt: skip
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        if samples:
            compare("shared nexus-samples", samples)
        compare("generated small NeXus", small)
        size_scaling(folder)


if __name__ == "__main__":
    main()
