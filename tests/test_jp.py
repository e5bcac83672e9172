"""JP hours per ASN per year from recorded course completions, and who falls short, by unit."""

from __future__ import annotations

import datetime as dt

from merit.catalog import load_courses
from merit.people.completion import refresh_completions
from merit.people.jp import courses_counted, jp_by_employee, shortfalls
from tests.completion_data import evidence, roster


def test_jp_counts_completed_passed_courses_in_their_year(registry, root, framework):
    courses = load_courses(root / "courses", framework)
    course = courses["tata-kelola"]
    with registry.session("petugas", "uji JP") as session:
        people = roster(session, 4)
        ids = [e for e, _, _ in people]
        evidence(session, course, ids[0], 1.0)  # passed in 2026
        evidence(session, course, ids[1], 0.5)  # below the pass mark
        evidence(session, course, ids[2], 1.0, pending=True)  # written answer not graded yet
        evidence(session, course, ids[3], 1.0, when=dt.datetime(2025, 11, 2))  # passed, but in 2025
        refresh_completions(session, courses)

    with registry.session() as session:
        assert jp_by_employee(session, 2026) == {ids[0]: course.spec.jp}
        assert jp_by_employee(session, 2025) == {ids[3]: course.spec.jp}
        assert courses_counted(session, 2026, ids[0]) == ["tata-kelola"]
        assert courses_counted(session, 2026, ids[3]) == []
        short = shortfalls(session, 2026, below=20)
    nips = [nip for _, nip, _ in people]
    assert {s.nip for s in short} == set(nips)  # one 14-JP course is not 20 JP
    assert [s.unit for s in short] == sorted(s.unit for s in short)
    assert {s.nip: s.jp for s in short}[nips[0]] == course.spec.jp
    with registry.session() as session:
        assert {s.nip for s in shortfalls(session, 2026, below=course.spec.jp)} == set(nips[1:])
