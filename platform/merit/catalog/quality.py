"""The quality rules a course must meet, from ``assessments/authoring.yml``.

They are content, not code: an agency that wants eight items per module or another
required section changes the file, and ``merit course validate`` / ``merit course
coverage`` follow it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from merit.catalog.framework import CompetencyGroup
from merit.catalog.yamlfile import StrictModel, load_model


class CourseRules(StrictModel):
    min_modules: int = Field(ge=1)


class ModuleRules(StrictModel):
    min_autograded_items: int = Field(ge=0)
    min_manual_items: int = Field(ge=0)
    required_sections: list[str] = Field(default_factory=list)
    max_dataset_bytes: int = Field(gt=0)


class CoverageRules(StrictModel):
    groups: list[CompetencyGroup] = Field(min_length=1)
    min_items: int = Field(ge=1)
    min_modules: int = Field(ge=1)


class QualityRules(StrictModel):
    course: CourseRules
    module: ModuleRules
    coverage: CoverageRules


def load_quality_rules(assessments_dir: Path) -> QualityRules:
    return load_model(QualityRules, assessments_dir / "authoring.yml", assessments_dir.parent)
