"""Chart widgets for dashboards, checked without a browser (the browser test renders them in Voila)."""

from __future__ import annotations

import pytest

from merit_widgets import ProgresJP, RadarKompetensi


def test_radar_draws_required_and_held_levels_and_lists_the_gaps():
    radar = RadarKompetensi(
        dimiliki={"integritas": 3, "komunikasi": 1, "teknis": 4},
        dipersyaratkan={"integritas": 3, "komunikasi": 2, "pelayanan_publik": 3},
        nama={"pelayanan_publik": "pelayanan publik"},
    )
    required, held = radar.grafik.data
    assert required.name == "Level dipersyaratkan" and held.name == "Level dimiliki"
    assert list(required.theta) == ["integritas", "komunikasi", "pelayanan publik", "integritas"]
    assert list(required.r) == [3, 2, 3, 3]
    assert list(held.r) == [3, 1, 0, 3]  # not held counts 0; competencies not required are not drawn
    long = RadarKompetensi({}, {"data": 2}, nama={"data": "Keamanan Informasi dan Pelindungan Data Pribadi"})
    assert long.grafik.data[0].theta[0] == "Keamanan Informasi<br>dan Pelindungan Data<br>Pribadi"  # wrapped, not cut
    assert radar.grafik.layout.polar.radialaxis.range == (0, 5)
    assert "komunikasi: level 1 dari 2 yang dipersyaratkan (kurang 1)" in radar.kesenjangan.value
    assert "pelayanan publik: level 0 dari 3" in radar.kesenjangan.value
    assert "integritas" not in radar.kesenjangan.value

    radar.perbarui(
        dimiliki={"integritas": 3, "komunikasi": 2, "pelayanan_publik": 4},
        dipersyaratkan={"integritas": 3, "komunikasi": 2, "pelayanan_publik": 3},
    )
    assert list(radar.grafik.data[1].r) == [3, 2, 4, 3]
    assert "Semua level yang dipersyaratkan sudah terpenuhi" in radar.kesenjangan.value


def test_radar_rejects_levels_outside_one_to_five_and_speaks_english():
    with pytest.raises(ValueError, match="bilangan bulat 0-5"):
        RadarKompetensi({"integritas": 6}, {"integritas": 3})
    radar = RadarKompetensi({"integritas": 2}, {"integritas": 3}, bahasa="en")
    assert radar.grafik.data[1].name == "Level held" and "short by 1" in radar.kesenjangan.value


def test_jp_progress_against_the_yearly_twenty():
    bar = ProgresJP(14, tahun=2026)
    assert (bar.batang.value, bar.batang.max, bar.batang.bar_style) == (14, 20, "warning")
    assert "14 dari 20 JP (70%) — kurang 6 JP" in bar.keterangan.value
    bar.perbarui(24.5)
    assert (bar.batang.value, bar.batang.bar_style) == (20, "success")
    assert "24,5 dari 20 JP (100%) — target terpenuhi" in bar.keterangan.value
    assert "Learning hours (JP) in 2026" in ProgresJP(3, tahun=2026, bahasa="en").children[0].value
    with pytest.raises(ValueError):
        bar.perbarui(-1)
