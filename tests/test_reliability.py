"""Measurement error reaches decisions: stored reliability, provisional levels, ranks within error."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from rich.console import Console
from sqlalchemy import func, insert, select

from merit.analysis.statistics import scale_statistics
from merit.catalog import load_course
from merit.cli.placement_views import render_ranking
from merit.competency.levels import LevelRule, load_level_rule
from merit.competency.reliability import level_range, refresh_reliability, stored_precisions
from merit.demo.roster import synthetic_roster
from merit.people.roster import register_roster
from merit.pipeline import after_evidence_change
from merit.placement.eligibility import Criteria
from merit.placement.precision import MatchPrecision, close_to_next
from merit.placement.ranking import rank_position
from merit.placement.rules import load_jpm_rule
from merit.registry import models

CODE = "pengambilan_keputusan"  # nine cells in tata-kelola; kasubbag-kepegawaian requires level 2
SUBMITTED = dt.datetime(2026, 10, 1, 9, 0)
AS_OF = dt.date(2026, 11, 23)


def test_level_range_moves_the_share_one_sem_each_way():
    rule = LevelRule(
        validity_years=3,
        thresholds=[
            {"min_share": 0.8, "below_target": 0},
            {"min_share": 0.6, "below_target": 1},
            {"min_share": 0.4, "below_target": 2},
        ],
    )
    assert rule.min_reliability == 0.8  # the Standards' default when levels.yml says nothing
    assert level_range(rule, 3, 0.82, 0.05) == (2, 3)  # target 3: one SEM down crosses 80 %
    assert level_range(rule, 3, 0.95, 0.05) == (3, 3)
    assert level_range(rule, 2, 0.78, 0.05) == (2, 3)  # target 3 recovered from the 60 % band
    assert level_range(rule, 1, 0.45, 0.16) == (0, 2)  # below 40 % there is no level


def test_close_to_next_needs_overlapping_ranges_and_some_error():
    exact_tie = MatchPrecision(50.0, 50.0, ())
    assert close_to_next([exact_tie, exact_tie]) == (False, False)  # a tie without error: the tie-break decides
    assert close_to_next([MatchPrecision(45.0, 55.0, ()), MatchPrecision(40.0, 50.0, ())]) == (True, False)
    assert close_to_next([MatchPrecision(51.0, 60.0, ()), MatchPrecision(40.0, 50.0, ())]) == (False, False)
    assert close_to_next([MatchPrecision(50.0, 50.0, ()), None]) == (False, False)
    assert close_to_next([]) == ()


def _cohort(course, seed: int = 3) -> tuple[np.ndarray, list]:
    """Right/wrong scores on the competency's cells for 24 learners of varied ability."""
    cells = [c for c in course.cells if c.competency == CODE]
    rng = np.random.default_rng(seed)
    ability = rng.standard_normal(24)
    knows = rng.random((24, len(cells))) < 1 / (1 + np.exp(-1.7 * ability[:, None]))
    return knows * np.array([c.points for c in cells]), cells


def _evidence(employee_id: int, course, cells, scores) -> list[dict]:
    return [
        {
            "employee_id": employee_id,
            "competency_code": CODE,
            "course_id": course.id,
            "assignment": cell.module,
            "notebook": cell.notebook,
            "cell": cell.grade_id,
            "nbgrader_grade_id": f"g{employee_id}-{cell.grade_id}",
            "score": float(score),
            "max_score": cell.points,
            "needs_manual_grade": False,
            "submitted_at": SUBMITTED,
            "recorded_at": SUBMITTED,
        }
        for cell, score in zip(cells, scores, strict=True)
    ]


@pytest.fixture
def cohort_registry(registry, root, framework):
    """24 learners with right/wrong evidence, and three chosen shares: 0.82, 0.78, 0.20."""
    course = load_course(root / "courses" / "tata-kelola", framework)
    scores, cells = _cohort(course)
    tops = np.array([c.points for c in cells])
    chosen = np.array([tops * 0.82, tops * 0.78, tops * 0.20])
    people = synthetic_roster(len(scores) + len(chosen), 21)
    with registry.session("pytest", "bukti kohort uji reliabilitas") as session:
        ids = sorted(register_roster(session, people).employees)
        rows = [row for i, s in zip(ids, [*scores, *chosen], strict=True) for row in _evidence(i, course, cells, s)]
        session.execute(insert(models.Evidence), rows)
        after_evidence_change(session, {course.id: course}, load_level_rule(root / "assessments"), AS_OF, None)
    return course, np.vstack([scores, chosen]), tops, people


def test_reliability_is_stored_per_course_and_competency_and_refreshed_only_when_it_changes(cohort_registry, registry):
    course, matrix, tops, _ = cohort_registry
    expected = scale_statistics(matrix, list(tops))
    with registry.session() as session:
        stored = stored_precisions(session)[(course.id, CODE)]
    assert (stored.learners, stored.cells, stored.max_score) == (27, 9, tops.sum())
    assert stored.reliability == pytest.approx(expected.alpha, abs=1e-6)
    assert stored.sem == pytest.approx(expected.sem, abs=1e-6)
    assert stored.coefficient == "alpha"  # the three chosen learners have partial credit
    with registry.session("pytest", "segarkan lagi") as session:
        before = session.scalar(select(func.count()).select_from(models.AuditEntry))
        counts = refresh_reliability(session, [course.id])
        after = session.scalar(select(func.count()).select_from(models.AuditEntry))
    assert counts["created"] == counts["updated"] == 0 and after == before
    with registry.session() as session:
        logged = session.scalars(
            select(models.AuditEntry.entity_key).where(models.AuditEntry.entity == "evidence_reliability")
        ).all()
    assert f"{course.id}/{CODE}" in logged


def test_a_pending_manual_grade_leaves_its_cell_out(cohort_registry, registry):
    course, matrix, tops, _ = cohort_registry
    with registry.session("pytest", "satu sel menunggu penilaian manual") as session:
        first = session.scalars(select(models.Evidence).order_by(models.Evidence.id).limit(1)).one()
        first.needs_manual_grade = True
        cell = first.cell
        refresh_reliability(session, [course.id])
    kept = [j for j, c in enumerate(c for c in course.cells if c.competency == CODE) if c.grade_id != cell]
    expected = scale_statistics(matrix[:, kept], list(tops[kept]))
    with registry.session() as session:
        stored = stored_precisions(session)[(course.id, CODE)]
    assert stored.cells == 8 and stored.reliability == pytest.approx(expected.alpha, abs=1e-6)


def test_ranking_marks_differences_within_measurement_error_and_provisional_levels(cohort_registry, registry, root):
    course, matrix, tops, people = cohort_registry
    level_rule = load_level_rule(root / "assessments")
    rule = load_jpm_rule(root / "assessments")
    criteria = Criteria(as_of=AS_OF)
    with registry.session() as session:
        ranking = rank_position(session, "kasubbag-kepegawaian", rule, criteria=criteria, level_rule=level_rule)
        stored = stored_precisions(session)[(course.id, CODE)]
    assert stored.reliability < level_rule.min_reliability and stored.sem_share > 0.02
    by_nip = {c.nip: c for c in ranking.candidates}
    high, low, none = (by_nip[p.nip].precision for p in people[-3:])
    matched = [by_nip[p.nip].match.percent for p in people[-3:]]
    # 0.82 gives level 2 (the course's target), 0.78 level 1, 0.20 no level; one SEM either way
    # the first two could swap, while 0.78 stays level 1 and 0.20 stays without one.
    assert 0.02 < stored.sem_share < 0.18
    assert high.low == matched[1] < matched[0] == high.high == low.high
    assert low.low == matched[1] > none.high == none.low == matched[2] == 0
    assert close_to_next([high, low, none]) == (True, False, False)
    assert any(ranking.close_to_next)
    assert high.provisional == low.provisional == (CODE,) and none.provisional == ()

    lenient = level_rule.model_copy(update={"min_reliability": 0.05})
    with registry.session() as session:
        relaxed = rank_position(session, "kasubbag-kepegawaian", rule, criteria=criteria, level_rule=lenient)
    assert all(not c.precision.provisional for c in relaxed.candidates)

    console = Console(record=True, width=80)
    render_ranking(console, ranking)
    shown = console.export_text()
    assert "selisih dalam batas galat ukur" in shown and "≈" in shown and "sementara" in shown
    assert max(len(line) for line in shown.splitlines()) <= 80


def test_a_large_cohort_is_sampled_reproducibly(cohort_registry, registry, monkeypatch):
    course, *_ = cohort_registry
    monkeypatch.setattr("merit.competency.reliability.MAX_LEARNERS", 10)
    with registry.session("pytest", "sampel") as session:
        refresh_reliability(session, [course.id])
        first = stored_precisions(session)[(course.id, CODE)]
        assert refresh_reliability(session, [course.id])["updated"] == 0  # the same ten learners again
    assert first.learners == 10
