"""Learning plans and training-needs analysis, derived from whatever the course catalog holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from merit.catalog import Course, load_courses, load_positions
from merit.catalog.course import CourseFile
from merit.errors import MeritError
from merit.placement.learning import learning_plan, plan_courses, training_needs
from tests.placement_data import POSITION, build_agency


def course(course_id: str, jp: int, **targets: int) -> Course:
    spec = CourseFile.model_validate(
        {
            "id": course_id,
            "title": {"id": f"Kursus {course_id}", "en": course_id},
            "description": {"id": "-", "en": "-"},
            "jp": jp,
            "pass_mark": 70,
            "competencies": [{"code": code, "target_level": level} for code, level in targets.items()],
            "modules": [{"id": "m01", "title": {"id": "Modul", "en": "Module"}, "notebooks": ["a.ipynb"]}],
        }
    )
    return Course(Path(course_id), spec, ())


CATALOG = {
    c.id: c
    for c in [
        course("etika-dasar", 4, integritas=2),
        course("etika-lanjut", 8, integritas=4, pelayanan_publik=3),
        course("layanan-prima", 6, pelayanan_publik=3, komunikasi=2),
        course("layanan-singkat", 2, pelayanan_publik=3),
        course("kepegawaian", 12, manajemen_sdm_aparatur=2),
    ]
}


def test_plan_closes_the_largest_gap_first_with_the_fewest_courses():
    required = {
        "integritas": 3,
        "pelayanan_publik": 3,
        "komunikasi": 2,
        "manajemen_sdm_aparatur": 4,
        "perekat_bangsa": 2,
        "kerja_sama": 1,
    }
    held = {"integritas": 1, "pelayanan_publik": 1, "komunikasi": 2, "kerja_sama": 3}
    plan = plan_courses(CATALOG, held, required)
    assert [(g.code, g.gap) for g in plan.gaps] == [
        ("manajemen_sdm_aparatur", 4),
        ("integritas", 2),
        ("pelayanan_publik", 2),
        ("perekat_bangsa", 2),
    ]
    # integritas needs 3: only etika-lanjut reaches it; pelayanan_publik reuses it instead of adding a course.
    assert [(s.course_id, [(c.code, c.held, c.reaches, c.required) for c in s.closes]) for s in plan.steps] == [
        ("kepegawaian", [("manajemen_sdm_aparatur", 0, 2, 4)]),
        ("etika-lanjut", [("integritas", 1, 3, 3), ("pelayanan_publik", 1, 3, 3)]),
    ]
    assert plan.total_jp == 20
    # What the catalog cannot close: the rest of manajemen_sdm_aparatur, and perekat_bangsa entirely.
    assert [(g.code, g.held, g.required) for g in plan.uncovered] == [
        ("manajemen_sdm_aparatur", 2, 4),
        ("perekat_bangsa", 0, 2),
    ]


def test_plan_prefers_the_lowest_sufficient_level_then_fewer_jp_and_is_deterministic():
    plan = plan_courses(CATALOG, {"integritas": 2}, {"integritas": 2, "pelayanan_publik": 3})
    assert [s.course_id for s in plan.steps] == ["layanan-singkat"]  # 2 JP beats 6 and 8 JP at the same level
    assert plan_courses(CATALOG, {}, {"integritas": 2}).steps[0].course_id == "etika-dasar"  # level 2 suffices
    assert plan_courses(dict(reversed(CATALOG.items())), {}, {"integritas": 2}) == plan_courses(
        CATALOG, {}, {"integritas": 2}
    )
    nothing = plan_courses(CATALOG, {"integritas": 4}, {"integritas": 3})
    assert nothing.gaps == () and nothing.steps == () and nothing.total_jp == 0


def test_plan_and_training_needs_from_the_registry(registry, root, framework):
    courses = load_courses(root / "courses", framework)
    agency = build_agency(registry, root, framework)
    person = next(p for p in agency.people if not agency.levels[p.nip])  # holds no level at all
    with registry.session() as session:
        plan = learning_plan(session, courses, person.nip, POSITION)
        unit = person.unit
        needs = training_needs(session, courses, unit)
        with pytest.raises(MeritError, match="tidak terdaftar"):
            learning_plan(session, courses, "199001012015011999", POSITION)
        with pytest.raises(MeritError, match="Jabatan 'tidak-ada' tidak dikenal"):
            learning_plan(session, courses, person.nip, "tidak-ada")
        with pytest.raises(MeritError, match="Unit kerja 'Dinas Antah' tidak punya pegawai"):
            training_needs(session, courses, "Dinas Antah")
    required = {r.competency_code: r.level for r in plan.position.requirements}
    developed = {c.code for course in courses.values() for c in course.spec.competencies}
    closed = [c.code for step in plan.plan.steps for c in step.closes]
    # Holding nothing, every required competency some course develops is planned exactly once,
    # by a course that develops it, and the rest is reported as not covered by the catalog.
    assert sorted(closed) == sorted(set(required) & developed)
    for step in plan.plan.steps:
        course = courses[step.course_id]
        assert all(0 < c.reaches <= course.target_level(c.code) for c in step.closes)
    assert {g.code for g in plan.plan.uncovered} >= set(required) - developed
    assert plan.plan.total_jp == sum(courses[s.course_id].spec.jp for s in plan.plan.steps)
    assert len(plan.plan.steps) >= 2  # the catalog spreads these competencies over several courses

    members = [p for p in agency.people if p.unit == unit]
    assert needs.employees == len(members)
    positions = load_positions(root / "assessments", framework)
    plans = [plan_courses(courses, agency.levels[p.nip], positions[p.position_code].requirements) for p in members]
    assert needs.with_gaps == sum(bool(p.gaps) for p in plans)
    expected_people = {}
    for p in plans:
        for gap in p.gaps:
            expected_people[gap.code] = expected_people.get(gap.code, 0) + 1
    assert {g.code: g.people for g in needs.gaps} == expected_people
    assert [g.people for g in needs.gaps] == sorted((g.people for g in needs.gaps), reverse=True)
    expected_courses = {}
    for course_id, course in courses.items():
        people = sum(any(s.course_id == course_id for s in p.steps) for p in plans)
        if people:
            expected_courses[course_id] = (people, course.spec.jp * people)
    assert {d.course_id: (d.people, d.total_jp) for d in needs.courses} == expected_courses
    assert [d.people for d in needs.courses] == sorted((d.people for d in needs.courses), reverse=True)
