"""Which competencies the course catalog measures, and how well: the coverage matrix.

A competency level is only as trustworthy as the evidence behind it. One item, or items
from a single module, say little; so every managerial and socio-cultural competency of
the framework must be measured by enough items spread over enough modules (rule in
``assessments/authoring.yml``). An item is a graded cell: an autograded test or a
manually graded answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from merit.catalog import Course, Framework
from merit.catalog.quality import CoverageRules
from merit.errors import Problem


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    group: str
    counts: tuple[int, ...]  # items per module, in CoverageMatrix.modules order
    required: bool  # whether the coverage rule applies to this competency

    @property
    def items(self) -> int:
        return sum(self.counts)

    @property
    def modules(self) -> int:
        return sum(1 for n in self.counts if n)


@dataclass(frozen=True)
class CoverageMatrix:
    modules: tuple[tuple[str, str], ...]  # (course id, module id)
    rows: tuple[CoverageRow, ...]
    rules: CoverageRules

    def ok(self, row: CoverageRow) -> bool:
        return not row.required or (row.items >= self.rules.min_items and row.modules >= self.rules.min_modules)

    def problems(self) -> list[Problem]:
        return [
            Problem(
                f"kompetensi {row.code} ({row.name})",
                f"diukur {row.items} butir di {row.modules} modul; aturan: paling sedikit "
                f"{self.rules.min_items} butir di {self.rules.min_modules} modul (assessments/authoring.yml)",
            )
            for row in self.rows
            if not self.ok(row)
        ]


def coverage_matrix(courses: list[Course], framework: Framework, rules: CoverageRules) -> CoverageMatrix:
    """Rows: every competency the rule covers, then any other competency that has items."""
    modules = tuple((course.id, module.id) for course in courses for module in course.spec.modules)
    counts = Counter((cell.competency, course.id, cell.module) for course in courses for cell in course.cells)
    rows = []
    for competency in framework.competencies:
        required = competency.group in rules.groups
        row = tuple(counts[(competency.code, course, module)] for course, module in modules)
        if required or any(row):
            rows.append(CoverageRow(competency.code, competency.name["id"], competency.group, row, required))
    return CoverageMatrix(modules, tuple(rows), rules)
