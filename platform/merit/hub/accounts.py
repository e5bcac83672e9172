"""Unix accounts for learners' servers and for each course's formgrader.

On a single server each learner's JupyterLab runs as that learner's own Unix user
(JupyterHub's LocalProcessSpawner), so one learner's files are closed to another by the
operating system. Accounts are created from the registry's class lists, never deleted
here: removing someone from a course removes their access through the hub's groups and
the exchange, while their files stay for the retention period the site decides.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from merit.errors import MeritError


def unix_user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def ensure_unix_user(name: str) -> bool:
    """Create Unix account ``name`` with a home folder (locked password) unless it exists."""
    if unix_user_exists(name):
        return False
    if os.geteuid() != 0:
        raise MeritError(f"Akun Unix {name} belum ada dan hanya root yang dapat membuatnya (jalankan sebagai root).")
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    result = subprocess.run([useradd, "--create-home", "--shell", "/bin/bash", name], capture_output=True, text=True)
    if result.returncode != 0:
        raise MeritError(f"Akun Unix {name} gagal dibuat: {result.stderr.strip()}")
    # useradd makes the home from UMASK (0755 on Debian 12) unless login.defs sets HOME_MODE:
    # close it, or every learner could read every other learner's answers.
    os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
    return True


def closed_to_others(path: Path) -> Path | None:
    """The first folder above ``path`` that other users cannot pass through, if any.

    Learners' servers run the hub's Python as their own Unix users; an interpreter under
    ``/root`` (pyenv's default), or an environment there linking to a shared one, cannot be
    started by them.
    """
    for chain in (Path(os.path.abspath(path)), path.resolve()):
        for folder in reversed(chain.parents):
            if not folder.stat().st_mode & stat.S_IXOTH:
                return folder
    return None


def check_interpreter_shared(executable: Path) -> None:
    """Refuse to set up Unix accounts that could not start their servers."""
    closed = closed_to_others(executable)
    if closed is not None:
        raise MeritError(
            f"Python {executable} tidak dapat dijalankan pengguna lain: folder {closed} tertutup. "
            "Pasang lingkungan Merit di lokasi bersama (mis. /opt/merit), atau untuk demo jalankan semua "
            "server sebagai pengguna hub dengan MERIT_HUB_UNIX_USERS=false."
        )


def give_to(folder: Path, name: str) -> None:
    """Make ``name`` the owner of ``folder`` and everything in it, closed to other users."""
    entry = pwd.getpwnam(name)
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    os.chmod(folder, 0o700)
