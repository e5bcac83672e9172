"""Trainer tools on real nbgrader, kernels and nbval: `merit course new`, `validate`, `coverage`.

Each validator problem must say which file, which cell and why, so a trainer can fix it
without reading code. The defects are planted in a course made by `merit course new`,
the same way a trainer starts.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from typer.testing import CliRunner

from merit.cli import app
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
COURSE = "kursus-uji"
NOTEBOOK = f"courses/{COURSE}/source/m01-modul-1/modul_1.ipynb"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project (no courses) with the real assessments, as a new agency starts."""
    project = tmp_path / "proyek"
    (project / "courses").mkdir(parents=True)
    shutil.copytree(ROOT / "assessments", project / "assessments")
    monkeypatch.setenv("MERIT_ROOT", str(project))
    monkeypatch.setenv("MERIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MERIT_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # the coverage matrix, unwrapped
    return project


def merit(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def new_course(modules: int = 3) -> None:
    result = merit(
        "course",
        "new",
        COURSE,
        "--judul",
        "Kursus Uji",
        "--modul",
        str(modules),
        "--kompetensi",
        "integritas=2",
        "--kompetensi",
        "komunikasi=2",
    )
    assert result.exit_code == 0, result.output


def fill_placeholders(project: Path) -> None:
    """What a trainer does after `merit course new`: write the text, keep the structure."""
    for path in [
        *(project / "courses").rglob("*.ipynb"),
        *(project / "courses").rglob("*.yml"),
        *(project / "assessments" / "rubrics").rglob("*.yml"),
    ]:
        path.write_text(re.sub(r"\[GANTI: ([^\]]*)\]", r"\1 (ditulis pelatih)", path.read_text()))


def problems(output: str) -> list[str]:
    """The problem lines of a report, joined back from rich's wrapping."""
    output = output.split("Kursus bermasalah:")[0]
    return [" ".join(item.split()) for item in re.split(r"\n\s*- ", " " + output)[1:]]


def edit_cell(project: Path, grade_id: str, change) -> None:
    path = project / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    change(next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id))
    nbformat.write(notebook, path)


def test_new_course_builds_grades_and_passes_once_the_text_is_written(project):
    new_course()
    fresh = merit("course", "validate", COURSE, "--cepat")
    assert fresh.exit_code == 1
    found = problems(fresh.output)
    assert found and all("[GANTI: ...] dari merit course new" in p for p in found), found
    assert any(p.startswith(f"{NOTEBOOK}, sel ke-1, 2,") for p in found)

    fill_placeholders(project)
    result = merit("course", "validate", COURSE)
    assert result.exit_code == 0, result.output
    assert "Semua pemeriksaan lulus untuk 1 kursus" in result.output
    assert "3 modul, 18 butir dinilai otomatis, 3 dinilai pelatih, 9 JP; diperiksa dalam" in result.output
    assert "dilewati" not in result.output


def test_new_course_refuses_to_overwrite_and_unknown_competencies(project):
    new_course(1)
    again = merit("course", "new", COURSE, "--judul", "Lagi")
    assert again.exit_code == 2 and f"courses/{COURSE} sudah ada" in again.output
    unknown = merit("course", "new", "lain", "--judul", "Lain", "--kompetensi", "kejujuran=2")
    assert unknown.exit_code == 2 and "Kompetensi kejujuran tidak ada dalam kerangka" in unknown.output
    assert not (project / "courses" / "lain").exists()


def test_grading_defects_are_reported_by_file_cell_and_reason(project):
    new_course(1)
    fill_placeholders(project)
    # A wrong solution, a test that passes without an answer, a test an object claiming
    # equality passes, a key that is not an option, and a worked example that crashes.
    edit_cell(project, "jawab_kode_1", lambda c: c.update(source=c["source"].replace("menit / 45", "menit / 60")))
    edit_cell(project, "nilai_ganda", lambda c: c.update(source="assert True"))
    edit_cell(project, "uji_kode_2", lambda c: c.update(source="assert sisa_jp([6, 2, 8]) == 4"))
    edit_cell(project, "nilai_tunggal", lambda c: c.update(source=c["source"].replace('kunci="a"', 'kunci="z"')))
    path = project / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    example = next(c for c in notebook.cells if c.cell_type == "code" and "nbgrader" not in c.metadata)
    example.source = "jp = menit_pelatihan / 45"
    nbformat.write(notebook, path)
    index = notebook.cells.index(example) + 1

    result = merit("course", "validate", COURSE)
    assert result.exit_code == 1
    found = problems(result.output)
    assert (
        f"{NOTEBOOK}, sel ke-8 (uji_kode_1): solusi/kunci pelatih tidak lulus uji ini (skor 0 dari 2): "
        "BelumTepat: 135 menit seharusnya 3.0 JP." in found
    )
    assert (
        f"{NOTEBOOK}, sel ke-17 (nilai_ganda): versi rilis tanpa jawaban sudah mendapat poin penuh: "
        "uji ini tidak memeriksa jawaban peserta" in found
    )
    assert any(
        p.startswith(
            f"{NOTEBOOK}, sel ke-14 (nilai_tunggal): solusi/kunci pelatih tidak lulus uji ini "
            "(skor 0 dari 2): KesalahanSoal: soal tunggal: kunci 'z' bukan salah satu pilihan"
        )
        for p in found
    ), found
    assert (
        f"{NOTEBOOK}, sel ke-{index}: nbval: sel solusi gagal dijalankan: "
        "NameError: name 'menit_pelatihan' is not defined" in found
    )
    assert (
        f"{NOTEBOOK}, sel ke-11 (uji_kode_2): jawaban palsu (turunan tipe bawaan yang mengaku sama) mendapat 2 "
        "dari 2 poin: uji harus memeriksa jenis persis sebelum nilai (merit_widgets.periksa)" in found
    )
    assert f"courses/{COURSE}/course.yml: kursus baru punya 1 modul; paling sedikit 3" in found


def test_static_defects_are_reported_without_running_anything(project):
    new_course(1)
    fill_placeholders(project)
    edit_cell(project, "uji_kode_2", lambda c: c["metadata"]["merit"].pop("level"))
    edit_cell(project, "nilai_ganda", lambda c: c["metadata"]["merit"].update(level=4))
    edit_cell(project, "nilai_berbobot", lambda c: c["metadata"]["nbgrader"].update(grade_id="nilai_ganda"))
    edit_cell(project, "soal_urutan", lambda c: c["metadata"]["nbgrader"].update(locked=False))
    rubric = project / "assessments" / "rubrics" / COURSE / "m01-modul-1" / "rubrik_refleksi.yml"
    spec = yaml.safe_load(rubric.read_text())
    spec["criteria"][0]["points"] = 3
    rubric.write_text(yaml.safe_dump(spec))
    orphan = rubric.with_name("refleksi_lama.yml")
    orphan.write_text(rubric.read_text())

    result = merit("course", "validate", COURSE, "--cepat")
    assert result.exit_code == 1
    found = problems(result.output)
    assert (
        f"{NOTEBOOK}, sel ke-11 (uji_kode_2): sel yang dinilai belum ditandai levelnya (metadata merit.level, "
        "1–5)" in found
    )
    assert (
        f"{NOTEBOOK}, sel ke-17 (nilai_ganda): level 4 melebihi target level integritas kursus ini (2) di course.yml"
        in found
        or f"{NOTEBOOK}, sel ke-17 (nilai_ganda): level 4 melebihi target level komunikasi kursus ini (2) di course.yml"
        in found
    )
    assert f"{NOTEBOOK}, sel ke-20 (nilai_ganda): grade_id dipakai lebih dari satu sel" in found
    assert any(
        p.startswith(f"{NOTEBOOK}, sel ke-22 (soal_urutan): sel yang membuat soal harus read-only") for p in found
    ), found
    # Rubrics are checked once the notebooks are valid: fix those, then the rubric problems show.
    shutil.rmtree(project / "courses" / COURSE)
    shutil.rmtree(project / "assessments" / "rubrics" / COURSE)
    new_course(1)
    fill_placeholders(project)
    rubric.write_text(yaml.safe_dump(spec))
    orphan.write_text(yaml.safe_dump({**spec, "criteria": spec["criteria"][1:], "points": 2}))
    found = problems(merit("course", "validate", COURSE, "--cepat").output)
    shown = f"assessments/rubrics/{COURSE}/m01-modul-1"
    assert (
        f"{shown}/rubrik_refleksi.yml, kolom (akar berkas): Value error, jumlah poin kriteria (5) harus sama "
        "dengan points (4)" in found
    )
    assert (
        f"{shown}/refleksi_lama.yml: tidak ada sel yang dinilai pelatih dengan grade_id 'refleksi_lama' di "
        "modul m01-modul-1" in found
    )


def test_course_yml_schema_errors_name_the_field(project):
    new_course(1)
    path = project / "courses" / COURSE / "course.yml"
    spec = yaml.safe_load(path.read_text())
    spec["jp"] = "enam"
    spec["datasets"] = [{"path": "source/m01-modul-1/tidak-ada.csv", "description": "Data rekaan"}]
    path.write_text(yaml.safe_dump(spec))
    found = problems(merit("course", "validate", COURSE, "--cepat").output)
    assert f"courses/{COURSE}/course.yml, kolom jp: harus berupa bilangan bulat" in found
    spec["jp"] = 3
    path.write_text(yaml.safe_dump(spec))
    found = problems(merit("course", "validate", COURSE, "--cepat").output)
    assert f"courses/{COURSE}/course.yml: datasets: berkas source/m01-modul-1/tidak-ada.csv tidak ditemukan" in found


def test_coverage_matrix_counts_items_and_fails_when_a_rule_is_broken(project):
    new_course(3)
    result = merit("course", "coverage")
    assert result.exit_code == 1
    # Each module of the scaffold tags its 7 graded cells integritas, komunikasi, integritas, ...
    assert re.search(r"KU1\s+KU2\s+KU3\s+Butir\s+Modul\s+OK", result.output)
    assert re.search(r"^\s*integritas\s+4\s+4\s+4\s+12\s+3\s+✓", result.output, re.M)
    assert re.search(r"^\s*komunikasi\s+3\s+3\s+3\s+9\s+3\s+✓", result.output, re.M)
    assert re.search(r"^\s*perekat_bangsa\s+·\s+·\s+·\s+0\s+0\s+✗", result.output, re.M)
    assert "KU kursus-uji (Kursus Uji): 1 = m01-modul-1, 2 = m02-modul-2, 3 = m03-modul-3" in result.output
    found = problems(result.output)
    assert (
        "kompetensi perekat_bangsa (Perekat Bangsa): diukur 0 butir di 0 modul; aturan: paling sedikit 6 butir "
        "di 2 modul (assessments/authoring.yml)" in found
    )
    assert not any("integritas" in p or "komunikasi" in p for p in found)
