"""Nine-box talent grid: the shipped mapping, its validation, and grids per unit and per position."""

from __future__ import annotations

import pytest
import yaml

from merit.content import load_content
from merit.errors import MeritError, ProblemsFound
from merit.placement.eligibility import Criteria
from merit.placement.talent import grid_for_position, grid_for_unit, load_grid_rule
from merit.settings import Settings
from tests.placement_data import AS_OF, POSITION, build_agency

# PermenPANRB 3/2020: box numbers by (kinerja, potensial).
BOXES = {
    ("di_bawah_ekspektasi", "rendah"): 1,
    ("di_bawah_ekspektasi", "menengah"): 2,
    ("sesuai_ekspektasi", "rendah"): 3,
    ("di_bawah_ekspektasi", "tinggi"): 4,
    ("sesuai_ekspektasi", "menengah"): 5,
    ("di_atas_ekspektasi", "rendah"): 6,
    ("sesuai_ekspektasi", "tinggi"): 7,
    ("di_atas_ekspektasi", "menengah"): 8,
    ("di_atas_ekspektasi", "tinggi"): 9,
}


@pytest.fixture(scope="module")
def rule(root):
    return load_grid_rule(root / "assessments")


@pytest.mark.parametrize(
    ("predikat", "performance"),
    [
        ("Sangat Baik", "di_atas_ekspektasi"),
        ("Baik", "sesuai_ekspektasi"),
        ("Butuh Perbaikan", "di_bawah_ekspektasi"),
        ("Kurang", "di_bawah_ekspektasi"),
        ("Sangat Kurang", "di_bawah_ekspektasi"),
    ],
)
@pytest.mark.parametrize(
    ("jpm", "potential"),
    [(100, "tinggi"), (90, "tinggi"), (89.99, "menengah"), (78, "menengah"), (77.99, "rendah"), (0, "rendah")],
)
def test_shipped_grid_follows_the_regulation(rule, predikat, performance, jpm, potential):
    box = rule.box(rule.performance(predikat), rule.potential(jpm))
    assert (box.kinerja, box.potensial, box.kotak) == (performance, potential, BOXES[(performance, potential)])
    expected_pool = {9: "siap_sekarang", 8: "siap_dengan_pengembangan", 7: "siap_dengan_pengembangan"}
    assert box.kelompok == expected_pool.get(box.kotak, "belum_siap")


def test_a_grid_file_missing_a_box_is_rejected_by_name(content_copy):
    path = content_copy / "assessments" / "talent-grid.yml"
    data = yaml.safe_load(path.read_text())
    data["kotak"] = [b for b in data["kotak"] if b["kotak"] != 5]
    data["kinerja"]["sesuai_ekspektasi"] = []
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ProblemsFound, match="talent-grid.yml") as raised:
        load_grid_rule(content_copy / "assessments")
    assert "setiap predikat SKP tepat sekali" in str(raised.value)


def test_grids_per_unit_and_per_position(registry, root, framework, rule):
    content = load_content(Settings(root=root))
    agency = build_agency(registry, root, framework)
    skp_2025 = {s.nip: s.predikat for s in agency.skp if s.year == 2025}
    unit = "Sekretariat Daerah"
    with registry.session() as session:
        by_unit = grid_for_unit(session, unit, rule, content.jpm_rule, 2025)
        criteria = Criteria(as_of=AS_OF, skp_min="Baik")
        by_position = grid_for_position(session, POSITION, rule, content.jpm_rule, 2025, criteria)
        with pytest.raises(MeritError, match="Unit kerja 'Dinas Antah' tidak punya pegawai"):
            grid_for_unit(session, "Dinas Antah", rule, content.jpm_rule, 2025)
        with pytest.raises(MeritError, match="Predikat SKP tahun 2019 belum ada"):
            grid_for_unit(session, unit, rule, content.jpm_rule, 2019)
    members = [p for p in agency.people if p.unit == unit]
    assert sorted(e.nip for e in by_unit.entries) == sorted(p.nip for p in members)
    for entry in by_unit.entries:
        person = next(p for p in members if p.nip == entry.nip)
        assert entry.position_code == person.position_code  # potential against the position held now
        required = content.positions[person.position_code].requirements
        held = agency.levels[person.nip]
        assert entry.jpm == content.jpm_rule.match(held, required).percent
        assert entry.box == rule.box(rule.performance(skp_2025[person.nip]), rule.potential(entry.jpm))

    eligible = {
        p.nip
        for p in agency.people
        if all(
            any(s.nip == p.nip and s.year == y and s.predikat in ("Sangat Baik", "Baik") for s in agency.skp)
            for y in (2024, 2025)
        )
    }
    assert {e.nip for e in by_position.entries} == eligible
    assert by_position.unrated == []  # eligibility already demands the 2025 SKP
    required = content.positions[POSITION].requirements
    ready = by_position.pool("siap_sekarang")
    developing = by_position.pool("siap_dengan_pengembangan")
    full_profile = {
        nip for nip, levels in agency.levels.items() if content.jpm_rule.match(levels, required).percent >= 90
    }
    assert {e.nip for e in ready} == {n for n in eligible & full_profile if skp_2025[n] == "Sangat Baik"}
    assert {e.nip for e in developing} == {n for n in eligible & full_profile if skp_2025[n] == "Baik"}
    assert ready and developing
    assert sum(len(by_position.cell(k, p)) for k, p in BOXES) == len(by_position.placed)


def test_people_without_skp_for_the_year_are_listed_not_placed(registry, root, framework, rule):
    content = load_content(Settings(root=root))
    agency = build_agency(registry, root, framework)
    with registry.session() as session:
        grid = grid_for_position(session, POSITION, rule, content.jpm_rule, 2024, Criteria(as_of=AS_OF))
    missing = {p.nip for p in agency.people} - {s.nip for s in agency.skp if s.year == 2024}
    assert missing and {e.nip for e in grid.unrated} == missing
    assert len(grid.placed) + len(grid.unrated) == len(agency.people)
