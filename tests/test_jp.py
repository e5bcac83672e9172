"""JP hours per ASN per year from completed courses, and who falls short, by unit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from merit.catalog import load_courses
from merit.demo.roster import synthetic_roster
from merit.people.jp import jp_by_employee, shortfalls
from merit.people.roster import register_roster
from merit.registry import models


def test_jp_counts_completed_passed_courses_in_their_year(registry, root, framework):
    courses = load_courses(root / "courses", framework)
    course = courses["tata-kelola"]
    people = synthetic_roster(4)
    with registry.session("petugas", "uji JP") as session:
        ids = {p.nip: e for p, e in zip(people, sorted(register_roster(session, people).employees), strict=True)}

        def evidence(nip, share, year, pending=False):
            session.execute(
                insert(models.Evidence),
                [
                    {
                        "employee_id": ids[nip],
                        "competency_code": c.competency,
                        "course_id": course.id,
                        "assignment": c.module,
                        "notebook": c.notebook,
                        "cell": c.grade_id,
                        "nbgrader_grade_id": c.grade_id,
                        "score": c.points * share,
                        "max_score": c.points,
                        "needs_manual_grade": pending and c.manual,
                        "submitted_at": dt.datetime(year, 11, 2),
                        "recorded_at": dt.datetime(year, 11, 2),
                    }
                    for c in course.cells
                ],
            )

        evidence(people[0].nip, 1.0, 2026)  # passed in 2026
        evidence(people[1].nip, 0.5, 2026)  # below the pass mark
        evidence(people[2].nip, 1.0, 2026, pending=True)  # written answer not graded yet
        evidence(people[3].nip, 1.0, 2025)  # passed, but in 2025

    with registry.session() as session:
        assert jp_by_employee(session, courses, 2026) == {ids[people[0].nip]: course.spec.jp}
        assert jp_by_employee(session, courses, 2025) == {ids[people[3].nip]: course.spec.jp}
        short = shortfalls(session, courses, 2026, below=20)
    assert {s.nip for s in short} == {p.nip for p in people}  # one 6-JP course is not 20 JP
    assert [s.unit for s in short] == sorted(s.unit for s in short)
    assert {s.nip: s.jp for s in short}[people[0].nip] == course.spec.jp
    with registry.session() as session:
        assert {s.nip for s in shortfalls(session, courses, 2026, below=course.spec.jp)} == {p.nip for p in people[1:]}
