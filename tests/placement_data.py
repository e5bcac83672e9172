"""A realistic synthetic agency for the placement tests: roster, two years of SKP, levels.

Levels are assessor decisions (overrides) drawn from a few profiles, so several people
share a profile and the tie-breaks are exercised; some people miss an SKP year.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import insert, select

from merit.catalog import Course
from merit.competency.levels import load_level_rule
from merit.competency.overrides import set_override
from merit.demo.roster import synthetic_roster, synthetic_skp
from merit.people.roster import RosterEntry, register_roster
from merit.people.skp import SkpEntry, register_skp
from merit.pipeline import after_evidence_change
from merit.registry import models
from merit.registry.sync import employee_ids

AS_OF = dt.date(2026, 11, 23)
SKP_YEARS = [2024, 2025]
POSITION = "kasubbag-kepegawaian"
# Level profiles over part of the kasubbag-kepegawaian standard; the first two tie by design.
PROFILES = [
    {"integritas": 3, "pelayanan_publik": 3, "manajemen_sdm_aparatur": 3, "komunikasi": 2},
    {"integritas": 3, "pelayanan_publik": 3, "manajemen_sdm_aparatur": 3, "komunikasi": 2},
    {"integritas": 4, "pelayanan_publik": 2, "komunikasi": 1},
    {"integritas": 2, "kerja_sama": 2, "perekat_bangsa": 2, "orientasi_hasil": 2, "komunikasi": 2},
    {},
    {
        "integritas": 3,
        "pelayanan_publik": 3,
        "manajemen_sdm_aparatur": 3,
        "komunikasi": 2,
        "kerja_sama": 2,
        "orientasi_hasil": 2,
        "pengembangan_diri": 2,
        "mengelola_perubahan": 2,
        "pengambilan_keputusan": 2,
        "perekat_bangsa": 2,
        "keamanan_informasi": 2,
    },
]


@dataclass(frozen=True)
class Agency:
    people: list[RosterEntry]
    skp: list[SkpEntry]
    levels: dict[str, dict[str, int]]  # nip -> competency -> level


def build_agency(registry, root, framework, size: int = 40, seed: int = 10) -> Agency:
    """Register the agency in ``registry``; every fourth person lacks their 2024 SKP."""
    people = synthetic_roster(size, seed)
    skp = [
        s for i, s in enumerate(synthetic_skp(people, SKP_YEARS, seed)) if not (s.year == 2024 and (i // 2) % 4 == 3)
    ]
    rng = random.Random(seed)
    levels = {p.nip: PROFILES[rng.randrange(len(PROFILES))] for p in people}
    with registry.session("pytest", "data uji penempatan") as session:
        register_roster(session, people)
        ids = employee_ids(session, [p.nip for p in people])
        register_skp(session, skp, ids)
        changed = set()
        for person in people:
            for code, level in levels[person.nip].items():
                changed.add(
                    set_override(session, framework, person.nip, code, level, "hasil asesmen uji", "Asesor Uji")
                )
        after_evidence_change(session, {}, load_level_rule(root / "assessments"), AS_OF, changed)
    return Agency(people, skp, levels)


def add_evidence(
    session,
    employee_id: int,
    course: Course,
    share: float,
    submitted: dt.datetime,
    *,
    pending: bool = False,
    skip_module: str | None = None,
) -> list[int]:
    """Evidence for every graded cell of ``course`` (but ``skip_module``'s) at ``share`` of its
    points; with ``pending``, its manually graded cells still wait for a trainer."""
    rows = [
        {
            "employee_id": employee_id,
            "competency_code": c.competency,
            "course_id": course.id,
            "assignment": c.module,
            "notebook": c.notebook,
            "cell": c.grade_id,
            "nbgrader_grade_id": c.grade_id,
            "score": c.points * share,
            "max_score": c.points,
            "needs_manual_grade": pending and c.manual,
            "submitted_at": submitted,
            "recorded_at": submitted,
        }
        for c in course.cells
        if c.module != skip_module
    ]
    session.execute(insert(models.Evidence), rows)
    return list(session.scalars(select(models.Evidence.id).where(models.Evidence.employee_id == employee_id)))
