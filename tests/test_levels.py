"""The evidence-to-level rule: thresholds, expiry, overrides, explanations, determinism."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from merit.catalog import load_course
from merit.competency.levels import CourseYield, LevelRule, best_yield, load_level_rule
from merit.competency.overrides import explain_level, remove_override, set_override
from merit.demo.roster import synthetic_roster
from merit.errors import MeritError
from merit.people.roster import register_roster
from merit.pipeline import after_evidence_change
from merit.registry import models
from tests.placement_data import add_evidence

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def rule(root) -> LevelRule:
    return load_level_rule(root / "assessments")


@pytest.mark.parametrize(
    ("share", "target", "level"),
    [
        (1.0, 3, 3),
        (0.8, 3, 3),
        (0.79, 3, 2),
        (0.6, 3, 2),
        (0.59, 3, 1),
        (0.4, 3, 1),
        (0.39, 3, 0),
        (0.0, 3, 0),
        (0.5, 1, 0),
        (0.7, 2, 1),
    ],
)
def test_level_follows_share_thresholds_below_the_course_target(rule, share, target, level):
    assert rule.level_for(share, target) == level


def test_best_yield_prefers_level_then_share_then_course_id():
    options = [
        CourseYield("b-course", 8, 10, 2),
        CourseYield("a-course", 8, 10, 2),
        CourseYield("c-course", 9, 10, 2),
        CourseYield("d-course", 1, 10, 0),
    ]
    assert best_yield(options).course_id == "c-course"
    assert best_yield(options[:2]).course_id == "a-course"
    assert best_yield([CourseYield("x", 0, 10, 0)]) is None


def test_rule_thresholds_must_descend():
    with pytest.raises(ValueError):
        LevelRule(
            validity_years=3, thresholds=[{"min_share": 0.6, "below_target": 1}, {"min_share": 0.8, "below_target": 0}]
        )


@pytest.fixture
def course(root, framework):
    return load_course(root / "courses" / "tata-kelola", framework)


def _levels(session, employee_id) -> dict[str, tuple[int, str]]:
    rows = session.scalars(select(models.CompetencyLevel).where(models.CompetencyLevel.employee_id == employee_id))
    return {r.competency_code: (r.level, r.source) for r in rows}


def test_levels_come_from_evidence_expire_and_are_explained(registry, course, rule, framework):
    person = synthetic_roster(1)[0]
    with registry.session("pytest", "roster uji") as session:
        employee_id = next(iter(register_roster(session, [person]).employees))
        evidence_ids = add_evidence(session, employee_id, course, 1.0, dt.datetime(2025, 3, 1))
        report = after_evidence_change(session, {course.id: course}, rule, AS_OF, {employee_id})
        assert _levels(session, employee_id) == {
            code: (course.target_level(code), "evidence") for code in {c.competency for c in course.cells}
        }
        assert report.counts and report.employees == {employee_id}
        explained = explain_level(session, person.nip, "integritas")
        tagged = [c.grade_id for c in course.cells if c.competency == "integritas"]
        assert sorted(e.cell for e in explained.evidence) == sorted(tagged)
        assert {e.id for e in explained.evidence} <= set(evidence_ids)

    with registry.session("pytest", "hitung ulang sama") as session:
        again = after_evidence_change(session, {course.id: course}, rule, AS_OF, {employee_id})
        assert again.employees == set()  # deterministic: nothing changes on a re-run

    three_years_later = dt.date(2028, 3, 2)
    with registry.session("pytest", "bukti kedaluwarsa") as session:
        expired = after_evidence_change(session, {course.id: course}, rule, three_years_later, None)
        assert expired.removed == len({c.competency for c in course.cells})
        assert _levels(session, employee_id) == {}
        assert explain_level(session, person.nip, "integritas").evidence == []


def test_override_replaces_computed_level_until_withdrawn(registry, course, rule, framework):
    person = synthetic_roster(1)[0]
    with registry.session("pytest", "roster uji") as session:
        employee_id = next(iter(register_roster(session, [person]).employees))
        add_evidence(session, employee_id, course, 0.65, dt.datetime(2026, 6, 1))
        after_evidence_change(session, {course.id: course}, rule, AS_OF, {employee_id})
        assert _levels(session, employee_id)["pelayanan_publik"] == (2, "evidence")  # 65% of target 3
    with registry.session("asesor", "asesmen center 2026") as session:
        set_override(
            session, framework, person.nip, "pelayanan_publik", 4, "hasil asesmen center BKPSDM 2026", "Asesor Rina"
        )
        after_evidence_change(session, {course.id: course}, rule, AS_OF, {employee_id})
        assert _levels(session, employee_id)["pelayanan_publik"] == (4, "override")
        match = session.get(models.PositionMatch, ("kasubbag-kepegawaian", employee_id))
        assert match.held_capped >= 3  # the match table follows the override
    with registry.session("asesor", "dicabut: asesmen diulang") as session:
        remove_override(session, person.nip, "pelayanan_publik")
        after_evidence_change(session, {course.id: course}, rule, AS_OF, {employee_id})
        assert _levels(session, employee_id)["pelayanan_publik"] == (2, "evidence")


@pytest.mark.parametrize(
    ("code", "level", "reason", "message"),
    [
        ("tidak_ada", 3, "alasan yang cukup panjang", "tidak ada dalam kerangka"),
        ("integritas", 6, "alasan yang cukup panjang", "Level harus 1 sampai 5"),
        ("integritas", 3, "singkat", "Alasan keputusan asesor wajib"),
    ],
)
def test_override_rejects_bad_input(registry, framework, code, level, reason, message):
    person = synthetic_roster(1)[0]
    with pytest.raises(MeritError, match=message):
        with registry.session("asesor", "uji") as session:
            register_roster(session, [person])
            set_override(session, framework, person.nip, code, level, reason, "Asesor")
