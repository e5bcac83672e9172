"""Clicked answers survive save, close, reopen and restart, and nbgrader's autograde grades them.

Real parts throughout: nbgrader's generate_assignment and autograde, real Jupyter kernels
(nbclient) running the released notebook as a learner's JupyterLab would, and the scores
read back from nbgrader's gradebook.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell

from merit.grading.coursedir import CourseDir
from merit.grading.engine import grade_assignment
from merit.grading.sandbox import Sandbox
from merit.registry.sync import read_grades
from tests.widget_course import ANSWERS_PARTLY_RIGHT, COURSE, EXPECTED, FIXTURE, MODULE, NOTEBOOK, sample_course

pytestmark = pytest.mark.e2e

ORDERS = """
import json
print(json.dumps({
    "gratifikasi": [key for _, key in soal_gratifikasi.tombol.options],
    "transparansi": list(soal_transparansi.kotak),
    "aplikasi": list(soal_aplikasi.urutan),
}))
"""
SHOWN = """
print(json.dumps({
    "gratifikasi": soal_gratifikasi.tombol.value,
    "transparansi": sorted(k for k, box in soal_transparansi.kotak.items() if box.value),
    "absensi": soal_absensi.tombol.value,
    "aplikasi": soal_aplikasi.urutan,
    "jp": soal_jp.kotak.value,
    "uraian": soal_uraian.kotak.value,
    "refleksi": soal_refleksi.tombol.value,
}))
"""


def run_session(path, *extra: str) -> tuple[nbformat.NotebookNode, list[dict]]:
    """Open the notebook in a fresh kernel, run every cell, then ``extra`` code as the learner.

    Returns the notebook with its outputs (what JupyterLab would save) and what each extra
    piece of code printed as JSON. The kernel is shut down at the end, as on closing.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(path.parent)}}
    )
    printed = []
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        for code in extra:
            cell = new_code_cell(code)
            notebook.cells.append(cell)
            client.execute_cell(cell, len(notebook.cells) - 1)
            notebook.cells.pop()
            streams = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"]
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, errors
            if streams:
                printed.append(json.loads(streams[-1].text))
    return notebook, printed


@pytest.fixture
def course(tmp_path):
    return sample_course(tmp_path)


def test_release_holds_no_answer_key(course):
    """Every line between the hidden-test markers is absent from the released notebook."""
    released = (course.release / f"{NOTEBOOK}.ipynb").read_text()
    source = nbformat.read(FIXTURE / "source" / MODULE / f"{NOTEBOOK}.ipynb", as_version=4)
    hidden = []
    for cell in source.cells:
        inside = False
        for line in cell.source.splitlines():
            if line.strip() == "### BEGIN HIDDEN TESTS":
                inside = True
            elif line.strip() == "### END HIDDEN TESTS":
                inside = False
            elif inside and line.strip():
                hidden.append(line.strip())
    assert len(hidden) >= 5
    for line in hidden:
        assert json.dumps(line)[1:-1] not in released, line
    for leak in ("kunci=", "bobot=", "urutan=[", "nilai(", "HIDDEN TESTS"):
        assert leak not in released
    # The options themselves are released (the learner must see them), of course.
    assert "tolak_jelaskan" in released


def test_answers_survive_restart_and_autograde_scores_them(course, tmp_path, monkeypatch):
    monkeypatch.setenv("MERIT_PESERTA", "199001012015031001")
    folder = course.hand_out(tmp_path / "peserta")
    path = folder / f"{NOTEBOOK}.ipynb"

    # Session 1: answer every item, save, close.
    saved, (order_first,) = run_session(path, ORDERS, ANSWERS_PARTLY_RIGHT)
    nbformat.write(saved, path)
    assert sorted(p.name for p in (folder / ".merit-jawaban" / "soal").iterdir()) == sorted(
        [
            "gratifikasi.json",
            "transparansi.json",
            "absensi.json",
            "aplikasi.json",
            "sisa_jp.json",
            "jelaskan_penolakan.json",
            "berani_menolak.json",
        ]
    )

    # The saved notebook shows the answers even without a kernel (static summary output).
    item_cell = next(c for c in saved.cells if c.get("id") == "soal-uraian")
    summary = [o for o in item_cell.outputs if "text/html" in o.get("data", {})]
    assert "Layanan ini memang gratis" in summary[-1].data["text/html"]

    # Session 2 (reopen, kernel restarted): the widgets show the stored answers, same order.
    _, (order_again, shown) = run_session(path, ORDERS, SHOWN)
    # (A ranking shows the learner's own order once answered, so only the choices are compared.)
    assert order_again["gratifikasi"] == order_first["gratifikasi"]
    assert order_again["transparansi"] == order_first["transparansi"]
    assert shown == {
        "gratifikasi": "tolak_jelaskan",
        "transparansi": ["hasil_tiap_tahap", "info_internal", "kriteria_awal", "umumkan_lowongan"],
        "absensi": "ingatkan",
        "aplikasi": ["latih", "dampingi", "tunggu", "tolak"],
        "jp": "4",
        "uraian": "Terima kasih atas niat baik Bapak. Layanan ini memang gratis.",
        "refleksi": 4,
    }

    # Submit, autograde with nbgrader (which re-executes the notebook), read the gradebook.
    course.collect("199001012015031001", folder)
    monkeypatch.setenv("MERIT_PESERTA", "someone-else")  # the grader's own identity must not matter
    course.autograde("199001012015031001")
    grades = course.grades("199001012015031001")
    assert {k: v for k, v in grades.items() if k != "rubrik_uraian"} == {k: (v, False) for k, v in EXPECTED.items()}
    assert grades["rubrik_uraian"] == (None, True)  # waits for the trainer
    likert = json.loads(
        (course.autograded("199001012015031001") / ".merit-jawaban/soal/berani_menolak.json").read_text()
    )
    assert likert["jawaban"] == 4 and likert["jenis"] == "likert"

    # The written answer reaches the trainer in the autograded notebook as HTML (formgrader's
    # classic template), and the task cell
    # reaches the registry sync as a manual grade still pending.
    page, _ = HTMLExporter(template_name="classic").from_filename(
        str(course.autograded("199001012015031001") / f"{NOTEBOOK}.ipynb")
    )
    assert '<div class="merit-ringkasan">' in page and "Layanan ini memang gratis" in page
    records = {r.cell: r for r in read_grades(course.db_url, COURSE, MODULE)}
    assert records["rubrik_uraian"].needs_manual_grade and records["rubrik_uraian"].max_score == 3.0
    assert records["nilai_aplikasi"].score == 2.5

    # Merit's sandboxed engine grades the clicked answers exactly as stock nbgrader did:
    # the answers file travels with the submission into the sandbox's working folder.
    (course.root / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.course_id = {COURSE!r}\n")
    run = grade_assignment(CourseDir(course.root), MODULE, Sandbox.detect(), force=True)
    assert [r.error for r in run.results] == [None]
    assert course.grades("199001012015031001") == grades


def test_order_is_per_learner_and_grading_ignores_it(course, tmp_path, monkeypatch):
    """Two learners see different option orders, give the same answers by key, get the same scores."""
    orders = {}
    for learner in ("199203152019022002", "198811302010121003"):
        monkeypatch.setenv("MERIT_PESERTA", learner)
        folder = course.hand_out(tmp_path / learner)
        _, (order,) = run_session(folder / f"{NOTEBOOK}.ipynb", ORDERS, ANSWERS_PARTLY_RIGHT)
        orders[learner] = order
        course.collect(learner, folder)
        course.autograde(learner)
        grades = course.grades(learner)
        assert {k: grades[k][0] for k in EXPECTED} == EXPECTED
    first, second = orders.values()
    assert first != second
    assert all(sorted(first[item]) == sorted(second[item]) for item in first)
