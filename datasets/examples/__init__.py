"""Small, valid NeXus example files, one per technique, for demos and tests.

Each file follows the required groups and fields of its NeXus application definition and holds a
synthetic but physically plausible signal (numpy, seeded by the technique slug, so the values are
the same on every run). The files are demo content written by this project, not measured data.
"""

import re
import zlib
from collections.abc import Iterable
from pathlib import Path

import h5py
import numpy as np

from .base import (
    CREATOR,
    END_TIME,
    NXDL_VERSION,
    PANET,
    START_TIME,
    Example,
    Writer,
    field,
    gaussian,
    group,
    monitor,
    nxdata,
    poisson,
    source,
)
from .laue import write_laue
from .neutron_tof import write_neutron_tof
from .scattering import write_ixs, write_neutron_laue, write_tof_sans, write_usaxs
from .structure import write_pdb_model
from .writers import (
    write_arpes,
    write_em,
    write_ins,
    write_mx,
    write_powder,
    write_reflectometry,
    write_sans,
    write_saxs,
    write_stxm,
    write_tomo,
    write_xas,
    write_xps,
    write_xrf,
)

__all__ = [
    "CREATOR", "END_TIME", "EXAMPLES", "NXDL_VERSION", "PANET", "START_TIME", "Example", "Writer",
    "example_for", "example_slug_for", "field", "gaussian", "group", "monitor", "nxdata",
    "poisson", "source", "write_example", "write_examples",
]  # fmt: skip
FIXTURE_PROCEDURES = Path(__file__).resolve().parents[2] / "fixtures" / "procedures"


def _iri(*numbers: str) -> tuple[str, ...]:
    """PaNET IRIs from their numbers."""
    return tuple(PANET + f"PaNET{number}" for number in numbers)


EXAMPLES: dict[str, Example] = {
    example.slug: example
    for example in (
        Example("mx", "NXmx", "Lysozyme rotation images", _iri("01164", "01102"), write_mx),
        Example(
            "powder-diffraction",
            "NXmonopd",
            "Silicon neutron powder pattern",
            _iri("01100", "01101", "01030"),
            write_powder,
        ),  # fmt: skip
        Example("saxs", "NXsas", "Silica spheres, SAXS", _iri("01188"), write_saxs),
        Example("sans", "NXsas", "Polystyrene coils, SANS", _iri("01189"), write_sans),
        Example(
            "tomography",
            "NXtomo",
            "Absorption tomography of a test phantom",
            _iri("01207", "01208", "01209", "01151", "01129"),
            write_tomo,
        ),  # fmt: skip
        Example(
            "xas",
            "NXxas",
            "Cu K-edge XAS of a copper foil",
            _iri("01196", "01197", "01198", "01199"),
            write_xas,
        ),  # fmt: skip
        Example(
            "xrf", "NXfluo", "XRF spectrum of a paint sample", _iri("01095", "01177"), write_xrf
        ),
        Example(
            "arpes",
            "NXarpes",
            "ARPES of Cu(111) surface state",
            _iri("01089", "01317"),
            write_arpes,
        ),
        Example(
            "xps", "NXxps", "XPS survey of oxidised silicon", _iri("01204", "01297"), write_xps
        ),
        Example(
            "neutron-reflectometry",
            "NXrefscan",
            "Reflectivity of a nickel film",
            _iri("01239", "01121"),
            write_reflectometry,
        ),  # fmt: skip
        Example(
            "inelastic-neutron-scattering",
            "NXspe",
            "Copper phonons, direct geometry",
            _iri("01245", "01247"),
            write_ins,
        ),  # fmt: skip
        Example("electron-microscopy", "NXem", "Gold nanoparticles, STEM", _iri("01145"), write_em),
        Example("stxm", "NXstxm", "C K-edge stack of a PS/PMMA blend", _iri("01219"), write_stxm),
        Example(
            "neutron-time-of-flight",
            "NXtofraw",
            "Vanadium time-of-flight spectra, direct geometry",
            _iri("01001", "01244", "01000"),
            write_neutron_tof,
        ),  # fmt: skip
        Example(
            "laue-diffraction",
            "NXxbase",
            "White-beam Laue pattern of a silicon grain",
            _iri("01102", "01271", "01029"),
            write_laue,
        ),  # fmt: skip
        Example(
            "usaxs",
            "NXcanSAS",
            "Silica spheres, slit-smeared USAXS",
            _iri("01241", "01133"),
            write_usaxs,
        ),  # fmt: skip
        Example(
            "tof-sans",
            "NXsastof",
            "Polymer coils, time-of-flight SANS",
            _iri("01277"),
            write_tof_sans,
        ),  # fmt: skip
        Example(
            "neutron-laue",
            "NXlauetof",
            "NaCl crystal, time-of-flight Laue",
            _iri("01236"),
            write_neutron_laue,
        ),  # fmt: skip
        Example(
            "ixs",
            "NXsqom",
            "Acoustic phonons, inelastic x-ray scattering",
            _iri("01182"),
            write_ixs,
        ),  # fmt: skip
        Example(
            "mx-model",
            None,
            "Deposited two-chain model, PDB entry in NeXus",
            _iri("01164"),
            write_pdb_model,
            classes=("NXpdb",),
        ),  # fmt: skip
    )
}


def write_example(example: Example, directory: Path) -> Path:
    """Write one example file into ``directory`` and return its path."""
    path = Path(directory) / example.file_name
    rng = np.random.default_rng(zlib.crc32(example.slug.encode()))
    with h5py.File(path, "w") as nexus:
        nexus.attrs.update(default="entry", file_name=example.file_name, creator=CREATOR,
                           file_time=START_TIME, NX_class="NXroot")  # fmt: skip
        if example.definition is None:  # base classes only, no plottable default
            entry = group(nexus, "entry", "NXentry")
        else:
            entry = group(nexus, "entry", "NXentry", default="data")
            field(entry, "definition", example.definition, version=NXDL_VERSION)
        field(entry, "title", f"{example.title} (synthetic demo data)")
        field(entry, "start_time", START_TIME)
        example.writer(entry, rng)
    return path


def write_examples(directory: str | Path, techniques: Iterable[str] | None = None) -> list[Path]:
    """Write the example files of ``techniques`` (slugs; all when None) into ``directory``."""
    wanted = list(techniques) if techniques is not None else list(EXAMPLES)
    unknown = [slug for slug in wanted if slug not in EXAMPLES]
    if unknown:
        raise KeyError(f"Unknown example technique(s): {', '.join(unknown)}")
    Path(directory).mkdir(parents=True, exist_ok=True)
    return [write_example(EXAMPLES[slug], Path(directory)) for slug in wanted]


def example_slug_for(techniques: Iterable[str], required_nexus: Iterable[str] = ()) -> str | None:
    """The slug of the first example whose PaNET IRIs include one of ``techniques``.

    An example with distinguishing ``classes`` (a deposited model beside the MX images) is taken
    only when ``required_nexus`` names one of them, and then before the generic examples.
    """
    named = {part for item in required_nexus for part in re.split(r"[/@]", item) if part}
    fitting = [
        example
        for iri in techniques
        for example in EXAMPLES.values()
        if iri in example.techniques and (not example.classes or named & set(example.classes))
    ]
    ranked = [example for example in fitting if example.classes] or fitting
    return ranked[0].slug if ranked else None


def example_for(procedure_slug: str, directory: str | Path) -> Path:
    """The example file that fits a demo procedure (written into ``directory`` when missing)."""
    import yaml

    manifest = FIXTURE_PROCEDURES / procedure_slug / "procedure.yaml"
    if not manifest.is_file():
        raise KeyError(f"No demo procedure {procedure_slug!r} in {FIXTURE_PROCEDURES}")
    document = yaml.safe_load(manifest.read_text())
    required = document["versions"][-1]["inputs"].get("required_nexus", [])
    slug = example_slug_for(document["procedure"]["techniques"], required)
    if slug is None:
        raise KeyError(f"No example file fits the techniques of {procedure_slug!r}")
    path = Path(directory) / EXAMPLES[slug].file_name
    return path if path.exists() else write_example(EXAMPLES[slug], Path(directory))
