"""Everything a learner reads on an item that the trainer did not write, in two languages.

Indonesian is the default (learners are ASN); English is the second language of the
platform. A notebook picks English per item (``bahasa="en"``) or for the whole session
with the environment variable ``MERIT_BAHASA=en``.
"""

from __future__ import annotations

import datetime as dt
import os

BAHASA = ("id", "en")

_TEKS: dict[str, dict[str, str]] = {
    "id": {
        "belum_dijawab": "Belum dijawab.",
        "tersimpan": "Jawaban tersimpan ({waktu}).",
        "gagal_simpan": "Jawaban GAGAL disimpan: {alasan}. Beri tahu pelatih Anda.",
        "berkas_rusak": "Berkas jawaban untuk soal ini rusak ({alasan}); jawab ulang soal ini.",
        "pilih_satu": "Pilih satu jawaban.",
        "pilih_semua": "Pilih semua jawaban yang benar (boleh lebih dari satu).",
        "urutkan": (
            "Urutkan tanggapan dari yang paling tepat (nomor 1) sampai yang paling tidak tepat. "
            "Pakai tombol Naik dan Turun; dengan papan ketik: Tab ke tombol, lalu Enter."
        ),
        "naik": "Naik",
        "turun": "Turun",
        "naikkan": "Naikkan: {pilihan}",
        "turunkan": "Turunkan: {pilihan}",
        "tetapkan_urutan": "Simpan urutan ini",
        "isi_angka": "Tulis angka; pakai koma atau titik untuk desimal, tanpa pemisah ribuan.",
        "bukan_angka": "'{teks}' bukan angka. Contoh yang benar: 57,1 atau 57.1",
        "tercatat_angka": "Tercatat: {angka}.",
        "tulis_uraian": "Tulis jawaban Anda di kotak ini; setiap ketikan langsung tersimpan.",
        "jumlah_kata": "{kata} kata.",
        "nilai_diri": "Pilih yang paling sesuai dengan diri Anda. Jawaban ini dicatat, tidak dinilai.",
        "likert": "Sangat tidak sesuai|Tidak sesuai|Ragu-ragu|Sesuai|Sangat sesuai",
        "kirim": "Kirim jawaban",
        "cara_kirim_lab": (
            "Jawaban soal klik tersimpan sendiri. Bila modul ini punya jawaban kode atau teks, simpan dulu "
            "notebook (Ctrl + S), lalu tekan tombol ini untuk menyerahkan modul kepada pelatih."
        ),
        "cara_kirim_voila": (
            "Jawaban Anda tersimpan sendiri setiap kali Anda mengklik atau mengetik. Setelah semua soal dijawab, "
            "tekan tombol ini untuk menyerahkan modul kepada pelatih."
        ),
        "dijawab": "{dijawab} dari {jumlah} soal yang dinilai sudah dijawab",
        "terkirim": "Terkirim kepada pelatih pada {waktu}: modul {modul} ({berkas}); {dijawab}.",
        "belum": "Belum dijawab: {daftar}.",
        "kirim_ulang": "Anda boleh mengirim ulang; yang dinilai kiriman terakhir.",
        "gagal_kirim": (
            "Jawaban BELUM terkirim: {alasan}. Jawaban Anda tetap tersimpan di folder modul; coba lagi nanti "
            "atau beri tahu pelatih."
        ),
        "soal_belum_dijawab": "{soal} belum dijawab.",
        "soal": "Soal",
        "jawaban": "Jawaban tersimpan",
        "tidak_ada": "(belum dijawab)",
        "radar_dimiliki": "Level dimiliki",
        "radar_dipersyaratkan": "Level dipersyaratkan",
        "radar_judul": "Profil kompetensi",
        "radar_kurang": "{nama}: level {dimiliki} dari {syarat} yang dipersyaratkan (kurang {selisih})",
        "radar_memenuhi": "Semua level yang dipersyaratkan sudah terpenuhi.",
        "jp_judul": "Jam pelajaran (JP) tahun {tahun}",
        "jp_progres": "{jp} dari {target} JP ({persen}%)",
        "jp_kurang": "kurang {sisa} JP",
        "jp_terpenuhi": "target terpenuhi",
    },
    "en": {
        "belum_dijawab": "Not answered yet.",
        "tersimpan": "Answer saved ({waktu}).",
        "gagal_simpan": "Answer NOT saved: {alasan}. Please tell your trainer.",
        "berkas_rusak": "The saved answer for this item is damaged ({alasan}); please answer again.",
        "pilih_satu": "Choose one answer.",
        "pilih_semua": "Choose every correct answer (more than one is allowed).",
        "urutkan": (
            "Rank the responses from most appropriate (number 1) to least appropriate. "
            "Use the Up and Down buttons; with a keyboard: Tab to a button, then Enter."
        ),
        "naik": "Up",
        "turun": "Down",
        "naikkan": "Move up: {pilihan}",
        "turunkan": "Move down: {pilihan}",
        "tetapkan_urutan": "Save this order",
        "isi_angka": "Type a number; use a comma or a point for decimals, no thousands separators.",
        "bukan_angka": "'{teks}' is not a number. For example: 57.1 or 57,1",
        "tercatat_angka": "Recorded: {angka}.",
        "tulis_uraian": "Write your answer in this box; every keystroke is saved.",
        "jumlah_kata": "{kata} words.",
        "nilai_diri": "Choose what describes you best. This answer is recorded, not scored.",
        "likert": "Not at all like me|Not like me|Unsure|Like me|Very much like me",
        "kirim": "Submit answers",
        "cara_kirim_lab": (
            "Answers to click items save themselves. If this module has code or text answers, save the notebook "
            "first (Ctrl + S), then press this button to hand the module in to your trainer."
        ),
        "cara_kirim_voila": (
            "Your answers save themselves on every click or keystroke. Once every item is answered, press this "
            "button to hand the module in to your trainer."
        ),
        "dijawab": "{dijawab} of {jumlah} scored items answered",
        "terkirim": "Handed in to your trainer at {waktu}: module {modul} ({berkas}); {dijawab}.",
        "belum": "Not answered: {daftar}.",
        "kirim_ulang": "You may hand in again; the last submission is graded.",
        "gagal_kirim": (
            "Answers NOT handed in: {alasan}. Your answers are still saved in the module folder; try again later "
            "or tell your trainer."
        ),
        "soal_belum_dijawab": "{soal} is not answered.",
        "soal": "Item",
        "jawaban": "Saved answer",
        "tidak_ada": "(not answered)",
        "radar_dimiliki": "Level held",
        "radar_dipersyaratkan": "Level required",
        "radar_judul": "Competency profile",
        "radar_kurang": "{nama}: level {dimiliki} of the required {syarat} (short by {selisih})",
        "radar_memenuhi": "Every required level is met.",
        "jp_judul": "Learning hours (JP) in {tahun}",
        "jp_progres": "{jp} of {target} JP ({persen}%)",
        "jp_kurang": "{sisa} JP to go",
        "jp_terpenuhi": "target met",
    },
}


def pilih_bahasa(bahasa: str | None = None) -> str:
    """The language to use: the argument, else ``MERIT_BAHASA``, else Indonesian."""
    chosen = (bahasa or os.environ.get("MERIT_BAHASA") or "id").strip().lower()
    if chosen not in BAHASA:
        raise ValueError(f"bahasa '{chosen}' tidak dikenal; pilih salah satu: {', '.join(BAHASA)}")
    return chosen


def teks(bahasa: str, kunci: str, **isian: object) -> str:
    """The label ``kunci`` in ``bahasa``, with ``isian`` filled in."""
    return _TEKS[bahasa][kunci].format(**isian)


def angka(nilai: float, bahasa: str) -> str:
    """A number as a learner writes it: decimal comma in Indonesian, point in English."""
    shown = f"{nilai:.10g}"
    return shown.replace(".", ",") if bahasa == "id" else shown


def waktu(disimpan: str) -> str:
    """A stored UTC time as the kernel's local date and time, e.g. 23-11-2026 17:41:34."""
    return dt.datetime.fromisoformat(disimpan).astimezone().strftime("%d-%m-%Y %H:%M:%S")
