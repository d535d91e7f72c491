"""The JupyterHub backend: a named server for the user, started through the Hub REST API.

The run is interactive: it is RUNNING while the server is up (its URL is the run's
``external_url``) and COMPLETE once the user stops it; cancel stops and removes it.
"""

import re

from django.conf import settings

from execution.backends.base import (
    Backend,
    BackendError,
    BackendInfo,
    JobNotFoundError,
    Status,
    Submission,
)
from execution.backends.http import call, json_or_empty
from execution.choices import RunState


def hub_user(run) -> str:
    """The Hub user name of the run's owner (lowercase letters, digits, . _ -)."""
    name = re.sub(r"[^a-z0-9._-]", "-", run.owner.get_username().lower()).strip("-")
    return name or f"user-{run.owner_id}"


def server_name(run) -> str:
    """The named server of ``run``."""
    return f"run-{str(run.id)[:8]}"


class JupyterHubBackend(Backend):
    """Named servers on a JupyterHub, authenticated with a service token."""

    name = "jupyterhub"

    def api(self, method: str, path: str, **kwargs):
        """Call the Hub API with the service token."""
        token = settings.JUPYTERHUB_API_TOKEN
        if not token:
            raise BackendError("JUPYTERHUB_API_TOKEN is not set.")
        headers = {"Authorization": f"token {token}"}
        response = call(
            method, settings.JUPYTERHUB_API_URL.rstrip("/") + path, headers=headers, **kwargs
        )
        if response.status_code in (401, 403):
            raise BackendError(
                f"JupyterHub refused the service token (HTTP {response.status_code})."
            )
        return response

    def user_options(self, run) -> dict:
        """What the spawner gets: image, repository, commit and the data to open."""
        version = run.version
        return {
            "image": version.container_image,
            "repository": version.code_repository,
            "commit": version.code_commit,
            "entry_point": version.entry_point,
            "dataset_path": run.dataset_path,
        }

    def submit(self, run) -> Submission:
        """Create the user if needed, then start the named server (201 ready, 202 pending)."""
        user, server = hub_user(run), server_name(run)
        created = self.api("POST", f"/users/{user}")
        if created.status_code not in (201, 409):
            raise BackendError(
                f"JupyterHub could not create user {user}: HTTP {created.status_code}"
            )
        started = self.api("POST", f"/users/{user}/servers/{server}", json=self.user_options(run))
        if started.status_code not in (201, 202, 400):
            raise BackendError(f"JupyterHub could not start {server}: HTTP {started.status_code}")
        if started.status_code == 400 and "already" not in started.text:
            raise BackendError(f"JupyterHub refused {server}: {started.text[:300]}")
        # 201: ready now; 202: the spawn goes on, poll() sees when it is ready.
        status = self.server_status(user, server)
        state = RunState.RUNNING if status.state == RunState.RUNNING else RunState.INITIALIZING
        return Submission(
            external_id=f"{user}/{server}", external_url=status.external_url, state=state
        )

    def find(self, run) -> Submission | None:
        """The run's named server, if an earlier worker started it."""
        user, server = hub_user(run), server_name(run)
        try:
            status = self.server_status(user, server)
        except JobNotFoundError:  # no such Hub user yet
            return None
        if status.state == RunState.COMPLETE:  # not listed: never started, or stopped
            return None
        return Submission(
            external_id=f"{user}/{server}", external_url=status.external_url, state=status.state
        )

    def poll(self, run) -> Status:
        """RUNNING with the server's URL once ready; COMPLETE when it is gone."""
        return self.server_status(*run.external_id.split("/", 1))

    def server_status(self, user: str, server: str) -> Status:
        """The state of a named server, from ``GET /users/NAME`` (``servers.NAME``)."""
        response = self.api("GET", f"/users/{user}")
        if response.status_code == 404:
            raise JobNotFoundError(f"JupyterHub has no user {user}.")
        servers = json_or_empty(response).get("servers") or {}
        info = servers.get(server)
        if info is None:
            return Status(state=RunState.COMPLETE, log="The server was stopped.")
        if info.get("ready"):
            base = settings.JUPYTERHUB_URL.rstrip("/")
            return Status(state=RunState.RUNNING, external_url=base + info.get("url", ""))
        if info.get("pending") == "stop":
            return Status(state=RunState.RUNNING)
        return Status(state=RunState.INITIALIZING)

    def cancel(self, run) -> None:
        """Stop the named server and remove it (found by name when its id was never saved)."""
        user, server = (
            run.external_id.split("/", 1)
            if "/" in run.external_id
            else (hub_user(run), server_name(run))
        )
        response = self.api("DELETE", f"/users/{user}/servers/{server}", json={"remove": True})
        if response.status_code not in (202, 204, 404):
            raise BackendError(f"JupyterHub could not stop {server}: HTTP {response.status_code}")

    def missing_settings(self) -> list[str]:
        """The Hub's URLs and the service token."""
        names = ("JUPYTERHUB_URL", "JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN")
        return [name for name in names if not getattr(settings, name, "")]

    def describe(self) -> BackendInfo:
        """An interactive notebook server."""
        return BackendInfo(
            name=self.name,
            label="JupyterHub",
            interactive=True,
            details={"url": settings.JUPYTERHUB_URL},
        )
