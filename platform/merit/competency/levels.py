"""The rule that turns graded evidence into a competency level (1–5), in one place.

Rule (parameters in ``assessments/levels.yml``; explained in docs/competency-levels.md):

* A course can certify a competency up to the *target level* it declares for it in
  ``course.yml``; it can never certify more.
* For each employee, competency and course, the evidence is pooled: points earned over
  points possible on every graded cell tagged with that competency, so cells weigh by
  their points. Cells still waiting for a trainer's manual grade are left out of both
  sides, and evidence older than the validity period is left out entirely.
* The share maps to a level by the thresholds, e.g. ≥ 80 % → target, ≥ 60 % → target − 1,
  ≥ 40 % → target − 2, otherwise no level from that course.
* The held level is the highest any course yields; ties go to the higher share, then
  to the course id, so recomputation is deterministic for a given date.
* An assessor's override (with a reason) replaces the computed level until removed.

Each level row says where it came from, and ``level_evidence`` lists the evidence rows
that produced it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field, field_validator
from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.catalog.yamlfile import StrictModel, load_model
from merit.registry import models
from merit.registry.batches import batched
from merit.registry.upsert import Change, assign_changed, create_row, delete_row, zero_counts

CHUNK = 5_000


class Threshold(StrictModel):
    min_share: float = Field(gt=0, le=1)
    below_target: int = Field(ge=0, le=4)


class LevelRule(StrictModel):
    """Parameters of the evidence-to-level rule."""

    validity_years: int = Field(ge=1, le=20)
    thresholds: list[Threshold] = Field(min_length=1)
    # Below this reliability of its evidence a level is provisional (merit.competency.reliability).
    min_reliability: float = Field(0.80, gt=0, le=1)

    @field_validator("thresholds")
    @classmethod
    def _descending(cls, items: list[Threshold]) -> list[Threshold]:
        shares = [t.min_share for t in items]
        if shares != sorted(set(shares), reverse=True):
            raise ValueError("min_share harus urut menurun dan tidak boleh ganda")
        return items

    def level_for(self, share: float, target: int) -> int:
        """The level a course with ``target`` certifies for a pooled ``share`` (0–1)."""
        for threshold in self.thresholds:
            if share >= threshold.min_share:
                return max(target - threshold.below_target, 0)
        return 0

    def valid_since(self, as_of: dt.date) -> dt.datetime:
        """Evidence submitted before this moment has expired on ``as_of``."""
        year = as_of.year - self.validity_years
        day = min(as_of.day, 28) if as_of.month == 2 else as_of.day
        return dt.datetime(year, as_of.month, day)

    def text(self) -> str:
        steps = "; ".join(
            f"≥ {t.min_share:.0%} → " + ("level target kursus" if t.below_target == 0 else f"target−{t.below_target}")
            for t in self.thresholds
        )
        return (
            f"skor {steps}; di bawahnya tidak ada level; sel yang menunggu penilaian manual "
            f"tidak dihitung; bukti berlaku {self.validity_years} tahun"
        )


def load_level_rule(assessments_dir: Path) -> LevelRule:
    return load_model(LevelRule, assessments_dir / "levels.yml", assessments_dir.parent)


@dataclass(frozen=True)
class CourseYield:
    """What one course's pooled evidence certifies for one employee and competency."""

    course_id: str
    score: float
    max_score: float
    level: int
    evidence: tuple[int, ...] = ()

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

    counts: dict[Change, int] = field(default_factory=zero_counts)
    removed: int = 0
    employees: set[int] = field(default_factory=set)  # whose levels changed


def _desired_levels(
    session: Session, ids: Sequence[int], courses: Mapping[str, Course], rule: LevelRule, as_of: dt.date
) -> dict[tuple[int, str], tuple[dict[str, object], tuple[int, ...]]]:
    """(employee, competency) -> level row values and the evidence ids behind them."""
    since = rule.valid_since(as_of)
    ev = models.Evidence
    rows = session.execute(
        select(
            ev.id,
            ev.employee_id,
            ev.competency_code,
            ev.course_id,
            ev.score,
            ev.max_score,
            ev.submitted_at,
            ev.recorded_at,
        )
        .where(ev.employee_id.in_(ids), ev.needs_manual_grade.is_(False))
        .order_by(ev.id)
    )
    pooled: dict[tuple[int, str, str], list] = defaultdict(lambda: [0.0, 0.0, []])
    for evidence_id, employee_id, code, course_id, score, max_score, submitted, recorded in rows:
        if course_id not in courses or (submitted or recorded) < since:
            continue
        total = pooled[(employee_id, code, course_id)]
        total[0] += score
        total[1] += max_score
        total[2].append(evidence_id)
    options: dict[tuple[int, str], list[CourseYield]] = defaultdict(list)
    for (employee_id, code, course_id), (score, max_score, evidence) in pooled.items():
        share = score / max_score if max_score else 0.0
        level = rule.level_for(share, courses[course_id].target_level(code))
        options[(employee_id, code)].append(CourseYield(course_id, score, max_score, level, tuple(evidence)))

    desired = {}
    rule_text = rule.text()
    for key, candidates in options.items():
        best = best_yield(candidates)
        if best is not None:
            desired[key] = (
                {
                    "level": best.level,
                    "source": "evidence",
                    "course_id": best.course_id,
                    "score": best.score,
                    "max_score": best.max_score,
                    "rule": rule_text,
                },
                best.evidence,
            )
    overrides = session.scalars(select(models.LevelOverride).where(models.LevelOverride.employee_id.in_(ids)))
    for override in overrides:
        desired[(override.employee_id, override.competency_code)] = (
            {
                "level": override.level,
                "source": "override",
                "course_id": None,
                "score": None,
                "max_score": None,
                "rule": f"keputusan asesor {override.assessor}: {override.reason}",
            },
            (),
        )
    return desired


def recompute_levels(
    session: Session,
    courses: Mapping[str, Course],
    rule: LevelRule,
    as_of: dt.date,
    employees: Iterable[int] | None = None,
) -> LevelReport:
    """Recompute the levels of ``employees`` (all when None); only changes are written."""
    ids = (
        sorted(set(employees))
        if employees is not None
        else list(session.scalars(select(models.Employee.id).order_by(models.Employee.id)))
    )
    report = LevelReport()
    for part in batched(ids, CHUNK):
        desired = _desired_levels(session, part, courses, rule, as_of)
        current = {
            (row.employee_id, row.competency_code): row
            for row in session.scalars(
                select(models.CompetencyLevel).where(models.CompetencyLevel.employee_id.in_(part))
            )
        }
        for (employee_id, code), (values, _) in sorted(desired.items()):
            key = {"employee_id": employee_id, "competency_code": code}
            row = current.get((employee_id, code))
            if row is None:
                create_row(session, models.CompetencyLevel, key, values)
                change = Change.CREATED
            elif assign_changed(session, row, key, values):
                row.computed_at = models.utcnow()
                change = Change.UPDATED
            else:
                change = Change.UNCHANGED
            report.counts[change] += 1
            if change is not Change.UNCHANGED:
                report.employees.add(employee_id)
        for (employee_id, code), row in sorted(current.items()):
            if (employee_id, code) not in desired:
                delete_row(session, row, {"employee_id": employee_id, "competency_code": code})
                report.removed += 1
                report.employees.add(employee_id)
        _write_links(session, part, desired)
    return report


def _write_links(
    session: Session, ids: Sequence[int], desired: dict[tuple[int, str], tuple[dict[str, object], tuple[int, ...]]]
) -> None:
    """Make ``level_evidence`` list exactly the evidence behind each current level."""
    link = models.LevelEvidence
    want = {(e, c, evidence) for (e, c), (_, ids_) in desired.items() for evidence in ids_}
    have = {
        (e, c, i)
        for e, c, i in session.execute(
            select(link.employee_id, link.competency_code, link.evidence_id).where(link.employee_id.in_(ids))
        )
    }
    for stale in batched(sorted(have - want), CHUNK):
        session.execute(delete(link).where(tuple_(link.employee_id, link.competency_code, link.evidence_id).in_(stale)))
    new = sorted(want - have)
    if new:
        session.execute(insert(link), [{"employee_id": e, "competency_code": c, "evidence_id": i} for e, c, i in new])
