"""Where Merit finds its content and keeps its data.

Content (``courses/``, ``assessments/``) lives in the project checkout; generated state
(nbgrader course directories, the SQLite registry) lives in a data directory that can be
deleted at any time and rebuilt. Every location can be overridden by an environment
variable (``MERIT_ROOT``, ``MERIT_DATA_DIR``, ``MERIT_DATABASE_URL``) so that tests and
deployments never touch a developer's demo data.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from merit.errors import MeritError


def _looks_like_root(path: Path) -> bool:
    return (path / "courses").is_dir() and (path / "assessments").is_dir()


def find_project_root(start: Path | None = None) -> Path:
    """Find the folder holding ``courses/`` and ``assessments/``.

    Looks at the working directory and its parents first (a trainer working in a copy of
    the content), then at the checkout this package was installed from (editable install).
    """
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _looks_like_root(candidate):
            return candidate
    checkout = Path(__file__).resolve().parents[2]
    if _looks_like_root(checkout):
        return checkout
    raise MeritError(
        "Folder proyek Merit (berisi courses/ dan assessments/) tidak ditemukan dari "
        f"{here}. Jalankan perintah dari dalam folder proyek atau atur MERIT_ROOT."
    )


class Settings(BaseSettings):
    """Locations used by every command; read from ``MERIT_*`` environment variables.

    Each unset location derives from the one before it: the data directory from the
    project root, the registry's URL from the data directory.
    """

    model_config = SettingsConfigDict(env_prefix="MERIT_", validate_default=True)

    root: Path = Field(default_factory=find_project_root)
    data_dir: Path = Field(default_factory=lambda fields: fields["root"] / "var")
    database_url: str = Field(default_factory=lambda fields: f"sqlite:///{fields['data_dir'] / 'registry.sqlite'}")

    @field_validator("root", "data_dir")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        return path.resolve()

    @property
    def courses_dir(self) -> Path:
        return self.root / "courses"

    @property
    def assessments_dir(self) -> Path:
        return self.root / "assessments"

    def audit_key(self) -> bytes:
        """The secret that keys the audit trail's hash chain.

        ``MERIT_AUDIT_KEY`` wins; otherwise a random key is created once in
        ``<data dir>/audit.key`` (mode 0600). In production keep the key away from the
        database host's backups, for example in the deployment's secret store.
        """
        from_env = os.environ.get("MERIT_AUDIT_KEY")
        if from_env:
            return from_env.encode()
        path = self.data_dir / "audit.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return path.read_text().strip().encode()

    @property
    def workspace_dir(self) -> Path:
        """Where nbgrader course directories are built, one per course."""
        return self.data_dir / "nbgrader"
