"""Autograde submissions with nbgrader: the single seam grading goes through.

Today this calls nbgrader's autograde once per learner, in process. The parallel,
sandboxed engine replaces the body of :func:`autograde`; its callers do not change.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import chdir
from dataclasses import dataclass

from merit.grading.coursedir import BuiltCourse


@dataclass(frozen=True)
class Outcome:
    """What happened to one learner's submission."""

    student: str
    ok: bool
    seconds: float
    reason: str = ""


def _failure_reason(result: dict[str, object]) -> str:
    text = str(result.get("error") or result.get("log") or "").strip()
    return text.splitlines()[-1] if text else "autograde gagal tanpa pesan"


def autograde(
    built: BuiltCourse,
    assignment: str,
    students: Iterable[str],
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Autograde ``assignment`` for each student with nbgrader; results go to its gradebook.

    A failing submission is recorded with its reason and the batch goes on.
    """
    api = built.api()
    outcomes: list[Outcome] = []
    with chdir(built.root):
        for student in students:
            started = time.perf_counter()
            result = api.autograde(assignment, student, force=True, create=True)
            outcome = Outcome(
                student,
                bool(result["success"]),
                time.perf_counter() - started,
                "" if result["success"] else _failure_reason(result),
            )
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    return outcomes
