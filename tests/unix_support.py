"""Other Unix users for the test hub: a Python environment they can start, and accounts removed after.

The session hub (tests/hub_support.py) runs each learner's server and each formgrader as its
own Unix user, as a real site does. Those users must be able to start the servers' Python:
this project's ``.venv`` runs an interpreter that may sit under a closed folder (pyenv's
under ``/root``, mode 0700). :func:`shared_environment` builds, from Debian's
``/usr/bin/python3.11``, a virtual environment other users can start, with the project's
installed packages: through a ``.pth`` file when the ``.venv``'s folders are open to others,
as hard-linked copies when the checkout lives under a closed folder (a CI clone's location
is unknown). A package whose release needs a newer Python than Debian's (3.11.2) is installed
again for it, as pip would have chosen in an environment made from that Python. Everything
here needs root, as the hub itself does.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterable
from importlib.metadata import distributions
from pathlib import Path

from packaging.specifiers import SpecifierSet

from merit.hub.accounts import closed_to_others, unix_user_exists

SYSTEM_PYTHON = Path("/usr/bin/python3.11")  # Debian's python3.11-minimal, with python3.11-venv
# The project's own packages: an editable install finds them in the checkout, not in site-packages.
PROJECT_PACKAGES = ("merit", "merit_widgets")


def require_root(why: str) -> None:
    if os.geteuid() != 0:
        raise RuntimeError(f"{why} needs root (creates Unix users and runs servers as them): run the tests as root")


def open_to_others(path: Path) -> bool:
    """Whether another Unix user can pass through every folder down to ``path`` (and ``path``)."""
    return closed_to_others(path) is None and bool(path.stat().st_mode & stat.S_IXOTH)


def site_packages(prefix: Path) -> Path:
    return prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def project_package_folders() -> list[Path]:
    folders = []
    for name in PROJECT_PACKAGES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, name
        folders.append(Path(next(iter(spec.submodule_search_locations))))
    return folders


def can_share(paths: Iterable[Path]) -> bool:
    """Link to the packages where they are (a ``.pth`` file) only if other users can reach them all."""
    return all(open_to_others(path) for path in paths)


def link_copy(source: Path, target: Path) -> None:
    """``source``'s content into ``target``: hard links (fast, no space), a copy across filesystems."""
    target.mkdir(parents=True, exist_ok=True)
    for command in (["cp", "-al"], ["cp", "-a"]):
        if subprocess.run([*command, f"{source}/.", str(target)], capture_output=True).returncode == 0:
            return
    raise RuntimeError(f"could not copy {source} into {target}")


def needing_newer_python(packages: Path, version: str) -> list[str]:
    """The distributions in ``packages`` whose ``Requires-Python`` excludes ``version``."""
    names = []
    for dist in distributions(path=[str(packages)]):
        required = dist.metadata.json.get("requires_python")
        if required and not SpecifierSet(str(required)).contains(version):
            names.append(dist.metadata["Name"])
    return sorted(names)


def reinstall_for(python: Path, packages: Path, target: Path) -> list[str]:
    """Install into ``target``, for ``python``'s version, the releases pip would choose there of
    the distributions in ``packages`` that need a newer Python (e.g. soupsieve 4.1 needs 3.11.5:
    its possessive quantifiers are broken before, gh-106052). ``target`` comes first on sys.path."""
    version = subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True
    ).stdout.strip()
    names = needing_newer_python(packages, version)
    for dist in distributions(path=[str(target)]):  # copies of them, in the copying case
        if dist.metadata["Name"] in names:
            for top in {Path(file).parts[0] for file in dist.files or []} - {".."}:
                if (target / top).is_dir():
                    shutil.rmtree(target / top)
                else:
                    (target / top).unlink(missing_ok=True)
    if names:
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--upgrade", "--only-binary=:all:"]
        subprocess.run([*pip, "--python-version", version, "--target", str(target), *names], check=True)
    return names


def shared_environment(folder: Path, venv: Path = Path(sys.prefix)) -> Path:
    """A virtual environment in ``folder`` (open to others) with ``venv``'s packages and
    Jupyter data; its ``bin``. Jupyter finds extensions, kernels and server configuration
    under ``sys.prefix``: ``share`` and ``etc`` come along with the packages."""
    if not SYSTEM_PYTHON.exists():
        raise RuntimeError(f"{SYSTEM_PYTHON} is missing: apt-get install python3.11-minimal python3.11-venv")
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(folder)], check=True)
    os.chmod(folder, 0o755)  # tempfile.mkdtemp makes it 0700
    if not open_to_others(folder):
        raise RuntimeError(f"{folder} is not reachable by other users: build the shared environment elsewhere")
    packages, target = site_packages(venv), site_packages(folder)
    projects = project_package_folders()
    if can_share([packages, venv / "share", venv / "etc", *projects]):
        (target / "merit-shared.pth").write_text(f"import site; site.addsitedir({str(packages)!r})\n")
        for name in ("share", "etc"):
            (folder / name).symlink_to(venv / name)
    else:
        link_copy(packages, target)
        for editable in target.glob("__editable__*"):  # they point into the closed checkout
            editable.unlink()
        for project in projects:
            if not project.is_relative_to(packages):
                link_copy(project, target / project.name)
        for name in ("share", "etc"):
            link_copy(venv / name, folder / name)
    reinstall_for(folder / "bin" / "python", packages, target)
    return folder / "bin"


def as_user(name: str, *command: str) -> subprocess.CompletedProcess[str]:
    """``command`` run as Unix user ``name`` (util-linux's runuser, as root)."""
    return subprocess.run(["runuser", "-u", name, "--", *command], capture_output=True, text=True, timeout=120)


def remove_accounts(names: Iterable[str], seconds: float = 60) -> None:
    """Remove Unix users and their homes. userdel refuses a user who still has processes (a
    server stopping, or the same account in use by another test run): retry, then say so."""
    pending = [name for name in names if unix_user_exists(name)]
    deadline = time.monotonic() + seconds
    while pending:
        failed = {}
        for name in pending:
            result = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
            if unix_user_exists(name):
                failed[name] = result.stderr.strip()
        if not failed:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"could not remove test Unix users: {failed}")
        pending = list(failed)
        time.sleep(1)
