"""What the benchmarks share: Django on a fresh SQLite database, and percentiles.

Benchmarks run as scripts (``.venv/bin/python bench/bench_x.py``), so this module is imported
as ``common`` from the bench folder.
"""

import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def setup_django(workdir: str, **environment: str) -> None:
    """Configure Django on a fresh SQLite database inside ``workdir`` (with extra environment
    variables) and migrate it."""
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "true",
            "VAR_DIR": workdir,
            "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
            **environment,  # the caller's values win
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (0-1) of ``values`` by the nearest-rank method."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
