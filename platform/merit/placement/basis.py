"""Why a candidate holds each level: the evidence (course, assignment, date, score) or the assessor.

A ranking prints this next to every level so that a published result can be checked;
``level_evidence`` links each computed level to the evidence rows behind it. Evidence
older than the level rule's validity on the ranking date is flagged: the level was
computed before it expired and has to be recomputed before it is relied on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from merit.competency.levels import LevelRule
from merit.competency.reliability import Precision, stored_precisions
from merit.registry import models
from merit.registry.batches import batched

CHUNK = 5_000


@dataclass(frozen=True)
class EvidenceLine:
    """The graded cells of one course assignment behind one level, pooled."""

    course_id: str
    assignment: str
    submitted: dt.datetime  # the latest submission of these cells
    score: float
    max_score: float
    cells: int
    expired: bool  # some of these cells are older than the validity period on the ranking date

    def text(self) -> str:
        flag = " (KEDALUWARSA)" if self.expired else ""
        return (
            f"{self.course_id}/{self.assignment} {self.submitted:%d-%m-%Y} skor {self.score:g}/{self.max_score:g}{flag}"
        )


@dataclass(frozen=True)
class LevelBasis:
    """What a level rests on: evidence lines, or an assessor's decision."""

    source: str  # "evidence" or "override"
    evidence: tuple[EvidenceLine, ...] = ()
    assessor: str | None = None
    reason: str | None = None
    decided: dt.datetime | None = None
    share: float | None = None  # the pooled score ÷ maximum the computed level came from
    precision: Precision | None = None  # the reliability and SEM of that evidence, when known

    @property
    def expired(self) -> bool:
        return any(line.expired for line in self.evidence)

    def reference(self) -> str:
        """Where the level comes from without scores or reasons, for published reports."""
        if self.source == "override":
            return f"keputusan asesor {self.decided:%d-%m-%Y}"
        return "; ".join(f"{line.course_id}/{line.assignment} {line.submitted:%d-%m-%Y}" for line in self.evidence)

    def text(self) -> str:
        if self.source == "override":
            return f"keputusan asesor {self.assessor}, {self.decided:%d-%m-%Y}: {self.reason}"
        return "; ".join(line.text() for line in self.evidence) or "bukti tidak ditemukan"


def level_bases(
    session: Session, employee_ids: Sequence[int], level_rule: LevelRule | None, as_of: dt.date
) -> dict[int, dict[str, LevelBasis]]:
    """employee id -> competency code -> basis, for the current levels of ``employee_ids``."""
    since = level_rule.valid_since(as_of) if level_rule is not None else None
    ev, link = models.Evidence, models.LevelEvidence
    when = func.coalesce(ev.submitted_at, ev.recorded_at)
    lines: dict[tuple[int, str], list[EvidenceLine]] = defaultdict(list)
    overrides: dict[tuple[int, str], models.LevelOverride] = {}
    sources: dict[tuple[int, str], tuple[str, str | None, float | None]] = {}
    for part in batched(list(employee_ids), CHUNK):
        rows = session.execute(
            select(
                link.employee_id,
                link.competency_code,
                ev.course_id,
                ev.assignment,
                func.max(when),
                func.min(when),
                func.sum(ev.score),
                func.sum(ev.max_score),
                func.count(),
            )
            .join(ev, ev.id == link.evidence_id)
            .where(link.employee_id.in_(part))
            .group_by(link.employee_id, link.competency_code, ev.course_id, ev.assignment)
            .order_by(link.employee_id, link.competency_code, ev.course_id, ev.assignment)
        )
        for employee_id, code, course_id, assignment, latest, earliest, score, max_score, cells in rows:
            expired = since is not None and earliest < since
            lines[(employee_id, code)].append(
                EvidenceLine(course_id, assignment, latest, score, max_score, cells, expired)
            )
        for row in session.scalars(select(models.LevelOverride).where(models.LevelOverride.employee_id.in_(part))):
            overrides[(row.employee_id, row.competency_code)] = row
        level = models.CompetencyLevel
        for employee_id, code, source, level_course, level_score, level_max in session.execute(
            select(
                level.employee_id, level.competency_code, level.source, level.course_id, level.score, level.max_score
            ).where(level.employee_id.in_(part))
        ):
            share = level_score / level_max if level_score is not None and level_max else None
            sources[(employee_id, code)] = (source, level_course, share)
    precisions = stored_precisions(session) if sources else {}
    bases: dict[int, dict[str, LevelBasis]] = defaultdict(dict)
    for (employee_id, code), (source, level_course, share) in sources.items():
        override = overrides.get((employee_id, code))
        if source == "override" and override is not None:
            bases[employee_id][code] = LevelBasis(source, (), override.assessor, override.reason, override.decided_at)
        else:
            bases[employee_id][code] = LevelBasis(
                source,
                tuple(lines.get((employee_id, code), ())),
                share=share,
                precision=precisions.get((level_course, code)) if level_course else None,
            )
    return dict(bases)
