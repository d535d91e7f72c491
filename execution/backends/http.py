"""HTTP helpers shared by the backends that speak to a server (JupyterHub, slurmrestd)."""

import requests
from django.conf import settings

from execution.backends.base import TransientBackendError


def call(method: str, url: str, **kwargs) -> requests.Response:
    """One HTTP request; an unreachable server or a 502/503/504 is a transient error."""
    kwargs.setdefault("timeout", getattr(settings, "EXECUTION_HTTP_TIMEOUT", 10))
    try:
        response = requests.request(method, url, **kwargs)
    except requests.RequestException as exc:
        raise TransientBackendError(f"{method} {url}: {exc}") from exc
    if response.status_code in (429, 502, 503, 504):
        raise TransientBackendError(f"{method} {url}: HTTP {response.status_code}")
    return response


def json_or_empty(response: requests.Response) -> dict:
    """The JSON body of ``response``, or {} when it has none."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
