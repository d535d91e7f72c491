"""Example writer of a deposited macromolecular model: a PDB entry (mmCIF) mapped into NeXus as
NXpdb groups, laid out like the shared sample nxpdb/hdf5/4n8z.h5 (/entry/CBF_cbf/<ID>/<category>,
every mmCIF item a string column). Synthetic demo data written by this project: two helical
chains with B-factors rising towards the termini, a few half-occupied side chains and waters."""

import h5py
import numpy as np

from .base import field, group

ENTRY_ID = "9DMO"
CHAINS = {"A": "MKVLAAGIEELLKRAQEAGLS", "B": "MKVLAAGIEELLKRAQEAG"}
THREE_LETTER = {
    "A": "ALA", "E": "GLU", "G": "GLY", "I": "ILE", "K": "LYS", "L": "LEU", "M": "MET",
    "Q": "GLN", "R": "ARG", "S": "SER", "V": "VAL",
}  # fmt: skip
BACKBONE = (("N", "N"), ("CA", "C"), ("C", "C"), ("O", "O"))
WATERS = 6


def _strings(values) -> np.ndarray:
    """Fixed-length byte strings, as the mmCIF-to-NeXus mapping stores every item."""
    return np.array([str(value).encode() for value in values])


def _atoms(rng: np.random.Generator) -> list[dict[str, str]]:
    """atom_site rows: backbone and CB atoms along an alpha helix per chain, then waters."""
    rows: list[dict[str, str]] = []
    for offset, (chain, sequence) in enumerate(CHAINS.items()):
        for index, code in enumerate(sequence):
            seq_id, residue = index + 1, THREE_LETTER[code]
            angle, rise = np.radians(100.0 * index), 1.5 * index
            centre = np.array([12.0 * offset, 0.0, 0.0])
            # B rises towards both termini (flexible ends), as in most deposited models.
            ends = min(index, len(sequence) - 1 - index)
            b_residue = 14.0 + 22.0 * np.exp(-ends / 2.5) + rng.normal(0, 1.0)
            atoms = [*BACKBONE, *([("CB", "C")] if code != "G" else [])]
            partial = code in "KE" and index % 3 == 0  # alternative side-chain conformers
            for number, (name, element) in enumerate(atoms):
                radius = 2.3 + 0.4 * number
                xyz = centre + [radius * np.cos(angle + number), radius * np.sin(angle + number),
                                rise + 0.3 * number]  # fmt: skip
                side_chain = name == "CB"
                rows.append({
                    "group_PDB": "ATOM", "type_symbol": element, "label_atom_id": name,
                    "label_comp_id": residue, "label_asym_id": chain, "label_entity_id": "1",
                    "label_seq_id": str(seq_id), "auth_seq_id": str(seq_id),
                    "auth_asym_id": chain, "xyz": xyz,
                    "occupancy": "0.50" if partial and side_chain else "1.00",
                    "B_iso_or_equiv": f"{b_residue + (4.0 if side_chain else 0.0):.2f}",
                })  # fmt: skip
    for water in range(WATERS):
        xyz = rng.uniform(-8, 20, size=3)
        rows.append({
            "group_PDB": "HETATM", "type_symbol": "O", "label_atom_id": "O",
            "label_comp_id": "HOH", "label_asym_id": "C", "label_entity_id": "2",
            "label_seq_id": ".", "auth_seq_id": str(101 + water), "auth_asym_id": "A",
            "xyz": xyz, "occupancy": "1.00", "B_iso_or_equiv": f"{rng.uniform(25, 40):.2f}",
        })  # fmt: skip
    return rows


def _category(datablock: h5py.Group, name: str, items: dict[str, object]) -> h5py.Group:
    """One mmCIF category as an NXpdb group of string items (scalars or columns)."""
    category = group(datablock, name, "NXpdb", NXpdb_class="CBF_cbfcat")
    for item, value in items.items():
        if isinstance(value, list | tuple | np.ndarray):
            field(category, item, _strings(value))
        else:
            field(category, item, str(value).encode())
    return category


def write_pdb_model(entry: h5py.Group, rng: np.random.Generator) -> None:
    """A small deposited model: entry, cell, symmetry, refine and atom_site categories."""
    group(entry, "instrument", "NXinstrument")  # empty, as in the mapped PDB sample
    datablock = group(group(entry, "CBF_cbf", "NXpdb"), ENTRY_ID, "NXpdb", NXpdb_class="CBF_cbfdb")
    _category(datablock, "entry", {"id": ENTRY_ID})
    _category(datablock, "struct", {"entry_id": ENTRY_ID,
                                    "title": "Synthetic two-chain helical model (demo data)"})  # fmt: skip
    _category(datablock, "cell", {"entry_id": ENTRY_ID, "length_a": "38.20", "length_b": "38.20",
                                  "length_c": "71.50", "angle_alpha": "90.00",
                                  "angle_beta": "90.00", "angle_gamma": "90.00", "Z_PDB": "8"})  # fmt: skip
    _category(datablock, "symmetry", {"entry_id": ENTRY_ID, "space_group_name_H-M": "P 43 21 2",
                                      "Int_Tables_number": "96"})  # fmt: skip
    rows = _atoms(rng)
    b_values = [float(row["B_iso_or_equiv"]) for row in rows]
    _category(datablock, "refine", {"entry_id": ENTRY_ID, "ls_d_res_high": "1.80",
                                    "B_iso_mean": f"{np.mean(b_values):.3f}"})  # fmt: skip
    columns: dict[str, object] = {"id": [str(i + 1) for i in range(len(rows))]}
    for item in ("group_PDB", "type_symbol", "label_atom_id", "label_comp_id", "label_asym_id",
                 "label_entity_id", "label_seq_id", "auth_seq_id", "auth_asym_id"):  # fmt: skip
        columns[item] = [row[item] for row in rows]
    for axis, item in enumerate(("Cartn_x", "Cartn_y", "Cartn_z")):
        columns[item] = [f"{row['xyz'][axis]:.3f}" for row in rows]
    columns["label_alt_id"] = ["." for _ in rows]
    columns["occupancy"] = [row["occupancy"] for row in rows]
    columns["B_iso_or_equiv"] = [row["B_iso_or_equiv"] for row in rows]
    columns["pdbx_PDB_model_num"] = ["1" for _ in rows]
    _category(datablock, "atom_site", columns)
