"""The reliability and measurement error of the evidence behind competency levels.

A computed level rests on one course's pooled evidence for one competency (see
merit.competency.levels). How far that pooled score can be trusted is a property of the
course's cells across the cohort: Cronbach's alpha (KR-20 for right/wrong cells) and the
standard error of measurement, SEM = SD · √(1 − alpha), computed here from the registry's
evidence (every learner who has a grade for every cell; cells that wait for a manual grade
are left out, as in ``merit analisis``) and stored per course and competency in
``evidence_reliability``, refreshed whenever the course's evidence is synced.

Two things follow for decisions (docs/competency-levels.md, bagian 5):

* a level whose evidence has a reliability below ``LevelRule.min_reliability`` (0.80, the
  Standards for Educational and Psychological Testing) or none at all is *provisional*;
* the level an employee would get one SEM above and below their share gives the range
  of their level, and so of their job-person match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, cast, literal, select
from sqlalchemy.orm import Session

from merit.analysis.statistics import scale_statistics
from merit.competency.levels import LevelRule
from merit.registry import models
from merit.registry.upsert import Change, assign_changed, create_row, zero_counts

MAX_LEARNERS = 20_000  # a larger cohort is sampled: see _scales


@dataclass(frozen=True)
class Precision:
    """The reliability of one course's evidence for one competency, as stored."""

    coefficient: str
    reliability: float | None
    sem: float | None  # points of ``max_score``
    max_score: float
    cells: int
    learners: int

    @property
    def sem_share(self) -> float | None:
        """The SEM as a share of the maximum, the scale the level rule reads."""
        return self.sem / self.max_score if self.sem is not None and self.max_score else None

    def provisional(self, threshold: float) -> bool:
        return self.reliability is None or self.reliability < threshold

    def text(self, threshold: float) -> str:
        if self.reliability is None:
            return f"reliabilitas tak terhitung ({self.cells} sel, N {self.learners}): sementara"
        sem = f"SEM {self.sem or 0:.2f}/{self.max_score:g} poin"
        shown = f"{self.coefficient} {self.reliability:.2f}, {sem}, N {self.learners}"
        if self.reliability < threshold:
            return f"{shown}: < {threshold:.2f}, sementara"
        return shown


def _scale(frame: pd.DataFrame) -> Precision | None:
    """The precision of one course's cells for one competency, from its evidence rows.

    The learner × cell matrix is filled by index: cells with any pending manual grade are
    dropped, then learners without a grade for every remaining cell.
    """
    rows_at, learners = pd.factorize(frame["employee"])
    cols_at, items = pd.factorize(frame["cell"])
    matrix = np.full((len(learners), len(items)), np.nan)
    matrix[rows_at, cols_at] = frame["score"].to_numpy(dtype=float)
    maximum = np.zeros(len(items))
    np.maximum.at(maximum, cols_at, frame["max"].to_numpy(dtype=float))
    waiting = np.zeros(len(items), dtype=bool)
    waiting[cols_at[frame["pending"].to_numpy(dtype=bool)]] = True
    matrix, maximum = matrix[:, ~waiting], maximum[~waiting]
    matrix = matrix[~np.isnan(matrix).any(axis=1)]
    if not len(matrix) or not matrix.shape[1]:
        return None
    stats = scale_statistics(matrix, list(maximum))
    return Precision("KR-20" if stats.kr20 else "alpha", stats.alpha, stats.sem, stats.max_score, stats.items, stats.n)


def _scales(session: Session, course_ids: list[str]) -> dict[tuple[str, str], Precision]:
    """Per course and competency, from at most ``MAX_LEARNERS`` learners of the course.

    A national cohort has millions of evidence rows; alpha from 20,000 learners has a
    standard error of about 0.003, so larger cohorts are sampled, reproducibly, by a
    multiplicative hash of the employee id (independent of registration order).
    """
    ev = models.Evidence
    result = {}
    connection = session.connection()
    for course_id in course_ids:
        spread = cast(ev.employee_id, BigInteger) * literal(2654435761, BigInteger) % literal(2**32, BigInteger)
        sample = (
            select(ev.employee_id, spread.label("spread"))
            .where(ev.course_id == course_id)
            .distinct()
            .order_by("spread")
            .limit(MAX_LEARNERS)
            .subquery()
        )
        statement = select(
            ev.competency_code,
            ev.employee_id,
            ev.assignment + "/" + ev.notebook + "/" + ev.cell,
            ev.score,
            ev.max_score,
            ev.needs_manual_grade,
        ).where(ev.course_id == course_id, ev.employee_id.in_(select(sample.c.employee_id)))
        rows = list(map(tuple, connection.execute(statement).all()))  # plain tuples: pandas probes Row objects slowly
        frame = pd.DataFrame(rows, columns=["code", "employee", "cell", "score", "max", "pending"])
        for code, part in frame.groupby("code", sort=True):
            precision = _scale(part)
            if precision is not None:
                result[(course_id, str(code))] = precision
    return result


def refresh_reliability(session: Session, course_ids: Iterable[str]) -> dict[Change, int]:
    """Recompute and store the precision of ``course_ids``' evidence; only changes are written (audited)."""
    ids = sorted(set(course_ids))
    counts = zero_counts()
    if not ids:
        return counts
    table = models.EvidenceReliability
    current = {
        (row.course_id, row.competency_code): row
        for row in session.scalars(select(table).where(table.course_id.in_(ids)))
    }
    for (course_id, code), precision in sorted(_scales(session, ids).items()):
        key = {"course_id": course_id, "competency_code": code}
        values = {
            "coefficient": precision.coefficient,
            "reliability": None if precision.reliability is None else round(precision.reliability, 6),
            "sem": None if precision.sem is None else round(precision.sem, 6),
            "max_score": precision.max_score,
            "cells": precision.cells,
            "learners": precision.learners,
        }
        row = current.get((course_id, code))
        if row is None:
            create_row(session, table, key, values)
            counts[Change.CREATED] += 1
        elif assign_changed(session, row, key, values):
            row.computed_at = models.utcnow()
            counts[Change.UPDATED] += 1
        else:
            counts[Change.UNCHANGED] += 1
    return counts


def stored_precisions(session: Session) -> dict[tuple[str, str], Precision]:
    """(course, competency) -> the stored precision of that evidence."""
    table = models.EvidenceReliability
    return {
        (row.course_id, row.competency_code): Precision(
            row.coefficient, row.reliability, row.sem, row.max_score, row.cells, row.learners
        )
        for row in session.scalars(select(table))
    }


def level_range(rule: LevelRule, level: int, share: float, sem_share: float) -> tuple[int, int]:
    """The levels the rule gives one SEM below and above ``share``, for a computed ``level``.

    The course's target level is recovered from the rule: ``level = target − below_target``
    of the first threshold ``share`` reaches (a stored computed level is at least 1).
    """
    below = next((t.below_target for t in rule.thresholds if share >= t.min_share), None)
    if below is None:
        return level, level
    target = level + below
    return rule.level_for(max(share - sem_share, 0.0), target), rule.level_for(min(share + sem_share, 1.0), target)
