"""Per-learner variants (merit_widgets.varian): own numbers per learner, graded against their own.

The unit tests check the choice and the key lookup; the end-to-end test plants variant items
in a course made by `merit course new`, runs `merit course validate` (several learners hand
in the key, a neighbour copies another variant's answer) and grades learners with Merit's
engine, one of whose code sets a neighbour's id before the tests run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from merit.catalog import load_course
from merit.catalog.framework import load_framework
from merit.grading.coursedir import build_course, enroll
from merit.grading.engine import grade_assignment
from merit.grading.sandbox import Sandbox
from merit_widgets import IsianAngka, KesalahanSoal, nilai, varian
from merit_widgets.store import Penyimpanan
from merit_widgets.varian import pilih_varian
from tests.test_authoring import COURSE, NOTEBOOK, fill_placeholders, merit, new_course, problems, project

__all__ = ["project"]  # the fixture, shared with the authoring tests

TABLE = {
    "a": {"pegawai": 40, "hadir": 34},
    "b": {"pegawai": 48, "hadir": 42},
    "c": {"pegawai": 36, "hadir": 29},
    "d": {"pegawai": 52, "hadir": 47},
    "e": {"pegawai": 45, "hadir": 38},
    "f": {"pegawai": 60, "hadir": 53},
}
KEYS = {name: round(100 * d["hadir"] / d["pegawai"], 1) for name, d in TABLE.items()}
NIPS = [f"19900101201503{n:04d}" for n in range(1, 61)]


def test_a_learner_keeps_one_variant_and_learners_spread_over_all_of_them():
    chosen = {nip: varian("hadir", TABLE, peserta=nip).nama for nip in NIPS}
    assert all(varian("hadir", TABLE, peserta=nip).nama == name for nip, name in chosen.items())
    assert set(chosen.values()) == set(TABLE)  # 60 learners reach all six variants
    own = varian("hadir", TABLE, peserta=NIPS[0])
    assert (own.pegawai, own["hadir"]) == (TABLE[own.nama]["pegawai"], TABLE[own.nama]["hadir"])
    # another item draws independently: a learner's variants do not move together
    assert [pilih_varian("lain", TABLE, nip) for nip in NIPS] != list(chosen.values())
    with pytest.raises(AttributeError):
        own.hadir = 0  # type: ignore[misc]


def test_authoring_mistakes_are_named_in_indonesian(tmp_path):
    with pytest.raises(KesalahanSoal, match="varian 'b' memuat data"):
        varian("hadir", {"a": {"pegawai": 1}, "b": {"orang": 1}})
    with pytest.raises(KesalahanSoal, match="paling sedikit dua varian"):
        varian("hadir", {"a": {"pegawai": 1}})
    with pytest.raises(KesalahanSoal, match="varian="):
        IsianAngka("lain", "Berapa?", varian=varian("hadir", TABLE), folder=tmp_path)
    soal = IsianAngka("hadir", "Berapa?", varian=varian("hadir", TABLE), folder=tmp_path)
    with pytest.raises(KesalahanSoal, match="tidak sama dengan varian soal"):
        nilai(soal, varian={"a": {"kunci": 1.0}}, poin=2)
    plain = IsianAngka("biasa", "Berapa?", folder=tmp_path)
    with pytest.raises(KesalahanSoal, match="hanya untuk soal yang dibuat dengan varian="):
        nilai(plain, varian={n: {"kunci": k} for n, k in KEYS.items()}, poin=2)


def test_nilai_scores_the_learner_being_graded_against_their_own_variant(tmp_path, monkeypatch):
    first = NIPS[0]
    other = next(
        nip for nip in NIPS if KEYS[pilih_varian("hadir", TABLE, nip)] != KEYS[pilih_varian("hadir", TABLE, first)]
    )
    Penyimpanan.di(tmp_path).simpan("hadir", "isian_angka", KEYS[pilih_varian("hadir", TABLE, first)])
    key = {name: {"kunci": value} for name, value in KEYS.items()}
    monkeypatch.setenv("MERIT_PESERTA", first)
    soal = IsianAngka("hadir", "Berapa persen?", varian=varian("hadir", TABLE), folder=tmp_path)
    assert nilai(soal, varian=key, toleransi=0.05, poin=2) == 2
    monkeypatch.setenv("MERIT_PESERTA", other)  # the same answer, graded as another learner
    assert nilai(soal, varian=key, toleransi=0.05, poin=2) == 0


def _item_cells(item: str, keys: dict[str, float], extra: str = "", by_variant: bool = True) -> list:
    table = ",\n".join(f'        "{name}": {data!r}' for name, data in TABLE.items())
    build = nbformat.v4.new_code_cell(
        "from merit_widgets import IsianAngka, varian\n"
        f'v_{item} = varian("{item}", {{\n{table},\n}})\n'
        f'soal_{item} = IsianAngka("{item}", f"Dari {{v_{item}.pegawai}} pegawai, {{v_{item}.hadir}} hadir. '
        f'Berapa persen?", kompetensi="integritas", varian=v_{item})\n'
        f"soal_{item}"
    )
    build.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": f"soal_{item}",
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    key = (
        "varian={" + ", ".join(f'"{n}": {{"kunci": {k!r}}}' for n, k in keys.items()) + "}"
        if by_variant
        else f"kunci={keys['a']!r}"
    )
    score = nbformat.v4.new_code_cell(
        "from merit_widgets import nilai, wajib_dijawab\n"
        f"wajib_dijawab(soal_{item})\n"
        "### BEGIN HIDDEN TESTS\n"
        f"nilai(soal_{item}, {key}{extra}, poin=2)\n"
        "### END HIDDEN TESTS"
    )
    score.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": f"nilai_{item}",
        "locked": True,
        "points": 2,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    score.metadata["merit"] = {"competency": "integritas", "level": 1}
    return [build, score]


@pytest.mark.e2e
def test_validate_grades_several_variants_and_grading_ignores_a_neighbours_id_set_by_learner_code(project: Path):
    new_course(1)
    fill_placeholders(project)
    path = project / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    last = max(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    notebook.cells[last + 1 : last + 1] = [
        *_item_cells("var_baik", KEYS, ", toleransi=0.05"),
        *_item_cells("var_longgar", KEYS, ", toleransi=1000"),  # a neighbour's answer passes too
        *_item_cells("var_sama", dict.fromkeys(KEYS, 85.0)),  # every variant has one key
        *_item_cells("var_lupa", KEYS, by_variant=False),  # made with variants, scored with one key
    ]
    nbformat.write(notebook, path)

    result = merit("course", "validate", COURSE)
    found = problems(result.output)
    # the key of var_baik passes for kunci, kunci-2 and kunci-3 (var_lupa's key is not read: reported below)
    assert not any("var_baik" in p or ("tidak lulus" in p and "var_lupa" not in p) for p in found), found
    assert len({pilih_varian("var_baik", KEYS, who) for who in ("kunci", "kunci-2", "kunci-3")}) > 1
    assert any(
        "(nilai_var_longgar): jawaban varian peserta lain mendapat 2 dari 2 poin: uji harus menilai varian "
        "peserta sendiri" in p
        for p in found
    ), found
    assert any(p.endswith("soal var_sama: semua varian berkunci sama; jawaban tetangga tetap benar") for p in found), (
        found
    )
    assert any(
        p.endswith(
            "soal var_lupa dibuat dengan varian= tetapi nilai(...) tanpa varian=: semua peserta "
            "dinilai dengan satu kunci"
        )
        for p in found
    ), found

    # Merit's engine: the learner's own answer scores, a neighbour's scores nothing, and so does a
    # neighbour's answer from learner code that set MERIT_PESERTA to the neighbour's id first.
    course = load_course(project / "courses" / COURSE, load_framework(project / "assessments"))
    built = build_course(course, project.parent / "ruang")
    module = course.spec.modules[0].id
    name = course.spec.modules[0].notebooks[0]

    def own(nip: str) -> float:
        return KEYS[pilih_varian("var_baik", KEYS, nip)]

    right = NIPS[0]
    copier = next(nip for nip in NIPS if own(nip) != own(right))
    tamperer = next(nip for nip in NIPS[::-1] if own(nip) != own(right))
    enroll(built, {right: "Benar", copier: "Penyalin", tamperer: "Pengubah"})
    for nip in (right, copier, tamperer):
        folder = built.submission_dir(nip, module)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(built.root / "release" / module, folder)
        Penyimpanan.di(folder).simpan("var_baik", "isian_angka", own(right))
    released = nbformat.read(built.submission_dir(tamperer, module) / name, as_version=4)
    released.cells.insert(0, nbformat.v4.new_code_cell(f'import os\nos.environ["MERIT_PESERTA"] = "{right}"'))
    nbformat.write(released, built.submission_dir(tamperer, module) / name)

    run = grade_assignment(built, module, Sandbox.detect(), force=True)
    scores = {r.student: r.notebooks[0].scores["nilai_var_baik"] for r in run.results}
    assert scores == {right: 2.0, copier: 0.0, tamperer: 0.0}
