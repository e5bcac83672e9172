"""Errors that reach end users.

Users of Merit (trainers, HR officers) read Indonesian, so every error raised for bad
input carries an Indonesian message that names *where* the problem is (file, row,
cell, field) and *why*. The CLI prints these messages without a traceback; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class MeritError(Exception):
    """An error caused by input or state that the user can fix; message in Indonesian."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class ProblemsFound(MeritError):
    """Several problems found at once, so the user can fix them all in one pass."""

    def __init__(self, summary: str, problems: Iterable[Problem]):
        self.summary = summary
        self.problems = list(problems)
        lines = [summary] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))
