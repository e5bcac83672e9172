"""Learners with evidence for a course, written straight into the registry, for completion tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.demo.roster import synthetic_roster
from merit.people.roster import register_roster
from tests.placement_data import add_evidence


def roster(session: Session, count: int) -> list[tuple[int, str, str]]:
    """(employee id, NIP, name) of ``count`` synthetic ASN, registered."""
    people = synthetic_roster(count)
    ids = sorted(register_roster(session, people).employees)
    return [(e, p.nip, p.name) for p, e in zip(people, ids, strict=True)]


def evidence(
    session: Session,
    course: Course,
    employee_id: int,
    share: float = 1.0,
    when: dt.datetime = dt.datetime(2026, 11, 2, 10, 0),
    pending: bool = False,
    skip_module: str | None = None,
) -> None:
    """One graded row per cell of ``course`` scoring ``share`` of its points."""
    add_evidence(session, employee_id, course, share, when, pending=pending, skip_module=skip_module)


def complete_and_issue(registry, runner, out: Path, course_id: str = "tata-kelola") -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    """Three learners, two of whom complete ``course_id``; a signing key; the two certificates
    issued by the CLI into ``out``. The environment (MERIT_*) must already point at ``registry``."""
    from merit.catalog import load_courses, load_framework
    from merit.cli import app
    from merit.competency.levels import load_level_rule
    from merit.pipeline import after_evidence_change
    from tests.conftest import ROOT

    courses = load_courses(ROOT / "courses", load_framework(ROOT / "assessments"))
    with registry.session("widyaiswara", "uji sertifikat") as session:
        people = roster(session, 3)
        for employee_id, _, _ in people[:2]:
            evidence(session, courses[course_id], employee_id, 1.0)
        evidence(session, courses[course_id], people[2][0], 0.3)  # did not pass: no certificate
        after_evidence_change(session, courses, load_level_rule(ROOT / "assessments"), dt.date(2026, 12, 1), None)
    for args in (
        ["sertifikat", "kunci", "buat"],
        ["sertifikat", "terbitkan", course_id, "--keluar", str(out), "--oleh", "admin-diklat"],
    ):
        result = runner.invoke(app, args, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
    return people
