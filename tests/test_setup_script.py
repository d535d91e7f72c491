"""scripts/setup on a machine whose python3 cannot create a venv (Debian 12 without
python3-venv): it installs python3-venv as root, and otherwise says in one line what to run.

apt-get, sudo, id and the interpreter are stand-ins on PATH here: the test cannot remove or
install Debian packages of the machine it runs on. The script itself is the real one, copied into
an empty project so that it never touches this checkout's .venv.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]

# An interpreter without ensurepip until "apt-get install python3-venv" has run; its venv
# command only says it was called.
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = "-c" ]; then [ -f "$STUBS/venv-installed" ]; exit $?; fi
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then echo "venv created"; exit 3; fi
exit 1
"""
FAKE_APT = """#!/bin/sh
echo "apt-get $*" >> "$STUBS/apt.log"
case "$*" in *"install"*python3-venv*) touch "$STUBS/venv-installed" ;; esac
"""


@pytest.fixture
def project(tmp_path):
    """An empty project holding a copy of scripts/setup, and a folder of stand-in commands."""
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(PROJECT / "scripts" / "setup", root / "scripts" / "setup")
    (root / "pyproject.toml").write_text("")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    return root, stubs


def stub(folder: Path, name: str, text: str) -> None:
    """Write an executable stand-in command ``name``."""
    path = folder / name
    path.write_text(text)
    path.chmod(0o755)


def run_setup(root: Path, stubs: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the copied scripts/setup with the stand-ins first on PATH."""
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "STUBS": str(stubs), "PYTHON": str(stubs / "py")}
    return subprocess.run(
        ["bash", str(root / "scripts" / "setup"), *args],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("args", [(), ("--system",)], ids=["plain", "system"])
def test_setup_installs_python3_venv_as_root(project, args):
    root, stubs = project
    stub(stubs, "py", FAKE_PYTHON)
    stub(stubs, "apt-get", FAKE_APT)
    stub(stubs, "id", "#!/bin/sh\necho 0\n")
    stub(stubs, "dpkg-query", '#!/bin/sh\necho "install ok installed"\n')
    result = run_setup(root, stubs, *args)
    assert "installing python3-venv" in result.stdout
    apt_calls = (stubs / "apt.log").read_text().splitlines()
    assert any("install" in call and "python3-venv" in call for call in apt_calls)
    assert "venv created" in result.stdout  # then it goes on to create the venv
    assert result.returncode == 3


def test_setup_without_root_prints_a_one_line_hint(project):
    root, stubs = project
    stub(stubs, "py", FAKE_PYTHON)
    stub(stubs, "apt-get", FAKE_APT)
    stub(stubs, "id", "#!/bin/sh\necho 1000\n")
    stub(stubs, "sudo", "#!/bin/sh\nexit 1\n")  # sudo would ask for a password
    result = run_setup(root, stubs)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"scripts/setup: {stubs / 'py'} cannot create a venv (no ensurepip); "
        "run: sudo apt-get install python3-venv"
    ]
    assert not (stubs / "apt.log").exists()
    assert not (root / ".venv").exists()


def test_setup_leaves_apt_alone_when_ensurepip_is_there(project):
    root, stubs = project
    stub(stubs, "py", FAKE_PYTHON)
    stub(stubs, "apt-get", FAKE_APT)
    (stubs / "venv-installed").touch()
    result = run_setup(root, stubs)
    assert "venv created" in result.stdout
    assert not (stubs / "apt.log").exists()
