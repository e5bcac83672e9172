"""Near-identical answers across real submissions are listed side by side, and nothing else happens."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from merit.analysis.similarity import code_tokens, find_similar, text_tokens
from merit.cli import app
from merit.demo.roster import synthetic_roster
from merit.demo.submissions import load_answer_book, write_submission
from merit.grading.gradebook import dump_scores
from tests.grading_support import MODULE, demo_course

ORIGINAL = """def persen_tepat_waktu(durasi_hari, standar_hari):
    # hitung yang tidak melewati standar
    cepat = [d for d in durasi_hari if d <= standar_hari]
    persen = len(cepat) / len(durasi_hari) * 100
    return round(persen, 1)
"""
# The same program: other names, other comments, other spacing.
DISGUISED = """def persen_tepat_waktu(a, b):
    ok   = [x for x in a if x <= b]      # yang selesai
    hasil = len(ok)/len(a)*100
    return round(hasil, 1)
"""
INDEPENDENT = """def persen_tepat_waktu(durasi_hari, standar_hari):
    jumlah = 0
    for durasi in durasi_hari:
        if durasi <= standar_hari:
            jumlah += 1
    return round(100 * jumlah / len(durasi_hari), 1)
"""
ESSAY = (
    "Pengumuman seleksi terbuka jabatan Kepala Bidang Pelayanan dibuka bagi seluruh PNS yang memenuhi syarat "
    "pangkat dan masa kerja. Pendaftaran dilakukan melalui portal resmi, jadwal setiap tahap diumumkan, dan "
    "hasil setiap tahap dipublikasikan agar masyarakat dapat ikut mengawasi."
)
ESSAY_COPY = ESSAY.upper().replace(",", "").replace(".", " !") + "   "


def test_normalisation_ignores_names_comments_layout_case_and_punctuation():
    assert code_tokens(ORIGINAL) == code_tokens(DISGUISED)
    assert code_tokens(ORIGINAL) != code_tokens(INDEPENDENT)
    assert code_tokens("print(len(x)).upper") == ["print", "(", "len", "(", "v1", ")", ")", ".", "upper", "NEWLINE"]
    assert code_tokens("def f(:\n  'unclosed") == ["def", "f", "unclosed"]  # not Python: compared word by word
    assert text_tokens(ESSAY) == text_tokens(ESSAY_COPY)


@pytest.fixture
def submissions(settings):
    """The governance course with 8 demo learners, plus a copier pair and an independent learner."""
    built, nips = demo_course(settings, 8)
    extra = [entry.nip for entry in synthetic_roster(11, 7)[8:]]
    book = load_answer_book(built.course, MODULE)
    variants = {
        extra[0]: {"jawab_tepat_waktu": ORIGINAL, "refleksi_pengumuman": ESSAY},
        extra[1]: {"jawab_tepat_waktu": DISGUISED, "refleksi_pengumuman": ESSAY_COPY},
        extra[2]: {"jawab_tepat_waktu": INDEPENDENT},
    }
    for nip, answers in variants.items():
        own = type(book)(book.notebook, tuple(answers), {cell: {"own": text} for cell, text in answers.items()}, {})
        write_submission(built, MODULE, own, nip, dict.fromkeys(answers, "own"), dt.datetime(2026, 11, 3, 9, 0))
    return built, nips, extra


def test_copied_code_and_text_are_paired_and_independent_work_is_not(submissions):
    built, nips, (original, copier, independent) = submissions
    report = find_similar(built, MODULE)
    assert report.learners == len(nips) + 3
    pairs = {(p.cell, frozenset((p.first.learner, p.second.learner))): p for p in report.pairs}
    code = pairs[("jawab_tepat_waktu", frozenset((original, copier)))]
    text = pairs[("refleksi_pengumuman", frozenset((original, copier)))]
    assert code.score == text.score == 1.0 and code.kind == "kode" and text.kind == "uraian"
    assert {code.first.source, code.second.source} == {ORIGINAL, DISGUISED}  # the evidence as written
    assert not [p for p in report.pairs if independent in (p.first.learner, p.second.learner)]
    # the first demo learner answers everything with the trainer's solution: counted, never paired
    assert report.as_key["jawab_tepat_waktu"] >= 1
    assert not [p for p in report.pairs if nips[0] in (p.first.learner, p.second.learner)]
    # the blank learner (released stubs) is never paired
    assert not [p for p in report.pairs if nips[3] in (p.first.learner, p.second.learner)]


def test_the_trainer_reads_both_answers_side_by_side_and_no_score_changes(submissions):
    built, _, (original, copier, _) = submissions
    before = dump_scores(built.db_url, built.course.id, MODULE)
    result = CliRunner().invoke(app, ["kemiripan", "tata-kelola", MODULE], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "jawab_tepat_waktu (kode)" in result.output and "refleksi_pengumuman (jawaban tertulis)" in result.output
    assert f"* {original[-3:]}" in result.output and f"* {copier[-3:]}" in result.output
    assert "persen_tepat_waktu(a, b)" in result.output and "KEPALA BIDANG PELAYANAN" in result.output
    assert "tidak mengubah nilai" in result.output
    assert dump_scores(built.db_url, built.course.id, MODULE) == before
    wrong = CliRunner().invoke(app, ["kemiripan", "tata-kelola", "m09-tidak-ada"])
    assert wrong.exit_code == 2 and "m09-tidak-ada" in wrong.output
