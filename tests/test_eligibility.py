"""Administrative requirements: layers, the NIP rule in SQL, and the pool they leave, on each backend."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from merit import golongan, predikat
from merit.catalog.eligibility import EligibilityRule
from merit.content import load_content
from merit.errors import MeritError
from merit.nip import parse_nip
from merit.placement.eligibility import Criteria, resolve_criteria
from merit.placement.ranking import rank_position
from merit.settings import Settings
from tests.placement_data import AS_OF, POSITION, build_agency


@pytest.fixture(scope="module")
def content(root):
    return load_content(Settings(root=root))


@given(
    appointed=st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2026, 12, 1)),
    as_of=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)),
    years=st.integers(min_value=1, max_value=40),
)
def test_years_of_service_in_sql_agrees_with_the_nip_rule(appointed, as_of, years):
    nip = f"19600101{appointed:%Y%m}1001"
    held = parse_nip(nip, dt.date(2040, 12, 31)).years_of_service(as_of)
    criteria = Criteria(as_of=as_of, masa_kerja_min=years)
    assert (nip[8:14] <= criteria.appointed_by()) == (held >= years)


def test_requirements_come_from_kind_then_position_then_command_line(content):
    pengawas = resolve_criteria(content.placement, content.positions[POSITION], content.units, AS_OF)
    assert (pengawas.golongan_min, pengawas.masa_kerja_min, pengawas.skp_min, pengawas.skp_period) == (
        "III/b",
        4,
        "Baik",
        (2025, 2024),
    )
    ahli_muda = resolve_criteria(
        content.placement, content.positions["analis-kebijakan-ahli-muda"], content.units, AS_OF
    )
    assert ahli_muda.golongan_min == "III/c"  # the position's file over the fungsional default III/a
    override = EligibilityRule(skp_min=None, units=["Sekretariat Daerah"], masa_kerja_min=10)
    custom = resolve_criteria(content.placement, content.positions[POSITION], content.units, AS_OF, override)
    assert (custom.golongan_min, custom.masa_kerja_min, custom.units, custom.skp_min) == (
        "III/b",
        10,
        ("Sekretariat Daerah",),
        None,
    )
    assert "Penata Muda Tingkat I (III/b)" in custom.text() and "SKP" not in custom.text()
    with pytest.raises(MeritError, match="Unit kerja tidak dikenal: Dinas Antah"):
        resolve_criteria(
            content.placement, content.positions[POSITION], content.units, AS_OF, EligibilityRule(units=["Dinas Antah"])
        )


def _passes(person, skp, criteria: Criteria) -> dict[str, bool]:
    """The requirements checked in Python, independently of the SQL."""
    ratings = {s.year: s.predikat for s in skp if s.nip == person.nip}
    complete = all(y in ratings for y in criteria.skp_period)
    return {
        "golongan": person.golongan in golongan.at_least(criteria.golongan_min),
        "masa_kerja": parse_nip(person.nip).years_of_service(criteria.as_of) >= criteria.masa_kerja_min,
        "unit": person.unit in criteria.units,
        "skp_complete": complete,
        "skp_good": complete and all(ratings[y] in predikat.at_least(criteria.skp_min) for y in criteria.skp_period),
    }


def test_ranking_keeps_exactly_the_people_meeting_every_requirement(registry, root, framework, content):
    agency = build_agency(registry, root, framework)
    units = (
        "Sekretariat Daerah",
        "Badan Kepegawaian dan Pengembangan SDM",
        "Dinas Komunikasi dan Informatika",
        "Dinas Kependudukan dan Pencatatan Sipil",
    )
    criteria = Criteria(as_of=AS_OF, golongan_min="III/c", masa_kerja_min=8, units=units, skp_min="Baik")
    with registry.session() as session:
        ranking = rank_position(session, POSITION, content.jpm_rule, criteria=criteria, level_rule=content.level_rule)
    checks = {p.nip: _passes(p, agency.skp, criteria) for p in agency.people}
    expected = {nip for nip, c in checks.items() if all(c.values())}
    assert 0 < len(expected) < len(agency.people)
    assert {c.nip for c in ranking.candidates} == expected
    failed = ranking.pool.failed
    assert ranking.pool.employees == len(agency.people) and ranking.pool.eligible == len(expected)
    assert failed["golongan di bawah III/c"] == sum(not c["golongan"] for c in checks.values()) > 0
    assert failed["masa kerja kurang dari 8 tahun"] == sum(not c["masa_kerja"] for c in checks.values()) > 0
    assert failed["di luar unit kerja yang ditentukan"] == sum(not c["unit"] for c in checks.values()) > 0
    assert failed["SKP belum lengkap"] == sum(not c["skp_complete"] for c in checks.values()) > 0
    assert failed["SKP di bawah Baik"] == sum(c["skp_complete"] and not c["skp_good"] for c in checks.values()) > 0
    order = [(-c.match.percent, -c.match.met, c.nip) for c in ranking.candidates]
    assert order == sorted(order)
    first = ranking.candidates[0]
    assert first.skp and set(first.skp) == {2024, 2025}
    assert first.years_of_service == parse_nip(first.nip).years_of_service(AS_OF)


def test_input_errors_are_clear(registry, root, framework, content):
    with registry.session() as session, pytest.raises(MeritError, match="belum berisi pegawai"):
        rank_position(session, POSITION, content.jpm_rule)
    build_agency(registry, root, framework, size=12)
    with registry.session() as session:
        with pytest.raises(MeritError, match="Jabatan 'kepala-dinas-antah' tidak dikenal. Jabatan yang ada: "):
            rank_position(session, "kepala-dinas-antah", content.jpm_rule)
        with pytest.raises(
            MeritError,
            match=r"Tidak ada kandidat .* 0 dari 12 pegawai memenuhi syarat; tidak memenuhi: 12 golongan di bawah IV/e",
        ):
            rank_position(session, POSITION, content.jpm_rule, criteria=Criteria(as_of=AS_OF, golongan_min="IV/e"))
        with pytest.raises(MeritError, match="Predikat SKP tahun 2021, 2022 belum ada di registri"):
            rank_position(
                session, POSITION, content.jpm_rule, criteria=Criteria(as_of=dt.date(2023, 5, 1), skp_min="Baik")
            )
