"""Item analysis of a course's nbgrader gradebook: which items work, how consistent the scores are.

For each module the gradebook's grades become a matrix (learners × graded cells) and
:mod:`merit.analysis.statistics` computes the item and scale statistics; each competency
gets its own scale over the cells tagged with it in every module of the course. Items
are flagged with the reason by the thresholds of :class:`Thresholds` (sources in
docs/item-analysis.md). Cells that still wait for a trainer's manual grade are left out
of the analysis and named, because a missing grade is not a zero.

:func:`item_table` and :func:`ability_table` give the same results as pandas tables for
pages that show them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from merit.analysis.statistics import ItemStats, ScaleStats, ability_groups, item_statistics, scale_statistics
from merit.catalog import Course, GradedCell
from merit.errors import MeritError
from merit.registry.sync import GradeRecord, read_grades


@dataclass(frozen=True)
class Thresholds:
    """When an item or a scale is flagged (docs/item-analysis.md gives the sources)."""

    facility_low: float = 0.05  # at or below: almost nobody earns the item
    facility_high: float = 0.95  # at or above: almost everybody earns it
    efficiency_low: float = 0.15  # below: Moodle calls the item dubious
    alpha_unsatisfactory: float = 0.64  # below: Moodle's "unsatisfactory" internal consistency
    alpha_satisfactory: float = 0.75  # above: Moodle's "satisfactory"
    decisions: float = 0.80  # for decisions about individuals (Standards); the CLI passes levels.yml's
    small_n: int = 30  # fewer learners: the statistics move a lot from cohort to cohort

    def item_flags(self, item: ItemStats) -> list[str]:
        """Why an item needs a trainer's look, in Indonesian; empty when it works."""
        reasons = []
        if item.facility <= self.facility_low:
            reasons.append(f"terlalu sulit: fasilitas {item.facility:.0%} ≤ {self.facility_low:.0%}")
        if item.facility >= self.facility_high:
            reasons.append(f"terlalu mudah: fasilitas {item.facility:.0%} ≥ {self.facility_high:.0%}")
        if item.sd == 0:
            reasons.append("semua peserta mendapat skor yang sama: butir tidak membedakan")
        if item.discrimination is not None and item.discrimination < 0:
            reasons.append(
                f"daya beda negatif ({item.discrimination:.2f}): peserta yang unggul di butir lain lebih sering "
                "gagal di butir ini; periksa kunci jawaban dan sel uji"
            )
        if item.efficiency is not None and item.efficiency < self.efficiency_low:
            reasons.append(f"efisiensi daya beda {item.efficiency:.0%} < {self.efficiency_low:.0%}: meragukan")
        return reasons

    def scale_verdict(self, scale: ScaleStats) -> str:
        """How consistent a scale is, in Indonesian."""
        if scale.alpha is None:
            return "reliabilitas tidak dapat dihitung (kurang dari 2 butir, atau skor total tidak bervariasi)"
        if scale.alpha < self.alpha_unsatisfactory:
            verdict = f"tidak memuaskan (< {self.alpha_unsatisfactory:.0%})"
        elif scale.alpha <= self.alpha_satisfactory:
            verdict = f"sedang ({self.alpha_unsatisfactory:.0%}–{self.alpha_satisfactory:.0%})"
        else:
            verdict = f"memuaskan (> {self.alpha_satisfactory:.0%})"
        if scale.alpha < self.decisions:
            verdict += f"; di bawah {self.decisions:.2f}: belum cukup untuk keputusan perorangan"
        if scale.n < self.small_n:
            verdict += f"; hanya {scale.n} peserta: angka ini belum stabil"
        return verdict


@dataclass(frozen=True)
class ItemReport:
    cell: GradedCell
    stats: ItemStats
    flags: tuple[str, ...]
    groups: tuple[float, ...]  # facility per ability group, lowest group first


@dataclass(frozen=True)
class ScaleReport:
    name: str  # a module id or a competency code
    stats: ScaleStats
    verdict: str


@dataclass(frozen=True)
class ModuleAnalysis:
    module: str
    title: str
    items: tuple[ItemReport, ...]
    scale: ScaleReport | None  # None when nobody has submitted the module
    pending: tuple[str, ...] = ()  # cells left out: they wait for manual grading
    incomplete: int = 0  # learners left out: some item of theirs has no grade


@dataclass
class CourseAnalysis:
    course: Course
    thresholds: Thresholds
    modules: list[ModuleAnalysis] = field(default_factory=list)
    competencies: list[ScaleReport] = field(default_factory=list)


def _matrix(records: list[GradeRecord], cells: list[GradedCell]) -> tuple[pd.DataFrame, tuple[str, ...], int]:
    """learners × cells of ``cells``; cells with a pending manual grade dropped, incomplete learners dropped."""
    frame = pd.DataFrame(
        [(r.student, (r.notebook, r.cell), r.score, r.needs_manual_grade) for r in records],
        columns=["student", "cell", "score", "pending"],
    )
    keys = [(c.notebook, c.grade_id) for c in cells]
    pending = tuple(sorted({grade_id for (_, grade_id) in frame.loc[frame["pending"], "cell"]}))
    wanted = [k for k in keys if k[1] not in pending]
    table = frame.pivot_table(index="student", columns="cell", values="score", aggfunc="first", dropna=False)
    table = table.reindex(columns=pd.Index(wanted, tupleize_cols=False))
    complete = table.dropna()
    return complete, pending, len(table) - len(complete)


def _items(cells: list[GradedCell], matrix: pd.DataFrame, thresholds: Thresholds, groups: int) -> list[ItemReport]:
    names = [c.grade_id for c in cells]
    tops = [c.points for c in cells]
    scores = matrix.to_numpy()
    stats = item_statistics(scores, tops, names)
    by_group = ability_groups(scores, tops, groups) if len(scores) else np.zeros((0, len(cells)))
    return [
        ItemReport(cell, item, tuple(thresholds.item_flags(item)), tuple(float(g) for g in by_group[:, j]))
        for j, (cell, item) in enumerate(zip(cells, stats, strict=True))
    ]


def analyse_course(
    course: Course,
    db_url: str,
    modules: list[str] | None = None,
    thresholds: Thresholds | None = None,
    groups: int = 3,
) -> CourseAnalysis:
    """Item and scale statistics of ``modules`` (all of the course's when None) from the gradebook."""
    return analyse_grades(course, lambda module: read_grades(db_url, course.id, module), modules, thresholds, groups)


def analyse_grades(
    course: Course,
    grades_of: Callable[[str], list[GradeRecord]],
    modules: list[str] | None = None,
    thresholds: Thresholds | None = None,
    groups: int = 3,
) -> CourseAnalysis:
    """The same analysis over grades from any source: ``grades_of(module)`` gives a module's grades.

    The CLI reads nbgrader's gradebook; the trainer page reads the registry's evidence (the
    gradebook synced), so both show the same numbers.
    """
    thresholds = thresholds or Thresholds()
    known = [m.id for m in course.spec.modules]
    chosen = modules or known
    unknown = [m for m in chosen if m not in known]
    if unknown:
        raise MeritError(f"Modul {', '.join(unknown)} tidak ada di kursus {course.id}: {', '.join(known)}.")
    analysis = CourseAnalysis(course, thresholds)
    by_competency: dict[str, list[tuple[GradedCell, pd.Series]]] = defaultdict(list)
    for module in course.spec.modules:
        if module.id not in chosen:
            continue
        cells = [c for c in course.cells if c.module == module.id]
        records = grades_of(module.id)
        if not records:
            analysis.modules.append(ModuleAnalysis(module.id, module.title.id, (), None))
            continue
        matrix, pending, incomplete = _matrix(records, cells)
        kept = [c for c in cells if c.grade_id not in pending]
        items = _items(kept, matrix, thresholds, groups)
        stats = scale_statistics(matrix.to_numpy(), [c.points for c in kept])
        scale = ScaleReport(module.id, stats, thresholds.scale_verdict(stats))
        analysis.modules.append(ModuleAnalysis(module.id, module.title.id, tuple(items), scale, pending, incomplete))
        for cell in kept:
            by_competency[cell.competency].append((cell, matrix[(cell.notebook, cell.grade_id)]))
    for code, columns in sorted(by_competency.items()):
        joined = pd.concat([series for _, series in columns], axis=1, join="inner")
        stats = scale_statistics(joined.to_numpy(), [cell.points for cell, _ in columns])
        analysis.competencies.append(ScaleReport(code, stats, thresholds.scale_verdict(stats)))
    return analysis


def item_table(module: ModuleAnalysis) -> pd.DataFrame:
    """One row per item: the numbers a trainer reads, and why the item is flagged."""
    return pd.DataFrame(
        [
            {
                "butir": item.cell.grade_id,
                "kompetensi": item.cell.competency,
                "poin": item.stats.max_score,
                "n": item.stats.n,
                "fasilitas": item.stats.facility,
                "sd": item.stats.sd,
                "daya_beda": item.stats.discrimination,
                "efisiensi": item.stats.efficiency,
                "benar_salah": item.stats.dichotomous,
                "catatan": "; ".join(item.flags),
            }
            for item in module.items
        ]
    )


def ability_table(module: ModuleAnalysis) -> pd.DataFrame:
    """Long table (butir, kelompok, fasilitas) for a plot of each item's score by ability group."""
    rows = []
    for item in module.items:
        count = len(item.groups)
        for index, facility in enumerate(item.groups):
            rows.append({"butir": item.cell.grade_id, "kelompok": group_label(index, count), "fasilitas": facility})
    return pd.DataFrame(rows, columns=["butir", "kelompok", "fasilitas"])


def group_label(index: int, count: int) -> str:
    """``bawah``, ``tengah``, ``atas`` for three groups; numbered otherwise."""
    if count == 3:
        return ("bawah", "tengah", "atas")[index]
    return f"kelompok {index + 1} dari {count}"
