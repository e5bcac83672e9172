"""``merit course new``: a course folder that already builds, grades and validates.

A trainer learns the format fastest from a working example of every part, so each module
is generated complete: objectives, reading, worked example, two code exercises, four click
items, a written reflection with its rubric file, summary. Text the trainer must write is
marked ``[GANTI: ...]``; ``merit course validate`` lists every marker left, and passes
nothing else until they are gone. The exercises themselves run, so the solution and
release checks pass from the first validate and keep passing while the text is replaced.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from merit.catalog import Framework
from merit.catalog.rubrics import rubric_path
from merit.errors import MeritError

COURSE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


@dataclass(frozen=True)
class Tag:
    competency: str
    level: int


def _nbgrader(
    cell: nbformat.NotebookNode,
    grade_id: str,
    *,
    grade: bool = False,
    solution: bool = False,
    locked: bool = True,
    task: bool = False,
    points: float | None = None,
    tag: Tag | None = None,
) -> nbformat.NotebookNode:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": task,
    }
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    if tag is not None:
        cell.metadata["merit"] = {"competency": tag.competency, "level": tag.level}
    return cell


def _text(grade_id: str, source: str) -> nbformat.NotebookNode:
    return _nbgrader(new_markdown_cell(source), grade_id)


def _locked_code(grade_id: str, source: str) -> nbformat.NotebookNode:
    return _nbgrader(new_code_cell(source), grade_id)


def _test(grade_id: str, source: str, points: float, tag: Tag) -> nbformat.NotebookNode:
    return _nbgrader(new_code_cell(source), grade_id, grade=True, points=points, tag=tag)


def _item(
    variable: str, cls: str, question: str, options: dict[str, str], key: str, points: int, tag: Tag, heading: str
) -> list[nbformat.NotebookNode]:
    """An item cell (read-only) and its hidden scoring cell, as docs/widgets.md describes."""
    listed = "".join(f"\n        {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in options.items())
    constructor = (
        f'{cls}(\n    "{variable}",\n    "{question}",\n    pilihan={{{listed}\n    }},\n'
        f'    sebutan="{heading}",\n    kompetensi="{tag.competency}",\n)'
    )
    return [
        _locked_code(f"soal_{variable}", f"soal_{variable} = {constructor}\nsoal_{variable}"),
        _test(
            f"nilai_{variable}",
            "# Sel penilaian: kuncinya tersembunyi dan baru dipakai saat notebook dinilai.\n"
            f"from merit_widgets import wajib_dijawab\nwajib_dijawab(soal_{variable})\n"
            f"### BEGIN HIDDEN TESTS\nnilai(soal_{variable}, {key}, poin={points})\n### END HIDDEN TESTS",
            points,
            tag,
        ),
    ]


RUBRIC_CRITERIA = [
    {
        "name": "Ketepatan isi",
        "points": 2,
        "description": "2 poin bila [GANTI: apa yang harus ada]; 1 poin bila sebagian; 0 bila tidak ada.",
    },
    {
        "name": "Contoh dari pekerjaan sendiri",
        "points": 1,
        "description": "1 poin bila memberi contoh nyata dari unit kerja sendiri.",
    },
    {"name": "Kejelasan", "points": 1, "description": "1 poin bila runtut dan mudah dipahami rekan kerja."},
]


def module_notebook(number: int, tags: list[Tag]) -> nbformat.NotebookNode:
    """A complete module template; ``tags`` are cycled over its graded cells."""
    tag = [tags[i % len(tags)] for i in range(7)]
    rubric_rows = "\n".join(f"| {c['points']} | {c['name']}: {c['description']} |" for c in RUBRIC_CRITERIA)
    cells = [
        _text(
            "judul",
            f"# Modul {number} — [GANTI: judul modul]\n\n[GANTI: satu paragraf pengantar: untuk siapa "
            "modul ini dan mengapa penting bagi pekerjaannya.]\n\n## Tujuan pembelajaran\n\nSetelah modul ini Anda "
            "mampu:\n\n1. [GANTI: tujuan pertama, dengan kata kerja yang dapat diamati]\n"
            "2. [GANTI: tujuan kedua]\n3. [GANTI: tujuan ketiga]",
        ),
        _text(
            "bacaan",
            "## Bacaan — [GANTI: judul bacaan]\n\n[GANTI: bacaan 600–1200 kata dalam bahasa Indonesia "
            "yang jelas. Sebut dasar aturannya (nomor dan tahun peraturan) dan beri contoh dari praktik instansi.]",
        ),
        _text(
            "contoh_pengantar",
            "## Contoh — menghitung JP dari menit pelatihan\n\nSatu jam pelajaran (JP) sama "
            "dengan 45 menit (PerLAN 5/2018). Pelatihan 135 menit berarti 135 ÷ 45 = 3 JP. Jalankan sel di bawah "
            "dengan **Shift + Enter**.\n\n[GANTI: ganti contoh ini dengan contoh yang dikerjakan langkah demi "
            "langkah untuk topik modul Anda.]",
        ),
        new_code_cell('menit = 135\njp = menit / 45\nprint("Pelatihan", menit, "menit =", jp, "JP")'),
        _locked_code(
            "impor",
            "from merit_widgets import Peringkat, PilihanBerbobot, PilihanGanda, PilihanTunggal, "
            "TombolKirim, Uraian, nilai",
        ),
        _text(
            "soal_kode_1",
            "## Latihan 1 — JP dari menit (2 poin)\n\nLengkapi fungsi `jp_dari_menit(menit)` yang "
            "mengubah lama pelatihan dalam menit menjadi JP, dibulatkan satu angka di belakang koma.\n\n"
            "[GANTI: ganti latihan ini dengan latihan kode untuk topik modul Anda, atau hapus bila modul Anda "
            "hanya memakai soal klik.]",
        ),
        _nbgrader(
            new_code_cell(
                "def jp_dari_menit(menit):\n    ### BEGIN SOLUTION\n    return round(menit / 45, 1)\n"
                "    ### END SOLUTION"
            ),
            "jawab_kode_1",
            solution=True,
            locked=False,
        ),
        _test(
            "uji_kode_1",
            "from merit_widgets.periksa import periksa_sama\n"
            'periksa_sama(jp_dari_menit(135), 3.0, "135 menit seharusnya 3.0 JP.")\nprint("Tes terlihat '
            'lulus.")\n### BEGIN HIDDEN TESTS\nperiksa_sama(jp_dari_menit(100), 2.2, "100 menit ÷ 45 = 2,22…, '
            'dibulatkan 2.2.")\n### END HIDDEN TESTS',
            2,
            tag[0],
        ),
        _text(
            "soal_kode_2",
            "## Latihan 2 — Sisa hak JP (2 poin)\n\nSetiap ASN berhak atas paling sedikit 20 JP "
            "pengembangan kompetensi setahun. Lengkapi `sisa_jp(daftar_jp)` yang memberi JP yang masih kurang "
            "(0 bila sudah terpenuhi).\n\n[GANTI: ganti atau hapus latihan ini.]",
        ),
        _nbgrader(
            new_code_cell(
                "def sisa_jp(daftar_jp):\n    ### BEGIN SOLUTION\n    return max(0, 20 - sum(daftar_jp))"
                "\n    ### END SOLUTION"
            ),
            "jawab_kode_2",
            solution=True,
            locked=False,
        ),
        _test(
            "uji_kode_2",
            "from merit_widgets.periksa import periksa_sama\n"
            'periksa_sama(sisa_jp([6, 2, 8]), 4, "6 + 2 + 8 = 16 JP, jadi masih kurang 4.")\n'
            'print("Tes terlihat lulus.")\n### BEGIN HIDDEN TESTS\nperiksa_sama(sisa_jp([12, 10]), 0, "Lebih dari 20 '
            'JP berarti tidak ada kekurangan (0).")\nperiksa_sama(sisa_jp([]), 20)\n### END HIDDEN TESTS',
            2,
            tag[1],
        ),
        _text("kasus_1", "## Soal 3\n\n[GANTI: ceritakan kasusnya di sini; di dalam soal cukup pertanyaannya.]"),
        *_item(
            "tunggal",
            "PilihanTunggal",
            "[GANTI: pertanyaan]",
            {"a": "[GANTI: pilihan yang benar]", "b": "[GANTI: pengecoh]", "c": "[GANTI: pengecoh]"},
            'kunci="a"',
            2,
            tag[2],
            "Soal 3",
        ),
        _text("kasus_2", "## Soal 4\n\n[GANTI: kasus untuk soal pilihan ganda (boleh lebih dari satu jawaban).]"),
        *_item(
            "ganda",
            "PilihanGanda",
            "[GANTI: pertanyaan]",
            {"a": "[GANTI: benar]", "b": "[GANTI: benar]", "c": "[GANTI: salah]", "d": "[GANTI: salah]"},
            'kunci={"a", "b"}',
            2,
            tag[3],
            "Soal 4",
        ),
        _text(
            "kasus_3",
            "## Soal 5\n\n[GANTI: kasus untuk soal berbobot: setiap pilihan diberi bobot, tanpa satu jawaban benar.]",
        ),
        *_item(
            "berbobot",
            "PilihanBerbobot",
            "[GANTI: pertanyaan]",
            {"a": "[GANTI: paling tepat]", "b": "[GANTI: cukup tepat]", "c": "[GANTI: kurang tepat]"},
            'bobot={"a": 5, "b": 3, "c": 1}',
            5,
            tag[4],
            "Soal 5",
        ),
        _text("kasus_4", "## Soal 6\n\n[GANTI: kasus untuk mengurutkan tanggapan dari yang paling tepat.]"),
        *_item(
            "urutan",
            "Peringkat",
            "Urutkan dari yang paling tepat.",
            {"a": "[GANTI: pertama]", "b": "[GANTI: kedua]", "c": "[GANTI: ketiga]"},
            'urutan=["a", "b", "c"]',
            3,
            tag[5],
            "Soal 6",
        ),
        _text(
            "kasus_refleksi",
            "## Refleksi (4 poin, dinilai pelatih)\n\n[GANTI: pertanyaan refleksi yang mengaitkan "
            "modul dengan pekerjaan peserta.]",
        ),
        _locked_code(
            "soal_refleksi",
            f'soal_refleksi = Uraian(\n    "refleksi",\n    "[GANTI: pertanyaan]",\n'
            f'    kompetensi="{tag[6].competency}",\n)\nsoal_refleksi',
        ),
        _nbgrader(
            new_markdown_cell(
                f"**Rubrik refleksi (4 poin, dinilai pelatih):**\n\n| Poin | Kriteria |\n| :-: | --- |\n{rubric_rows}"
            ),
            "rubrik_refleksi",
            task=True,
            points=4,
            tag=tag[6],
        ),
        _text(
            "ringkasan",
            "## Ringkasan\n\n* [GANTI: tiga sampai lima butir yang perlu diingat peserta.]\n\n"
            "Tekan **Kirim jawaban** untuk memeriksa soal yang belum dijawab.",
        ),
        _locked_code("kirim", "TombolKirim()"),
    ]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = KERNELSPEC
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def scaffold_course(
    courses_dir: Path,
    assessments_dir: Path,
    framework: Framework,
    course_id: str,
    title: str,
    modules: int,
    competencies: dict[str, int],
) -> Path:
    """Write ``courses/<course_id>/`` and its rubric files; refuses to overwrite anything."""
    if not COURSE_ID.match(course_id):
        raise MeritError(
            f"Kode kursus '{course_id}' tidak valid: pakai huruf kecil, angka, dan tanda minus, misalnya etika-dasar."
        )
    folder = courses_dir / course_id
    if folder.exists():
        raise MeritError(f"Folder courses/{course_id} sudah ada; pilih kode lain atau hapus folder itu dulu.")
    unknown = sorted(set(competencies) - framework.codes)
    if unknown:
        raise MeritError(
            f"Kompetensi {', '.join(unknown)} tidak ada dalam kerangka kompetensi. Kode yang ada: "
            f"{', '.join(sorted(framework.codes))}."
        )
    tags = [Tag(code, 1) for code in competencies]
    spec: dict[str, Any] = {
        "id": course_id,
        "title": {"id": title, "en": "[GANTI: English title]"},
        "description": {
            "id": "[GANTI: dua atau tiga kalimat tentang isi dan manfaat kursus.]",
            "en": "[GANTI: the same in English.]",
        },
        "jp": 3 * modules,
        "pass_mark": 70,
        "competencies": [{"code": code, "target_level": level} for code, level in competencies.items()],
        "modules": [],
    }
    for number in range(1, modules + 1):
        module_id, notebook = f"m{number:02d}-modul-{number}", f"modul_{number}.ipynb"
        spec["modules"].append(
            {
                "id": module_id,
                "title": {"id": f"[GANTI: judul modul {number}]", "en": f"[GANTI: module {number} title]"},
                "notebooks": [notebook],
            }
        )
        (folder / "source" / module_id).mkdir(parents=True)
        nbformat.write(module_notebook(number, tags), folder / "source" / module_id / notebook)
        rubric = rubric_path(assessments_dir, course_id, module_id, "rubrik_refleksi")
        rubric.parent.mkdir(parents=True, exist_ok=True)
        rubric.write_text(
            yaml.safe_dump(
                {"title": "[GANTI: judul refleksi]", "points": 4, "criteria": RUBRIC_CRITERIA},
                allow_unicode=True,
                sort_keys=False,
            ),
            encoding="utf-8",
        )
    header = (
        "# Kursus dibuat oleh `merit course new`. Ganti setiap [GANTI: ...], lalu jalankan\n"
        f"# `merit course validate {course_id}`. Panduan: docs/authoring.md\n"
    )
    (folder / "course.yml").write_text(
        header + yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder
