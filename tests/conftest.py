"""Shared fixtures: the project's real content, and an isolated data directory per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from merit.catalog import Framework, load_framework
from merit.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework(ROOT / "assessments")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at the real content and a fresh data directory."""
    monkeypatch.setenv("MERIT_ROOT", str(ROOT))
    monkeypatch.setenv("MERIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MERIT_DATABASE_URL", raising=False)
    monkeypatch.setenv("NBFORMAT_VALIDATOR", "fastjsonschema")
    return Settings()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of courses/ and assessments/, for tests that break content."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "courses", copy / "courses")
    shutil.copytree(ROOT / "assessments", copy / "assessments")
    return copy
