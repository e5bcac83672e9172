"""Question items without a browser: storing, reading back, scoring rules, order, language."""

from __future__ import annotations

import json

import ipywidgets as widgets
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from merit_widgets import (
    IsianAngka,
    KesalahanSoal,
    Likert,
    Peringkat,
    PilihanBerbobot,
    PilihanGanda,
    PilihanTunggal,
    TombolKirim,
    Uraian,
    nilai,
)
from merit_widgets.numeric import baca_angka
from merit_widgets.store import FOLDER, Penyimpanan

OPTIONS = {"a": "Pilihan A", "b": "Pilihan B", "c": "Pilihan C", "d": "Pilihan D"}


@pytest.fixture(autouse=True)
def learner(monkeypatch):
    monkeypatch.setenv("MERIT_PESERTA", "199001012015031001")
    monkeypatch.delenv("MERIT_BAHASA", raising=False)


def order(item) -> list[str]:
    return [key for _, key in item.tombol.options]


def test_a_click_is_stored_at_once_and_a_new_item_reads_it_back(tmp_path):
    first = PilihanTunggal("s1", "Apa?", OPTIONS, kompetensi="integritas", folder=tmp_path)
    assert first.jawaban is None and "Belum dijawab" in first._status.value
    first.tombol.value = "c"
    stored = json.loads((tmp_path / FOLDER / "soal" / "s1.json").read_text())
    assert stored["jawaban"] == "c" and stored["jenis"] == "pilihan_tunggal" and stored["kompetensi"] == "integritas"
    assert "Jawaban tersimpan" in first._status.value
    again = PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path)  # e.g. after a kernel restart
    assert again.tombol.value == "c" and again.jawaban == "c"
    assert not list((tmp_path / FOLDER / "soal").glob(".tmp-*")), "no temporary file left behind"


def test_nothing_is_written_until_the_learner_answers(tmp_path):
    PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path)
    Peringkat("r1", "Urutkan", OPTIONS, folder=tmp_path)
    assert not (tmp_path / FOLDER).exists()


def test_order_is_stable_per_learner_different_between_learners(tmp_path, monkeypatch):
    mine = order(PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path / "saya"))
    assert order(PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path / "saya")) == mine
    others = set()
    for n in range(8):
        monkeypatch.setenv("MERIT_PESERTA", f"peserta-{n}")
        others.add(tuple(order(PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path / f"p{n}"))))
    assert len(others) > 1 and sorted(mine) == sorted(OPTIONS)
    assert order(PilihanTunggal("s2", "Apa?", OPTIONS, folder=tmp_path / "tetap", acak=False)) == list(OPTIONS)


def test_seed_is_fixed_at_the_first_answer_and_holds_no_user_name(tmp_path, monkeypatch):
    item = PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path)
    mine = order(item)
    item.tombol.value = "a"
    seed = (tmp_path / FOLDER / "benih.json").read_text()
    assert "199001012015031001" not in seed
    monkeypatch.setenv("MERIT_PESERTA", "pelatih")  # a trainer opens the learner's notebook
    assert order(PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path)) == mine


def test_single_choice_scores_by_key_whatever_the_order(tmp_path):
    item = PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path)
    assert nilai(item, kunci="b", poin=2) == 0.0  # unanswered
    item.tombol.value = "b"
    assert nilai(item, kunci="b", poin=2) == 2.0
    assert nilai(item, kunci="a", poin=2) == 0.0
    with pytest.raises(KesalahanSoal, match="bukan salah satu pilihan"):
        nilai(item, kunci="x", poin=2)


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [
        ([], 0.0),
        (["a"], 1.0),
        (["a", "b"], 2.0),
        (["a", "c"], 0.0),
        (["a", "b", "c"], 1.0),
        (["a", "b", "c", "d"], 0.0),
    ],
)
def test_multiple_choice_partial_credit_is_right_minus_wrong(tmp_path, ticked, expected):
    item = PilihanGanda("g1", "Mana saja?", OPTIONS, folder=tmp_path)
    for key in ticked:
        item.kotak[key].value = True
    assert nilai(item, kunci={"a", "b"}, poin=2) == expected


def test_weighted_options_score_the_chosen_weight(tmp_path):
    item = PilihanBerbobot("w1", "Sikap Anda?", OPTIONS, folder=tmp_path)
    weights = {"a": 5, "b": 4, "c": 2, "d": 1}
    item.tombol.value = "b"
    assert nilai(item, bobot=weights, poin=5) == 4.0
    item.tombol.value = "d"
    assert nilai(item, bobot=weights, poin=10) == 2.0
    with pytest.raises(KesalahanSoal, match="setiap pilihan"):
        nilai(item, bobot={"a": 5}, poin=5)
    with pytest.raises(KesalahanSoal, match="tidak sesuai jenis soal"):
        nilai(item, kunci="a", poin=5)


def test_ranking_scores_pairs_in_the_key_order(tmp_path):
    item = Peringkat("r1", "Urutkan", OPTIONS, folder=tmp_path)
    key = ["a", "b", "c", "d"]
    assert nilai(item, urutan=key, poin=6) == 0.0  # never ranked: the shuffled start is no answer
    item.tetapkan.click()
    assert item.tersimpan() == item.urutan
    for position, wanted in enumerate(key):  # bubble each into place with the Up action
        while item.urutan.index(wanted) > position:
            here = item.urutan.index(wanted)
            item.pindah(here, here - 1)
    assert nilai(item, urutan=key, poin=6) == 6.0
    item.pindah(1, 2)  # one neighbour swap: 5 of 6 pairs still in order
    assert nilai(item, urutan=key, poin=6) == 5.0
    assert nilai(item, urutan=list(reversed(key)), poin=6) == 1.0
    assert item._up[0].disabled and item._down[-1].disabled
    with pytest.raises(KesalahanSoal, match="tepat sekali"):
        nilai(item, urutan=["a", "b", "c"], poin=6)


@settings(deadline=None)  # each example writes a file with fsync: slow on a loaded disk, not a defect
@given(st.permutations(["a", "b", "c", "d"]), st.permutations(["a", "b", "c", "d"]))
def test_ranking_score_is_between_zero_and_one(tmp_path_factory, stored, key):
    folder = tmp_path_factory.mktemp("r")
    Penyimpanan.di(folder).simpan("r1", "peringkat", list(stored))
    share = Peringkat("r1", "Urutkan", OPTIONS, folder=folder).skor(urutan=list(key))
    assert 0.0 <= share <= 1.0
    assert (share == 1.0) == (list(stored) == list(key))


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("57,1", 57.1),
        ("57.1", 57.1),
        (" 4 ", 4.0),
        ("-3,5", -3.5),
        ("1 250", 1250.0),
        ("1.250,5", None),
        ("empat", None),
        ("", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_numbers_accept_a_decimal_comma_or_point(typed, value):
    assert baca_angka(typed) == value


def test_numeric_answer_within_tolerance(tmp_path):
    item = IsianAngka("n1", "Berapa?", satuan="%", folder=tmp_path)
    item.kotak.value = "57,15"
    assert "Tercatat: 57,15" in item._status.value
    assert nilai(item, kunci=57.1, toleransi=0.05, poin=2) == 2.0
    assert nilai(item, kunci=57.1, poin=2) == 0.0
    item.kotak.value = "lima puluh"  # not a number: shown as a problem, the stored answer is kept
    assert "bukan angka" in item._status.value and item.tersimpan() == 57.15
    assert IsianAngka("n1", "Berapa?", folder=tmp_path).kotak.value == "57,15"


def test_written_answer_is_stored_as_typed_and_not_autoscored(tmp_path):
    item = Uraian("u1", "Jelaskan.", folder=tmp_path)
    item.kotak.value = "Layanan ini gratis, Pak."
    assert "4 kata" in item._status.value
    assert Uraian("u1", "Jelaskan.", folder=tmp_path).kotak.value == "Layanan ini gratis, Pak."
    with pytest.raises(KesalahanSoal, match="tidak dinilai otomatis"):
        nilai(item, kunci="x", poin=3)
    assert "Layanan ini gratis, Pak." in item._ringkasan()


def test_likert_is_recorded_never_scored_nor_shuffled(tmp_path, monkeypatch):
    item = Likert("l1", "Saya berani menolak.", folder=tmp_path)
    assert [label for label, _ in item.tombol.options][0] == "1 — Sangat tidak sesuai"
    item.tombol.value = 4
    assert Penyimpanan.di(tmp_path).baca("l1").nilai == 4
    with pytest.raises(KesalahanSoal):
        nilai(item, kunci=4, poin=1)
    monkeypatch.setenv("MERIT_PESERTA", "orang-lain")
    assert [v for _, v in Likert("l1", "Saya berani menolak.", folder=tmp_path).tombol.options] == [1, 2, 3, 4, 5]


def test_summary_escapes_what_the_learner_wrote(tmp_path):
    item = Uraian("u1", "Jelaskan.", folder=tmp_path)
    item.kotak.value = "<script>alert(1)</script>"
    assert "<script>" not in item._ringkasan() and "&lt;script&gt;" in item._ringkasan()


def test_english_labels_by_argument_or_environment(tmp_path, monkeypatch):
    assert "Choose one answer" in PilihanTunggal("s1", "Q?", OPTIONS, bahasa="en", folder=tmp_path).children[2].value
    monkeypatch.setenv("MERIT_BAHASA", "en")
    likert = Likert("l1", "I speak up.", folder=tmp_path)
    assert likert.skala[0] == "Not at all like me" and "Not answered yet" in likert._status.value
    with pytest.raises(ValueError, match="tidak dikenal"):
        PilihanTunggal("s2", "Q?", OPTIONS, bahasa="fr", folder=tmp_path)


def test_a_damaged_answer_file_is_reported_and_scores_nothing(tmp_path):
    item = PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path)
    item.tombol.value = "a"
    (tmp_path / FOLDER / "soal" / "s1.json").write_text("{ rusak")
    again = PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path)
    assert "rusak" in again._status.value and again.tombol.value is None
    assert nilai(again, kunci="a", poin=1) == 0.0


def test_a_failed_write_is_shown_to_the_learner(tmp_path):
    (tmp_path / FOLDER).write_text("not a folder")  # the answers folder cannot be created
    item = PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path)
    item.tombol.value = "a"
    assert "GAGAL disimpan" in item._status.value


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda f: PilihanTunggal("Soal 1", "Apa?", OPTIONS, folder=f), "id soal"),
        (lambda f: PilihanTunggal("s1", " ", OPTIONS, folder=f), "pertanyaan kosong"),
        (lambda f: PilihanTunggal("s1", "Apa?", {"a": "satu"}, folder=f), "paling sedikit dua"),
        (lambda f: PilihanGanda("s1", "Apa?", {"a": "satu", "B x": "dua"}, folder=f), "kunci pilihan"),
        (lambda f: Likert("s1", "Apa?", skala=["saja"], folder=f), "skala"),
    ],
)
def test_authoring_mistakes_are_explained(tmp_path, build, message):
    with pytest.raises(KesalahanSoal, match=message):
        build(tmp_path)


def test_nilai_checks_its_arguments(tmp_path):
    item = PilihanTunggal("s1", "Apa?", OPTIONS, folder=tmp_path)
    with pytest.raises(KesalahanSoal, match="poin"):
        nilai(item, kunci="a", poin=0)
    with pytest.raises(KesalahanSoal, match="merit_widgets"):
        nilai("s1", kunci="a", poin=1)


def _exchange(home, module: str, course: str = "kursus-uji"):
    """A learner's home with nbgrader's folder exchange and the module fetched into it."""
    exchange = home.parent / "exchange"
    (exchange / course / "inbound").mkdir(parents=True)
    (exchange / course / "outbound" / module).mkdir(parents=True)
    home.mkdir(exist_ok=True)
    (home / "nbgrader_config.py").write_text(
        f"c.CourseDirectory.course_id = {course!r}\nc.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.cache = {str(home.parent / 'cache')!r}\n"
    )
    folder = home / module
    folder.mkdir()
    return exchange / course / "inbound", folder


def test_submit_hands_in_through_nbgrader_and_names_unanswered_items(tmp_path):
    inbound, folder = _exchange(tmp_path / "rumah", "m01")
    (folder / "modul.ipynb").write_text("{}")
    answered = PilihanTunggal("kirim_a", "Apa?", OPTIONS, sebutan="Soal 1", folder=folder)
    PilihanTunggal("kirim_b", "Apa lagi?", OPTIONS, sebutan="Soal 2", folder=folder)
    Likert("kirim_c", "Saya.", folder=folder)  # not scored: not counted, not listed
    answered.tombol.value = "a"
    (folder / FOLDER / "soal" / "kirim_a.json").unlink()  # e.g. a write that was lost
    button = TombolKirim(folder=folder)
    button.tombol.click()
    assert Penyimpanan.di(folder).baca("kirim_a").nilai == "a"
    record = json.loads((folder / FOLDER / "kiriman.json").read_text())
    assert record["terkirim"] is True and record["dijawab"] == ["kirim_a"] and record["belum_dijawab"] == ["kirim_b"]
    shown = button.hasil.value
    assert "Terkirim kepada pelatih pada" in shown and "modul m01 (modul.ipynb)" in shown
    assert "1 dari 2 soal yang dinilai sudah dijawab" in shown and "Belum dijawab: Soal 2." in shown
    (submission,) = inbound.iterdir()
    assert submission.name.split("+")[1] == "m01"
    assert json.loads((submission / FOLDER / "soal" / "kirim_a.json").read_text())["jawaban"] == "a"
    assert "simpan dulu notebook (Ctrl + S)" in button.petunjuk.value


def test_submit_says_in_indonesian_when_the_exchange_is_not_there(tmp_path, monkeypatch):
    inbound, folder = _exchange(tmp_path / "rumah", "m01")
    inbound.rmdir()
    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.8")
    button = TombolKirim(folder=folder)
    button.tombol.click()
    assert "Jawaban BELUM terkirim: kelas kursus-uji belum dibuka untuk pengumpulan" in button.hasil.value
    assert "merit-status-gagal" in button.hasil.value
    assert json.loads((folder / FOLDER / "kiriman.json").read_text())["terkirim"] is False
    assert "tersimpan sendiri setiap kali Anda mengklik" in button.petunjuk.value


def test_items_are_keyboard_reachable_and_fill_narrow_screens(tmp_path):
    """Every control is a native focusable input or button; nothing has a fixed pixel width."""
    items = [
        PilihanTunggal("k1", "Apa?", OPTIONS, folder=tmp_path),
        PilihanGanda("k2", "Apa?", OPTIONS, folder=tmp_path),
        Peringkat("k3", "Urutkan", OPTIONS, folder=tmp_path),
        IsianAngka("k4", "Berapa?", folder=tmp_path),
        Uraian("k5", "Jelaskan.", folder=tmp_path),
        Likert("k6", "Saya.", folder=tmp_path),
    ]
    focusable = (widgets.RadioButtons, widgets.Checkbox, widgets.Button, widgets.Text, widgets.Textarea)

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    for item in items:
        assert item.layout.width == "100%"
        controls = [w for w in walk(item) if isinstance(w, focusable)]
        assert controls, item.id
        assert all(not (w.layout.width or "").endswith("px") for w in walk(item))
