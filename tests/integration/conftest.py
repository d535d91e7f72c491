"""Connection details of the real test servers, from the environment.

Start them with ``eval "$(scripts/servers start)"`` (or one of them, e.g.
``eval "$(scripts/redis start)"``); ``. .cache/servers.env`` reloads the exports later. A test whose
server's variables are unset is skipped, except under CI=true, where it fails.
"""

import os
from dataclasses import dataclass

import pytest

from tests.conftest import require


def _env(*names: str, script: str) -> list[str]:
    missing = [name for name in names if not os.environ.get(name)]
    require(
        not missing,
        f"{', '.join(missing)} not set: start the server with eval \"$(scripts/{script} start)\"",
    )
    return [os.environ[name] for name in names]


@dataclass(frozen=True)
class JupyterHubServer:
    url: str
    api_url: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}


@dataclass(frozen=True)
class SlurmServer:
    url: str
    user: str
    token: str
    conf: str | None

    @property
    def headers(self) -> dict[str, str]:
        return {"X-SLURM-USER-NAME": self.user, "X-SLURM-USER-TOKEN": self.token}


@pytest.fixture
def elasticsearch_urls() -> list[str]:
    """ELASTICSEARCH_URL split on commas (one URL per node)."""
    (value,) = _env("ELASTICSEARCH_URL", script="elasticsearch")
    return [url.strip() for url in value.split(",") if url.strip()]


@pytest.fixture
def redis_url() -> str:
    (value,) = _env("REDIS_URL", script="redis")
    return value


@pytest.fixture
def database_url() -> str:
    """POSTGRES_URL: the PostgreSQL server of scripts/postgres (role with CREATEDB)."""
    (value,) = _env("POSTGRES_URL", script="postgres")
    require(value.startswith(("postgres://", "postgresql://")), "POSTGRES_URL is not PostgreSQL")
    return value


@pytest.fixture
def jupyterhub() -> JupyterHubServer:
    url, api_url, token = _env(
        "JUPYTERHUB_URL", "JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN", script="jupyterhub"
    )
    return JupyterHubServer(url=url.rstrip("/"), api_url=api_url.rstrip("/"), token=token)


@pytest.fixture
def slurm() -> SlurmServer:
    url, user, token = _env("SLURMRESTD_URL", "SLURM_JWT_USER", "SLURM_JWT_TOKEN", script="slurm")
    return SlurmServer(
        url=url.rstrip("/"), user=user, token=token, conf=os.environ.get("SLURM_CONF")
    )
