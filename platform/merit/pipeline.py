"""What has to happen after evidence, overrides, the roster or positions change.

Levels are derived from evidence, and position matches from levels. Every writer calls
:func:`after_evidence_change` (or :func:`after_roster_change`) in the same transaction,
so derived data is never stale and a failure leaves nothing half-updated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.competency.levels import LevelReport, LevelRule, recompute_levels
from merit.competency.reliability import refresh_reliability
from merit.people.completion import refresh_completions
from merit.placement.matches import refresh_matches
from merit.registry.sync import SyncReport, sync_assignment

if TYPE_CHECKING:
    from merit.content import Content


def after_evidence_change(
    session: Session,
    courses: Mapping[str, Course],
    rule: LevelRule,
    as_of: dt.date,
    employees: Iterable[int] | None,
) -> LevelReport:
    """Recompute levels of ``employees`` (all when None), then their position matches and
    course completions (with the JP they earn).

    Recomputing everyone also refreshes the reliability of every course's evidence.
    """
    if employees is None:
        refresh_reliability(session, courses)
    report = recompute_levels(session, courses, rule, as_of, employees)
    refresh_matches(session, report.employees if employees is not None else None)
    refresh_completions(session, courses, employees)
    return report


def after_roster_change(session: Session, employees: Iterable[int]) -> None:
    """New or changed employees get match rows (a new employee ranks with no levels)."""
    refresh_matches(session, employees)


def sync_gradebook(
    session: Session,
    content: Content,
    course: Course,
    db_url: str,
    assignments: Iterable[str],
    as_of: dt.date,
) -> tuple[SyncReport, LevelReport]:
    """Bring graded assignments from nbgrader's gradebook into the registry, then levels."""
    sync = SyncReport()
    for assignment in assignments:
        sync.add(sync_assignment(session, course, db_url, assignment))
    refresh_reliability(session, [course.id])  # the cohort changed: so may the precision of its levels
    levels = after_evidence_change(session, content.courses, content.level_rule, as_of, sync.employees)
    return sync, levels
