"""The walking skeleton end to end, on real nbgrader and real kernels.

Runs `merit demo` twice through the CLI on a small roster and checks what lands in
nbgrader's gradebook and in the registry, and that the second run changes nothing.
"""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from merit.catalog import load_course, load_courses
from merit.cli import app
from merit.demo.roster import synthetic_roster
from merit.registry.sync import read_grades
from tests.conftest import SIZE

pytestmark = pytest.mark.e2e


def test_registry_holds_roster_and_one_evidence_row_per_graded_cell(demo_runs, root, framework):
    _, _, dumps = demo_runs
    courses = load_courses(root / "courses", framework)
    assert len(dumps[0]["employee"]) == SIZE
    # Every course is graded, so every page has evidence to show.
    per_course = {c: sum(row[3] == c for row in dumps[0]["evidence"]) for c in courses}
    assert per_course == {c: SIZE * len(course.cells) for c, course in courses.items()}
    assert len(dumps[0]["competency"]) == len(framework.competencies)
    assert len(dumps[0]["position"]) >= 2
    assert len(dumps[0]["skp_rating"]) == 2 * SIZE  # SKP of the two years before today, for rank and talenta


def test_second_run_leaves_the_registry_identical(demo_runs):
    _, outputs, dumps = demo_runs
    assert dumps[0] == dumps[1]
    assert "0 baru" in outputs[1]  # nothing created on the second run


def test_answer_variants_get_the_scores_they_deserve(demo_runs, root, framework):
    data, _, _ = demo_runs
    course = load_course(root / "courses" / "tata-kelola", framework)
    module = course.spec.modules[0].id
    grades = read_grades(f"sqlite:///{data / 'nbgrader' / 'tata-kelola' / 'gradebook.db'}", course.id, module)
    nips = [entry.nip for entry in synthetic_roster(SIZE)]
    right, wrong, error, blank = nips[:4]  # the first four learners are the archetypes
    auto = {(c.notebook, c.grade_id): c for c in course.cells if not c.manual}
    for grade in grades:
        cell = auto.get((grade.notebook, grade.cell))
        if cell is None:
            continue
        if grade.student == right:
            assert grade.score == cell.points, grade
        elif grade.student in (wrong, error, blank):
            assert grade.score == 0, grade
    # The demo trainer graded the all-right learner's written answers in full, by hand, as in
    # formgrader; the wrong, failing and blank archetypes were not graded by hand.
    written = [g for g in grades if (g.notebook, g.cell) not in auto]
    points = {(c.notebook, c.grade_id): c.points for c in course.cells}
    assert written and all(
        not g.needs_manual_grade and g.score == points[(g.notebook, g.cell)] for g in written if g.student == right
    )
    assert not any(g.score for g in written if g.student in (wrong, error, blank))


def test_levels_and_ranking_follow_from_the_evidence(demo_runs, root, framework):
    _, outputs, dumps = demo_runs
    course = load_course(root / "courses" / "tata-kelola", framework)
    nips = [entry.nip for entry in synthetic_roster(SIZE)]
    employee_id = {row[1]: row[0] for row in dumps[0]["employee"]}
    levels = {(row[0], row[1]): row[2] for row in dumps[0]["competency_level"]}
    auto_codes = {c.competency for c in course.cells if not c.manual}
    for code in auto_codes:  # at least what tata-kelola gives; another graded course may give more
        assert levels[(employee_id[nips[0]], code)] >= course.target_level(code)
    for nip in nips[1:4]:
        assert not any(key[0] == employee_id[nip] for key in levels)
    output = outputs[0]
    assert "JPM = Σ min(level dimiliki, level dipersyaratkan) ÷ Σ level dipersyaratkan × 100" in output
    assert "Kesenjangan" in output and "Peringkat kandidat" in output
    rows = [line.split("│") for line in output.splitlines() if "******** ****** *" in line]
    assert len(rows) == SIZE
    jpm = {cols[2].strip()[-3:]: float(cols[4]) for cols in rows}
    assert jpm[nips[0][-3:]] == max(jpm.values()) > 0  # the all-right learner is at the top
    assert jpm[nips[3][-3:]] == 0  # the all-blank learner has no level at all
    assert [float(cols[4]) for cols in rows] == sorted(jpm.values(), reverse=True)
    assert nips[0] not in output  # full NIPs are never printed


def test_trainers_and_hr_read_the_precision_of_the_demo_evidence(demo_runs, root, framework):
    """Reliability is stored per competency of the graded course and reaches every reader."""
    data, _, dumps = demo_runs
    course = load_course(root / "courses" / "tata-kelola", framework)
    stored = {row[1]: row for row in dumps[1]["evidence_reliability"] if row[0] == course.id}
    assert set(stored) == {c.competency for c in course.cells if not c.manual}
    assert all(row[0] == course.id and row[7] == SIZE for row in stored.values())  # every learner, complete
    runner = CliRunner()
    env = {"MERIT_ROOT": str(root), "MERIT_DATA_DIR": str(data), "COLUMNS": "80"}
    nip = synthetic_roster(SIZE, 2017)[0].nip  # answers everything right: holds every level
    commands = {
        "rank": ["rank", "kasubbag-kepegawaian", "--ringkas"],
        "jelaskan": ["level", "jelaskan", nip, "integritas"],
        "analisis": ["analisis", "tata-kelola"],
        "kemiripan": ["kemiripan", "tata-kelola", "m01-prinsip"],
    }
    shown = {}
    for name, args in commands.items():
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
        assert max(len(line) for line in result.output.splitlines()) <= 80, name
        shown[name] = result.output
    assert "sebagian level kandidat ini sementara" in shown["rank"]
    assert re.search(r"Ketepatan bukti [a-z-]+: (KR-20|alpha) [-0-9.]+, SEM", shown["jelaskan"]), shown["jelaskan"]
    assert f"N = {SIZE}" in shown["analisis"] and "Reliabilitas per kompetensi" in shown["analisis"]
    assert "tidak mengubah nilai" in shown["kemiripan"]
