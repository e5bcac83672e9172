"""All of the content files a command needs, loaded once and registered together.

Commands that write to the registry first make sure the registry's copy of the
catalog (competencies, positions, courses) matches the files, so that foreign keys hold
and rankings use the standard currently in force.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from merit.catalog import Course, Framework, Position, load_courses, load_framework, load_positions, load_units
from merit.competency.levels import LevelRule, load_level_rule
from merit.placement.jpm import JPMRule
from merit.placement.matches import refresh_matches
from merit.placement.rules import PlacementRules, load_placement_rules
from merit.registry.reference import register_catalog
from merit.settings import Settings


@dataclass(frozen=True)
class Content:
    framework: Framework
    positions: dict[str, Position]
    courses: dict[str, Course]
    units: set[str]
    placement: PlacementRules
    level_rule: LevelRule

    @property
    def jpm_rule(self) -> JPMRule:
        return self.placement.jpm


def load_content(settings: Settings) -> Content:
    """Load and validate every content file; any problem is reported by file and field."""
    framework = load_framework(settings.assessments_dir)
    return Content(
        framework=framework,
        positions=load_positions(settings.assessments_dir, framework),
        courses=load_courses(settings.courses_dir, framework),
        units=load_units(settings.assessments_dir),
        placement=load_placement_rules(settings.assessments_dir),
        level_rule=load_level_rule(settings.assessments_dir),
    )


def register_content(session: Session, content: Content) -> None:
    """Bring the registry's catalog in line with the files; refresh matches if a standard changed."""
    if register_catalog(session, content.framework, content.positions.values(), content.courses.values()):
        refresh_matches(session)
