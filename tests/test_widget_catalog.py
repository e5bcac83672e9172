"""Course validation catches item mistakes that nbgrader would grade silently wrong."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from merit.catalog import load_course
from merit.errors import ProblemsFound
from tests.widget_course import FIXTURE, MODULE, NOTEBOOK


@pytest.fixture
def course_copy(tmp_path):
    folder = tmp_path / "courses" / FIXTURE.name
    shutil.copytree(FIXTURE, folder)
    return folder


def edit(folder, grade_id, change):
    path = folder / "source" / MODULE / f"{NOTEBOOK}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    change(cell)
    nbformat.write(notebook, path)


def problems(folder, framework) -> list[str]:
    with pytest.raises(ProblemsFound) as raised:
        load_course(folder, framework)
    return [str(p) for p in raised.value.problems]


def test_the_sample_course_is_valid_and_its_task_cell_is_manual_evidence(course_copy, framework):
    course = load_course(course_copy, framework)
    cells = {c.grade_id: c for c in course.cells}
    assert cells["rubrik_uraian"].manual and cells["rubrik_uraian"].competency == "komunikasi"
    assert not cells["nilai_absensi"].manual and cells["nilai_absensi"].points == 5


@pytest.mark.parametrize(
    ("grade_id", "change", "message"),
    [
        (
            "nilai_gratifikasi",
            lambda c: setattr(c, "source", 'nilai(soal_gratifikasi, kunci="tolak_jelaskan", poin=2)'),
            "### BEGIN HIDDEN TESTS",
        ),
        (
            "nilai_gratifikasi",
            lambda c: setattr(c, "source", c.source.replace("nilai(", "print(nilai(").replace("poin=2)", "poin=2))")),
            "baris terakhir",
        ),
        (
            "nilai_gratifikasi",
            lambda c: setattr(c, "source", c.source.replace("poin=2", "poin=3")),
            "berbeda dengan poin sel",
        ),
        ("nilai_gratifikasi", lambda c: setattr(c, "source", c.source.replace(", poin=2", "")), "poin=<angka>"),
        (
            "nilai_gratifikasi",
            lambda c: c.metadata["merit"].update(competency="pelayanan_publik"),
            "soal soal_gratifikasi untuk kompetensi 'integritas'",
        ),
        ("soal_gratifikasi", lambda c: c.metadata["nbgrader"].update(locked=False), "read-only"),
        (
            "soal_absensi",
            lambda c: setattr(c, "source", c.source.replace('"absensi"', '"gratifikasi"')),
            "id soal 'gratifikasi' sudah dipakai",
        ),
        ("rubrik_uraian", lambda c: c.metadata.pop("merit"), "belum ditandai kompetensinya"),
    ],
)
def test_item_mistakes_are_reported_by_cell(course_copy, framework, grade_id, change, message):
    edit(course_copy, grade_id, change)
    found = problems(course_copy, framework)
    assert any(message in p for p in found), found
    assert all("integritas.ipynb, sel ke-" in p for p in found)


def test_an_answers_folder_in_the_source_is_refused(course_copy, framework):
    (course_copy / "source" / MODULE / ".merit-jawaban" / "soal").mkdir(parents=True)
    assert any("folder jawaban peserta tidak boleh ada" in p for p in problems(course_copy, framework))
