"""Execution backends behind one interface; which ones a facility offers is configuration."""

from django.conf import settings
from django.utils.module_loading import import_string

from config.api.errors import DomainError
from execution.backends.base import (
    Backend,
    BackendError,
    BackendInfo,
    JobNotFoundError,
    OutputFile,
    Status,
    Submission,
    TransientBackendError,
)

BACKEND_CLASSES = {
    "local": "execution.backends.local.LocalBackend",
    "jupyterhub": "execution.backends.jupyterhub.JupyterHubBackend",
    "slurm": "execution.backends.slurm.SlurmBackend",
    "binder": "execution.backends.linkout.BinderBackend",
    "visa": "execution.backends.linkout.VisaBackend",
}

__all__ = [
    "Backend",
    "BackendError",
    "BackendInfo",
    "JobNotFoundError",
    "OutputFile",
    "Status",
    "Submission",
    "TransientBackendError",
    "get_backend",
    "backends_for_facility",
    "choose_backend",
]


def get_backend(name: str) -> Backend:
    """The backend called ``name``."""
    try:
        return import_string(BACKEND_CLASSES[name])()
    except KeyError:
        raise DomainError(
            f"Unknown backend {name!r}.", {"backend": sorted(BACKEND_CLASSES)}, "unknown_backend"
        ) from None


def backends_for_facility(facility_slug: str) -> list[str]:
    """Backends a facility offers (EXECUTION_BACKENDS), first one the default."""
    configured = getattr(settings, "EXECUTION_BACKENDS", {}) or {}
    return list(configured.get(facility_slug) or configured.get("*") or ["local"])


def choose_backend(requested: str, facility_slug: str) -> str:
    """The backend for a new run: the one requested if the facility offers it, else its default."""
    offered = backends_for_facility(facility_slug)
    if not requested:
        return offered[0]
    if requested not in BACKEND_CLASSES:
        get_backend(requested)
    if requested not in offered:
        raise DomainError(
            f"Backend {requested!r} is not offered at facility {facility_slug or '(any)'!r}.",
            {"backend": [f"Offered: {', '.join(offered)}"]},
            "backend_not_offered",
        )
    return requested
