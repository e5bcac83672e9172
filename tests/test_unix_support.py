"""The environment the test hub's learners' servers run from, as other Unix users start it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unix_support import as_user, can_share, require_root, shared_environment, site_packages

OTHER = "nobody"  # any user but root


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder other users can reach (pytest's tmp_path is under a closed base folder)."""
    require_root("tests/test_unix_support.py")
    base = Path(tempfile.mkdtemp(prefix="merit-unix-"))
    os.chmod(base, 0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base)


def test_the_projects_packages_import_as_another_user(shared_tmp):
    bin_dir = shared_environment(shared_tmp / "env")
    imports = "import merit, merit_widgets, nbgrader, jupyterhub, ipykernel"
    result = as_user(OTHER, str(bin_dir / "python"), "-c", imports)
    assert result.returncode == 0, result.stderr
    # nbconvert's HTML export (formgrader's submission page) selects with soupsieve's patterns.
    html = "from bs4 import BeautifulSoup; print(BeautifulSoup('<img>', 'html.parser').select('img:not([alt])'))"
    result = as_user(OTHER, str(bin_dir / "python"), "-c", html)
    assert result.returncode == 0 and result.stdout == "[<img/>]\n", result.stderr
    result = as_user(OTHER, str(bin_dir / "python"), "-m", "jupyterhub.singleuser", "--version")
    assert result.returncode == 0 and result.stdout.strip(), result.stderr


@pytest.mark.parametrize("closed", [False, True])
def test_packages_behind_a_closed_folder_are_copied_not_linked(shared_tmp, closed):
    """A checkout under /root (mode 0700) cannot be linked to: its packages are copied."""
    holder = shared_tmp / "rumah"
    venv = holder / "venv"
    package = site_packages(venv) / "paket_uji"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("NILAI = 19\n")
    for data in ("share/jupyter/kernels", "etc/jupyter/jupyter_server_config.d"):
        (venv / data).mkdir(parents=True)
    # A release for a newer Python than Debian's: replaced by one pip chooses for 3.11.2.
    (package.parent / "soupsieve").mkdir()
    (package.parent / "soupsieve" / "__init__.py").write_text("__version__ = '99.0'\n")
    info = package.parent / "soupsieve-99.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: soupsieve\nVersion: 99.0\nRequires-Python: >=3.11.5\n")
    (info / "RECORD").write_text("soupsieve/__init__.py,,\nsoupsieve-99.0.dist-info/METADATA,,\n")
    os.chmod(holder, 0o700 if closed else 0o755)
    assert can_share([site_packages(venv), venv / "share"]) is not closed
    bin_dir = shared_environment(shared_tmp / "env", venv)
    assert (shared_tmp / "env" / "share").is_symlink() is not closed
    assert (site_packages(shared_tmp / "env") / "paket_uji").is_dir() is closed
    code = "import paket_uji, importlib.metadata as m; print(paket_uji.NILAI, m.version('soupsieve') != '99.0')"
    result = as_user(OTHER, str(bin_dir / "python"), "-c", code)
    assert result.returncode == 0 and result.stdout == "19 True\n", result.stderr
    assert not (site_packages(shared_tmp / "env") / "soupsieve-99.0.dist-info").exists()
    check = as_user(OTHER, "ls", str(shared_tmp / "env" / "etc" / "jupyter"))
    assert check.returncode == 0 and "jupyter_server_config.d" in check.stdout, check.stderr
