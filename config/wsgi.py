"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def freeze_startup_objects() -> None:
    """Load every view (the URLconf), then exempt what start-up made from garbage collection.

    A worker holds a few hundred thousand objects once loaded, which live as long as it does;
    every full collection scanned them again. A request that builds many objects (a search
    matching the whole catalogue builds tens of thousands) triggers such collections: frozen,
    they cost it a third less (docs/benchmarks.md, search).
    """
    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the views it names
    gc.collect()
    gc.freeze()


freeze_startup_objects()
