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
    "backend_classes",
    "backends_for_facility",
    "choose_backend",
]


def backend_classes() -> dict[str, str]:
    """Backend names and their classes: the built-in ones and EXECUTION_BACKEND_CLASSES."""
    return {**BACKEND_CLASSES, **(getattr(settings, "EXECUTION_BACKEND_CLASSES", {}) or {})}


def get_backend(name: str) -> Backend:
    """The backend called ``name``."""
    classes = backend_classes()
    try:
        return import_string(classes[name])()
    except KeyError:
        raise DomainError(
            f"Unknown backend {name!r}.", {"backend": sorted(classes)}, "unknown_backend"
        ) from None


def backends_for_facility(facility_slug: str) -> list[str]:
    """Backends a facility offers (EXECUTION_BACKENDS), first one the default."""
    configured = getattr(settings, "EXECUTION_BACKENDS", {}) or {}
    return list(configured.get(facility_slug) or configured.get("*") or ["local"])


def choose_backend(requested: str, facility_slug: str) -> str:
    """The backend for a new run: the one requested if the facility offers it, else its default."""
    offered = backends_for_facility(facility_slug)
    chosen = requested or offered[0]
    backend = get_backend(chosen)
    if chosen not in offered:
        raise DomainError(
            f"Backend {chosen!r} is not offered at facility {facility_slug or '(any)'!r}.",
            {"backend": [f"Offered: {', '.join(offered)}"]},
            "backend_not_offered",
        )
    missing = backend.missing_settings()
    if missing:
        raise DomainError(
            f"Backend {chosen!r} is offered but not configured on this server "
            f"(missing {', '.join(missing)}); choose another backend.",
            {"backend": [f"Offered: {', '.join(offered)}"], "missing_settings": missing},
            "backend_not_configured",
        )
    return chosen
