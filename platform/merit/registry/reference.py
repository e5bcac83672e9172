"""Register the content catalog (framework, positions, courses) in the registry.

The YAML files are the source of truth; the registry keeps a copy so that evidence,
levels and rankings can be joined and queried in SQL, and so a decision records the
standard that was in force when it was made.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from merit import catalog
from merit.registry import models
from merit.registry.upsert import upsert


def register_catalog(
    session: Session,
    framework: catalog.Framework,
    positions: Iterable[catalog.Position],
    courses: Iterable[catalog.Course],
) -> set[str]:
    """Upsert the catalog; returns the codes of positions whose standard changed.

    Position matches of those positions are stale until refreshed by the caller.
    """
    changed: set[str] = set()
    for competency in framework.competencies:
        upsert(
            session,
            models.Competency,
            {"code": competency.code},
            {
                "group": competency.group,
                "name_id": competency.name["id"],
                "name_en": competency.name.get("en"),
            },
        )
    session.flush()
    for position in positions:
        row, _ = upsert(
            session,
            models.Position,
            {"code": position.code},
            {"title_id": position.title["id"], "kind": position.kind, "unit": position.unit},
        )
        current = {r.competency_code: r for r in row.requirements}
        if {c: r.level for c, r in current.items()} != position.requirements:
            changed.add(position.code)
        for code, level in position.requirements.items():
            if code in current:
                if current[code].level != level:
                    current[code].level = level
            else:
                row.requirements.append(models.PositionRequirement(competency_code=code, level=level))
        for code in set(current) - set(position.requirements):
            row.requirements.remove(current[code])
    for course in courses:
        upsert(
            session,
            models.Course,
            {"id": course.id},
            {
                "title_id": course.spec.title.id,
                "title_en": course.spec.title.en,
                "jp": course.spec.jp,
                "pass_mark": course.spec.pass_mark,
            },
        )
    return changed
