"""Exact-type checks for test cells, against the lying answers ``merit course validate`` hands in."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from merit.authoring.palsu import palsu, samarkan
from merit_widgets import IsianAngka, Peringkat, PilihanGanda, PilihanTunggal, nilai
from merit_widgets.periksa import BelumTepat, periksa, periksa_jenis, periksa_sama, sama

RIGHT = ["C", 57.1, 3, ["ADU-102", "ADU-104"], {"antrean": 2, "biaya": 1}, ("a", 1), dt.date(2026, 4, 13), None]


@pytest.mark.parametrize("right", RIGHT, ids=lambda v: type(v).__name__)
def test_a_lie_fools_plain_comparison_but_not_the_checks(right):
    lie = palsu(right)
    assert lie == right and right == lie and not (lie != right)  # what a plain assert sees
    if type(right).__hash__ is not None:
        assert hash(lie) == hash(right)
    assert not sama(lie, right)
    with pytest.raises(BelumTepat):
        periksa_sama(lie, right, "salah")
    with pytest.raises(BelumTepat):
        periksa_jenis(lie, type(right))
    periksa_sama(right, right)


def test_common_methods_of_a_lie_answer_as_the_right_answer_would():
    text = palsu("  C ")
    assert text.strip().upper() == "C" and len(palsu([1, 2])) == 2 and int(palsu(144)) == 144
    assert abs(palsu(57.1) - 57.1) < 0.05 and list(palsu([1, 2])) == [1, 2]
    function = samarkan(lambda x: x * 2)
    assert function(2) == 4 and type(function(2)) is not int
    with pytest.raises(BelumTepat):
        periksa(abs(palsu(57.1) - 57.1) < 0.05 and palsu(True))


def test_honest_numbers_pass_whatever_their_plain_type():
    assert sama(125, 125.0) and sama(np.int64(17), 17) and sama(np.float64(2.5), 2.5)
    assert sama([1, 2.0], [1.0, 2]) and sama({"a": [1]}, {"a": [1]})
    assert not sama(True, 1) and not sama("1", 1) and not sama([1], (1,))
    assert sama(0.1 + 0.2, 0.3, toleransi=1e-9) and not sama(0.1 + 0.2, 0.3)
    periksa(np.bool_(True))
    with pytest.raises(BelumTepat):
        periksa(1)  # truthy is not True


def test_a_failed_check_shows_its_indonesian_message_not_a_traceback():
    with pytest.raises(BelumTepat) as caught:
        periksa_sama([1], [2], "Hasilnya seharusnya [2].")
    shown = caught.value._render_traceback_()
    assert len(shown) == 1 and shown[0].endswith("Belum tepat:\x1b[0m Hasilnya seharusnya [2].")


def test_click_items_score_only_the_stored_answer_of_exact_types(tmp_path, monkeypatch):
    monkeypatch.setenv("MERIT_PESERTA", "199001012015031001")
    options = {"a": "A", "b": "B", "c": "C"}
    single = PilihanTunggal("satu", "?", pilihan=options, folder=tmp_path)
    several = PilihanGanda("banyak", "?", pilihan=options, folder=tmp_path)
    ranking = Peringkat("urut", "?", pilihan=options, folder=tmp_path)
    number = IsianAngka("angka", "?", folder=tmp_path)
    # A learner's cell that makes each item read a lie instead of its answer file.
    single.tersimpan = lambda: palsu("a")
    several.tersimpan = lambda: palsu(["a", "b"])
    ranking.tersimpan = lambda: palsu(["a", "b", "c"])
    number.tersimpan = lambda: palsu(57.1)
    assert nilai(single, kunci="a", poin=2) == 0
    assert nilai(several, kunci={"a", "b"}, poin=2) == 0
    assert nilai(ranking, urutan=["a", "b", "c"], poin=3) == 0
    assert nilai(number, kunci=57.1, poin=2) == 0
    single.tombol.value = "a"
    assert nilai(single, kunci="a", poin=2) == 2
