"""The rule that turns graded evidence into a competency level (1–5).

Rule (documented in docs/competency-levels.md and printed with results):

* A course can certify a competency up to the *target level* it declares for it in
  ``course.yml``; it can never certify more.
* For each employee, competency and course, the evidence is pooled: the share of points
  earned over all graded cells tagged with that competency. Cells still waiting for a
  trainer's manual grade are left out of both sides, so a pending essay neither helps
  nor hurts.
* share ≥ 80 % → target level; ≥ 60 % → target − 1; ≥ 40 % → target − 2; otherwise the
  course yields no level (never below 1; no level means 0 in a job-person match).
* The held level is the highest any course yields; ties go to the higher share, then to
  the course id in alphabetical order, so recomputation is deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.registry import models
from merit.registry.upsert import Change, upsert

# (minimum share of points, levels below the course target)
THRESHOLDS: tuple[tuple[float, int], ...] = ((0.80, 0), (0.60, 1), (0.40, 2))
RULE_TEXT = (
    "skor ≥ 80% → level target kursus; ≥ 60% → target−1; ≥ 40% → target−2; "
    "di bawahnya tidak ada level; sel yang menunggu penilaian manual tidak dihitung"
)


def level_for(share: float, target: int) -> int:
    """The level a course with ``target`` certifies for a pooled ``share`` (0–1) of points."""
    for minimum, below in THRESHOLDS:
        if share >= minimum:
            return max(target - below, 0)
    return 0


@dataclass(frozen=True)
class CourseYield:
    course_id: str
    score: float
    max_score: float
    level: int

    @property
    def share(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0


def best_yield(candidates: list[CourseYield]) -> CourseYield | None:
    """The highest level; ties by share, then by course id (earliest alphabetically)."""
    usable = [c for c in candidates if c.level > 0]
    if not usable:
        return None
    return sorted(usable, key=lambda c: (-c.level, -c.share, c.course_id))[0]


@dataclass
class LevelReport:
    """How many level rows a recomputation created, changed, left alone or removed."""

    counts: dict[Change, int] = field(default_factory=lambda: {c: 0 for c in Change})
    removed: int = 0


def recompute_levels(session: Session, courses: Mapping[str, Course]) -> LevelReport:
    """Recompute every employee's levels from evidence; only changed rows are written."""
    pooled: dict[tuple[int, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    rows = session.execute(
        select(
            models.Evidence.employee_id,
            models.Evidence.competency_code,
            models.Evidence.course_id,
            models.Evidence.score,
            models.Evidence.max_score,
        ).where(models.Evidence.needs_manual_grade.is_(False))
    )
    for employee_id, code, course_id, score, max_score in rows:
        if course_id not in courses:
            continue
        total = pooled[(employee_id, code, course_id)]
        total[0] += score
        total[1] += max_score

    candidates: dict[tuple[int, str], list[CourseYield]] = defaultdict(list)
    for (employee_id, code, course_id), (score, max_score) in pooled.items():
        target = courses[course_id].target_level(code)
        share = score / max_score if max_score else 0.0
        candidates[(employee_id, code)].append(
            CourseYield(course_id, score, max_score, level_for(share, target))
        )

    report = LevelReport()
    kept: set[tuple[int, str]] = set()
    for (employee_id, code), options in sorted(candidates.items()):
        best = best_yield(options)
        if best is None:
            continue
        kept.add((employee_id, code))
        row, change = upsert(
            session,
            models.CompetencyLevel,
            {"employee_id": employee_id, "competency_code": code},
            {
                "level": best.level,
                "course_id": best.course_id,
                "score": best.score,
                "max_score": best.max_score,
                "rule": RULE_TEXT,
            },
        )
        if change is Change.UPDATED:
            row.computed_at = models.utcnow()
        report.counts[change] += 1

    stale = [
        key
        for key in session.execute(
            select(models.CompetencyLevel.employee_id, models.CompetencyLevel.competency_code)
        )
        if tuple(key) not in kept
    ]
    for employee_id, code in stale:
        session.execute(
            delete(models.CompetencyLevel).where(
                models.CompetencyLevel.employee_id == employee_id,
                models.CompetencyLevel.competency_code == code,
            )
        )
    report.removed = len(stale)
    return report
