"""Competency frameworks (Standar Kompetensi, PermenPANRB 38/2017).

A framework lists competencies, each with exactly five proficiency levels and a
behavioural indicator per level. Positions and course cells refer to competencies by
their ``code``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from merit.catalog.yamlfile import StrictModel, load_model
from merit.errors import MeritError

CompetencyGroup = Literal["manajerial", "sosial_kultural", "teknis"]
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


class Level(StrictModel):
    level: int = Field(ge=1, le=5)
    indicator: str = Field(min_length=1)


class Competency(StrictModel):
    code: str = Field(pattern=CODE_PATTERN)
    group: CompetencyGroup
    name: dict[str, str]
    definition: str = Field(min_length=1)
    levels: list[Level]

    @field_validator("levels")
    @classmethod
    def _five_levels(cls, levels: list[Level]) -> list[Level]:
        if [lv.level for lv in levels] != [1, 2, 3, 4, 5]:
            raise ValueError("harus berisi tepat level 1, 2, 3, 4, 5 secara berurutan")
        return levels

    @field_validator("name")
    @classmethod
    def _indonesian_name(cls, name: dict[str, str]) -> dict[str, str]:
        if not name.get("id"):
            raise ValueError("nama dalam bahasa Indonesia (kunci 'id') wajib ada")
        return name


class Framework(StrictModel):
    id: str
    title: str
    source: str
    competencies: list[Competency]

    @field_validator("competencies")
    @classmethod
    def _unique_codes(cls, items: list[Competency]) -> list[Competency]:
        codes = [c.code for c in items]
        duplicated = sorted({c for c in codes if codes.count(c) > 1})
        if duplicated:
            raise ValueError(f"kode kompetensi ganda: {', '.join(duplicated)}")
        return items

    def get(self, code: str) -> Competency:
        for competency in self.competencies:
            if competency.code == code:
                return competency
        raise MeritError(f"Kompetensi '{code}' tidak ada dalam kerangka {self.id}.")

    @property
    def codes(self) -> set[str]:
        return {c.code for c in self.competencies}


def load_framework(assessments_dir: Path) -> Framework:
    """Load the framework file; there is one framework per deployment."""
    return load_model(
        Framework,
        assessments_dir / "frameworks" / "permenpanrb-38-2017.yml",
        assessments_dir.parent,
    )
