"""Private real servers for fault tests: started on free loopback ports, stopped by pid.

The shared servers of scripts/servers serve other tests at the same time, so the fault tests
stop and start servers of their own instead of those.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import require


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_port(port: int, timeout: float = 30) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on port {port} after {timeout}s") from None
            time.sleep(0.1)


class PrivateRedis:
    """A redis-server without persistence on a free port."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The redis:// URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        """Start (or restart) the server on the same port."""
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_port(self.port)
        return self

    def stop(self) -> None:
        """Stop the server by its pid."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (trust auth on loopback) in a temporary folder."""

    def __init__(self, folder: Path):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        require(bool(bins) and shutil.which("runuser") is not None, "PostgreSQL is not installed")
        self.bin = Path(bins[-1]).parent
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()

    @property
    def url(self) -> str:
        """The postgres:// URL of the database ``registry``."""
        return f"postgres://postgres@127.0.0.1:{self.port}/registry"

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                       capture_output=True, cwd=self.folder)  # fmt: skip

    def init(self) -> "PrivatePostgres":
        """initdb, start, create the database."""
        self.folder.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.folder, "postgres", "postgres")
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                          "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        self.start()
        self._as_postgres(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                          "-U", "postgres", "registry")  # fmt: skip
        return self

    def start(self) -> None:
        """Start the cluster and wait until it accepts connections."""
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30",
                          "-l", str(self.folder / "log"), "-o",
                          f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}",
                          "start")  # fmt: skip

    def stop(self) -> None:
        """Stop the cluster (fast shutdown: open connections are cut)."""
        pidfile = self.data / "postmaster.pid"
        if pidfile.exists():
            self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                              "-w", "stop")  # fmt: skip


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM the process group started with ``start_new_session``, then wait."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    """A private Redis, stopped at the end."""
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = PrivateRedis(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def private_postgres():
    """A private PostgreSQL cluster, stopped and removed at the end (outside pytest's tmp_path,
    which the postgres user cannot enter)."""
    folder = Path(tempfile.mkdtemp(prefix="registry-pg-"))
    folder.chmod(0o755)
    server = PrivatePostgres(folder / "pg")
    try:
        yield server.init()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
