"""Unix accounts for learners' servers: created from the roster, checked before use."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from merit.demo.roster import synthetic_roster
from merit.errors import MeritError
from merit.hub.accounts import check_interpreter_shared, closed_to_others, ensure_unix_user, give_to, unix_user_exists


def test_account_named_by_nip_is_created_once_and_owns_its_course_folder(tmp_path):
    name = synthetic_roster(1, seed=19)[0].nip
    assert not unix_user_exists(name)
    try:
        assert ensure_unix_user(name) is True
        assert ensure_unix_user(name) is False  # a second sync changes nothing
        entry = pwd.getpwnam(name)
        assert Path(entry.pw_dir).is_dir() and os.stat(entry.pw_dir).st_uid == entry.pw_uid
        assert stat.S_IMODE(os.stat(entry.pw_dir).st_mode) == 0o700  # closed to other learners
        folder = tmp_path / "kursus"
        (folder / "submitted").mkdir(parents=True)
        (folder / "gradebook.db").write_text("")
        give_to(folder, name)
        assert {p.stat().st_uid for p in [folder, *folder.rglob("*")]} == {entry.pw_uid}
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    finally:
        subprocess.run(["userdel", "--remove", name], capture_output=True)
    assert not unix_user_exists(name)


def test_an_interpreter_other_users_cannot_start_is_refused_with_the_folder():
    base = Path(tempfile.mkdtemp())  # not pytest's tmp_path: its base folder is closed to others
    try:
        os.chmod(base, 0o755)
        closed = base / "rumah"
        (closed / "bin").mkdir(parents=True)
        python = closed / "bin" / "python"
        python.write_text("")
        os.chmod(closed, 0o700)
        assert closed_to_others(python) == closed
        with pytest.raises(MeritError, match=f"folder {closed} tertutup"):
            check_interpreter_shared(python)
        os.chmod(closed, 0o711)
        assert closed_to_others(python) is None
        check_interpreter_shared(python)
    finally:
        shutil.rmtree(base)
