"""Static checks of a course against the quality rules: modules, sections, items, data.

These complement the catalog's checks (schema, nbgrader metadata, tags), which every
command runs; these are about whether a course is *complete* enough to release, so only
``merit course validate`` runs them.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from merit.catalog import Course
from merit.catalog.quality import QualityRules
from merit.catalog.yamlfile import display_path
from merit.errors import Problem

PLACEHOLDER = "[GANTI:"  # what `merit course new` leaves for the trainer to replace
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.M)


def _headings(notebook: nbformat.NotebookNode) -> list[str]:
    return [h.lower() for cell in notebook.cells if cell.cell_type == "markdown" for h in _HEADING.findall(cell.source)]


def check_structure(course: Course, rules: QualityRules) -> list[Problem]:
    root = course.folder.parent.parent
    course_yml = display_path(course.folder / "course.yml", root)
    problems: list[Problem] = []
    if len(course.spec.modules) < rules.course.min_modules:
        problems.append(
            Problem(
                course_yml,
                f"kursus baru punya {len(course.spec.modules)} modul; paling sedikit {rules.course.min_modules}",
            )
        )
    if PLACEHOLDER in (course.folder / "course.yml").read_text(encoding="utf-8"):
        problems.append(Problem(course_yml, f"masih berisi teks contoh {PLACEHOLDER} ...] dari merit course new"))
    for module in course.spec.modules:
        folder = course.source_dir / module.id
        shown = display_path(folder, root)
        cells = [c for c in course.cells if c.module == module.id]
        auto, manual = sum(not c.manual for c in cells), sum(c.manual for c in cells)
        if auto < rules.module.min_autograded_items:
            problems.append(
                Problem(shown, f"{auto} butir dinilai otomatis; paling sedikit {rules.module.min_autograded_items}")
            )
        if manual < rules.module.min_manual_items:
            problems.append(
                Problem(
                    shown,
                    f"{manual} butir dinilai pelatih (refleksi dengan rubrik); paling sedikit "
                    f"{rules.module.min_manual_items}",
                )
            )
        headings: list[str] = []
        for name in module.notebooks:
            path = folder / name
            notebook = nbformat.read(path, as_version=4)
            headings += _headings(notebook)
            marked = [str(i + 1) for i, cell in enumerate(notebook.cells) if PLACEHOLDER in cell.source]
            if marked:
                problems.append(
                    Problem(
                        f"{display_path(path, root)}, sel ke-{', '.join(marked)}",
                        f"masih berisi teks contoh {PLACEHOLDER} ...] dari merit course new",
                    )
                )
        for section in rules.module.required_sections:
            if not any(h.startswith(section.lower()) for h in headings):
                problems.append(
                    Problem(shown, f"bagian '{section}' tidak ditemukan (judul Markdown yang diawali '{section}')")
                )
        problems += _large_files(folder, root, rules.module.max_dataset_bytes)
    return problems


def _large_files(folder: Path, root: Path, limit: int) -> list[Problem]:
    return [
        Problem(
            display_path(path, root),
            f"berkas {path.stat().st_size:,} byte melebihi batas {limit:,} byte untuk data di folder kursus",
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix != ".ipynb" and path.stat().st_size > limit
    ]
