"""`merit course build` on real nbgrader: releases without solutions, clear errors."""

import json

import nbformat
import pytest
from typer.testing import CliRunner

from merit.catalog import load_course
from merit.cli import app
from merit.errors import ProblemsFound
from merit.grading.coursedir import CODE_STUB, build_course

pytestmark = pytest.mark.e2e


def test_build_releases_the_course_without_solutions_or_hidden_tests(settings):
    result = CliRunner().invoke(app, ["course", "build", "tata-kelola"])
    assert result.exit_code == 0, result.output
    root = settings.workspace_dir / "tata-kelola"
    released = list((root / "release").glob("*/*.ipynb"))
    assert released, "generate_assignment wrote no release"
    for path in released:
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        notebook = nbformat.read(path, as_version=4)
        answer_cells = [
            c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
        ]
        assert answer_cells and all(CODE_STUB.splitlines()[0] in c.source for c in answer_cells)
    assert (root / "gradebook.db").is_file()
    assert "c.CourseDirectory.course_id = 'tata-kelola'" in (root / "nbgrader_config.py").read_text()


def test_nbgrader_failure_is_reported_with_the_notebook(content_copy, framework, tmp_path):
    """A problem only nbgrader detects (outdated cell metadata) still names the notebook."""
    folder = content_copy / "courses" / "tata-kelola"
    path = next((folder / "source").glob("*/*.ipynb"))
    notebook = json.loads(path.read_text())
    graded = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))
    graded["metadata"]["nbgrader"]["schema_version"] = 1
    path.write_text(json.dumps(notebook))
    course = load_course(folder, framework)
    with pytest.raises(ProblemsFound) as caught:
        build_course(course, tmp_path / "ws")
    message = str(caught.value)
    assert f"courses/tata-kelola/source/{path.parent.name}/{path.name}: nbgrader generate_assignment gagal" in message
    assert "SchemaTooOldError" in message
    assert "NbGraderException" not in message


def test_unknown_course_is_a_clear_error(settings):
    result = CliRunner().invoke(app, ["course", "build", "tidak-ada"])
    assert result.exit_code == 2
    assert "Kursus 'tidak-ada' tidak ditemukan" in result.output
