"""The demo datasets: the example NeXus files, written under VAR_DIR/data and registered."""

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from tqdm import tqdm

from datasets.examples import EXAMPLES, write_examples
from datasets.services import register_dataset

DEMO_PID_PREFIX = "10.5072/demo:"


def demo_dataset_pid(example_slug: str) -> str:
    """The PID of the demo dataset made from the example file of ``example_slug``."""
    return DEMO_PID_PREFIX + Path(EXAMPLES[example_slug].file_name).stem


def demo_examples_dir() -> Path:
    """The folder the demo example files are written to (``VAR_DIR/data/examples``)."""
    return Path(settings.VAR_DIR) / "data" / "examples"


def ensure_demo_datasets(slugs: Iterable[str] | None = None, progress: bool = False) -> dict:
    """Write (only when missing, so files stay byte-identical) and register the example files of
    ``slugs`` (all when None); idempotent. Returns how many were created, updated, unchanged."""
    wanted = sorted(EXAMPLES if slugs is None else set(slugs))
    directory = demo_examples_dir()
    missing = [slug for slug in wanted if not (directory / EXAMPLES[slug].file_name).exists()]
    if missing:
        write_examples(directory, missing)
    counts: Counter = Counter()
    for slug in tqdm(wanted, desc="example datasets", unit="file", disable=not progress):
        registration = register_dataset(
            directory / EXAMPLES[slug].file_name, pid=demo_dataset_pid(slug)
        )
        counts[str(registration.status)] += 1
    return dict(counts)
