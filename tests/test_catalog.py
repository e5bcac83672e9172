"""Content files load, and broken content is reported by file, field and cell."""

import json

import pytest
import yaml

from merit.catalog import load_course, load_framework, load_positions
from merit.errors import ProblemsFound

MANAGERIAL = {
    "integritas",
    "kerja_sama",
    "komunikasi",
    "orientasi_hasil",
    "pelayanan_publik",
    "pengembangan_diri",
    "mengelola_perubahan",
    "pengambilan_keputusan",
}


def test_framework_has_the_permenpanrb_38_2017_competencies(framework):
    managerial = {c.code for c in framework.competencies if c.group == "manajerial"}
    socio = {c.code for c in framework.competencies if c.group == "sosial_kultural"}
    assert managerial == MANAGERIAL
    assert {c.code for c in framework.competencies if c.group == "teknis"}
    assert socio == {"perekat_bangsa"}
    for competency in framework.competencies:
        assert [lv.level for lv in competency.levels] == [1, 2, 3, 4, 5]
        assert all(lv.indicator.strip() for lv in competency.levels)


def test_positions_require_every_managerial_and_socio_cultural_competency(root, framework):
    positions = load_positions(root / "assessments", framework)
    assert len(positions) >= 5
    assert {p.kind for p in positions.values()} >= {
        "pimpinan_tinggi",
        "administrator",
        "pengawas",
        "fungsional",
        "pelaksana",
    }
    core = {c.code for c in framework.competencies if c.group != "teknis"}
    for position in positions.values():
        assert core <= set(position.requirements)
        assert any(framework.get(code).group == "teknis" for code in position.requirements), position.code
        assert all(1 <= lv <= 5 for lv in position.requirements.values())


def test_demo_course_is_tagged_and_valid(root, framework):
    course = load_course(root / "courses" / "tata-kelola", framework)
    assert course.spec.jp > 0 and course.spec.title.id and course.spec.title.en
    auto = [c for c in course.cells if not c.manual]
    manual = [c for c in course.cells if c.manual]
    assert len(auto) >= 2 and len(manual) >= 1
    assert {c.competency for c in course.cells} <= {c.code for c in course.spec.competencies}


def test_bad_course_yml_names_file_and_field(content_copy, framework):
    path = content_copy / "courses" / "tata-kelola" / "course.yml"
    data = yaml.safe_load(path.read_text())
    data["jp"] = "enam"
    del data["modules"][0]["id"]
    data["competencies"][0]["target_levl"] = 2
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ProblemsFound) as caught:
        load_course(path.parent, framework)
    message = str(caught.value)
    assert "courses/tata-kelola/course.yml, kolom jp: harus berupa bilangan bulat" in message
    assert "kolom modules[0].id: wajib diisi" in message
    assert "kolom competencies[0].target_levl: kolom tidak dikenal" in message


def test_untagged_graded_cell_is_reported_with_file_and_cell(content_copy, framework):
    folder = content_copy / "courses" / "tata-kelola"
    notebook_path = next((folder / "source").glob("*/*.ipynb"))
    notebook = json.loads(notebook_path.read_text())
    index, cell = next(
        (i, c) for i, c in enumerate(notebook["cells"]) if c["metadata"].get("nbgrader", {}).get("grade")
    )
    del cell["metadata"]["merit"]
    notebook_path.write_text(json.dumps(notebook))
    with pytest.raises(ProblemsFound) as caught:
        load_course(folder, framework)
    grade_id = cell["metadata"]["nbgrader"]["grade_id"]
    assert f"{notebook_path.name}, sel ke-{index + 1} ({grade_id})" in str(caught.value)
    assert "belum ditandai kompetensinya" in str(caught.value)


def test_unclosed_hidden_tests_marker_is_reported_with_file_and_cell(content_copy, framework):
    folder = content_copy / "courses" / "tata-kelola"
    notebook_path = next((folder / "source").glob("*/*.ipynb"))
    notebook = json.loads(notebook_path.read_text())
    index, cell = next(
        (i, c) for i, c in enumerate(notebook["cells"]) if "### END HIDDEN TESTS" in "".join(c["source"])
    )
    cell["source"] = "".join(cell["source"]).replace("### END HIDDEN TESTS", "")
    notebook_path.write_text(json.dumps(notebook))
    with pytest.raises(ProblemsFound) as caught:
        load_course(folder, framework)
    grade_id = cell["metadata"]["nbgrader"]["grade_id"]
    assert f"{notebook_path.name}, sel ke-{index + 1} ({grade_id}): '### BEGIN HIDDEN TESTS' tidak ditutup" in str(
        caught.value
    )


def test_unknown_competency_in_position_is_reported(content_copy):
    assessments = content_copy / "assessments"
    framework = load_framework(assessments)
    path = assessments / "positions" / "kabag-organisasi.yml"
    path.write_text(path.read_text().replace("kerja_sama: 3", "kerjasama: 3"))
    with pytest.raises(
        ProblemsFound, match=r"kabag-organisasi.yml, kolom requirements.kerjasama: kode kompetensi tidak ada"
    ):
        load_positions(assessments, framework)
