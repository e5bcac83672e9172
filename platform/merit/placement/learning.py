"""Learning plans (one ASN, one target position) and training-needs analysis (one unit).

Courses are taken from the catalog as it stands: a course can close a gap in a
competency when its ``course.yml`` lists that competency with a target level above the
level held, since the level rule lets a course certify up to its target level and never
more. Nothing here names a course: adding a course to ``courses/`` changes the plans.

Choosing courses, per gap, largest gap first:

1. a course already in the plan that reaches the required level;
2. otherwise the course reaching the required level at the lowest target level, then
   the fewest JP, then its id;
3. otherwise (no course reaches the requirement) the course reaching highest, and the
   rest of the gap is reported as not covered by the catalog.

Steps are ordered by the largest gap they close, then by target level (foundations
first), then by course id, so the same inputs always give the same plan.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.competency.overrides import employee_by_nip
from merit.errors import MeritError
from merit.placement.jpm import Gap
from merit.placement.ranking import find_position
from merit.registry import models


@dataclass(frozen=True)
class Closes:
    """What one course does for one competency of the plan."""

    code: str
    held: int
    reaches: int  # the level the course can certify, capped at the requirement
    required: int


@dataclass(frozen=True)
class PlanStep:
    course_id: str
    title: str
    jp: int
    closes: tuple[Closes, ...]


@dataclass(frozen=True)
class Plan:
    gaps: tuple[Gap, ...]  # largest first
    steps: tuple[PlanStep, ...]
    uncovered: tuple[Gap, ...]  # gaps (or what remains of them) no course in the catalog closes

    @property
    def total_jp(self) -> int:
        return sum(step.jp for step in self.steps)


def gaps_of(held: Mapping[str, int], required: Mapping[str, int]) -> tuple[Gap, ...]:
    """Competencies held below the requirement, largest gap first, then by code."""
    rows = [Gap(code, need, held.get(code, 0), min(held.get(code, 0), need)) for code, need in required.items()]
    return tuple(sorted((g for g in rows if g.gap > 0), key=lambda g: (-g.gap, g.code)))


def _target(course: Course, code: str) -> int:
    return next((c.target_level for c in course.spec.competencies if c.code == code), 0)


def plan_courses(courses: Mapping[str, Course], held: Mapping[str, int], required: Mapping[str, int]) -> Plan:
    """The courses that close the gaps of ``held`` against ``required`` (rules in the module docstring)."""
    gaps = gaps_of(held, required)
    chosen: dict[str, list[Closes]] = {}
    uncovered = []
    for gap in gaps:
        options = [c for c in courses.values() if _target(c, gap.code) > gap.held]
        reaching = [c for c in options if _target(c, gap.code) >= gap.required]
        if reaching:
            pick = min(reaching, key=lambda c: (c.id not in chosen, _target(c, gap.code), c.spec.jp, c.id))
        elif options:
            pick = min(options, key=lambda c: (-_target(c, gap.code), c.spec.jp, c.id))
        else:
            uncovered.append(gap)
            continue
        reaches = min(_target(pick, gap.code), gap.required)
        chosen.setdefault(pick.id, []).append(Closes(gap.code, gap.held, reaches, gap.required))
        if reaches < gap.required:
            uncovered.append(Gap(gap.code, gap.required, reaches, reaches))
    order = {gap.code: index for index, gap in enumerate(gaps)}
    steps = [
        PlanStep(course_id, courses[course_id].spec.title.id, courses[course_id].spec.jp, tuple(closes))
        for course_id, closes in chosen.items()
    ]
    steps.sort(key=lambda s: (min(order[c.code] for c in s.closes), max(c.reaches for c in s.closes), s.course_id))
    return Plan(gaps, tuple(steps), tuple(uncovered))


@dataclass(frozen=True)
class LearningPlan:
    nip: str
    name: str
    position: models.Position  # the target position
    held: dict[str, int]
    plan: Plan


def _held(session: Session, employee_ids: list[int]) -> dict[int, dict[str, int]]:
    level = models.CompetencyLevel
    held: dict[int, dict[str, int]] = defaultdict(dict)
    for employee_id, code, value in session.execute(
        select(level.employee_id, level.competency_code, level.level).where(level.employee_id.in_(employee_ids))
    ):
        held[employee_id][code] = value
    return held


def learning_plan(session: Session, courses: Mapping[str, Course], nip: str, position_code: str) -> LearningPlan:
    """The plan for ``nip`` to meet the standard of ``position_code``."""
    employee = employee_by_nip(session, nip)
    position = find_position(session, position_code)
    required = {r.competency_code: r.level for r in position.requirements}
    held = _held(session, [employee.id]).get(employee.id, {})
    return LearningPlan(employee.nip, employee.name, position, held, plan_courses(courses, held, required))


@dataclass(frozen=True)
class GapCount:
    code: str
    people: int  # employees with a gap in this competency
    levels: int  # levels missing, summed over them

    @property
    def mean(self) -> float:
        return self.levels / self.people


@dataclass(frozen=True)
class CourseDemand:
    course_id: str
    title: str
    jp: int
    people: int  # employees whose plan includes the course
    competencies: tuple[str, ...]  # what it closes for them

    @property
    def total_jp(self) -> int:
        return self.jp * self.people


@dataclass(frozen=True)
class TrainingNeeds:
    unit: str
    employees: int
    with_gaps: int
    gaps: tuple[GapCount, ...]  # most people first
    courses: tuple[CourseDemand, ...]  # most people first
    uncovered: tuple[GapCount, ...]  # gaps no course in the catalog closes


def training_needs(session: Session, courses: Mapping[str, Course], unit: str) -> TrainingNeeds:
    """Training-needs analysis: each employee of ``unit`` against the standard of the position they hold."""
    employee = models.Employee
    people = list(session.execute(select(employee.id, employee.position_code).where(employee.unit == unit)))
    if not people:
        units = ", ".join(sorted(session.scalars(select(employee.unit).distinct())))
        raise MeritError(f"Unit kerja '{unit}' tidak punya pegawai di registri. Unit yang ada: {units}.")
    req = models.PositionRequirement
    standards: dict[str, dict[str, int]] = defaultdict(dict)
    for position_code, code, level in session.execute(select(req.position_code, req.competency_code, req.level)):
        standards[position_code][code] = level
    held = _held(session, [employee_id for employee_id, _ in people])
    gap_people: Counter[str] = Counter()
    gap_levels: Counter[str] = Counter()
    open_people: Counter[str] = Counter()
    open_levels: Counter[str] = Counter()
    demand: Counter[str] = Counter()
    closes: dict[str, set[str]] = defaultdict(set)
    with_gaps = 0
    for employee_id, position_code in people:
        plan = plan_courses(courses, held.get(employee_id, {}), standards[position_code])
        with_gaps += bool(plan.gaps)
        for gap in plan.gaps:
            gap_people[gap.code] += 1
            gap_levels[gap.code] += gap.gap
        for gap in plan.uncovered:
            open_people[gap.code] += 1
            open_levels[gap.code] += gap.gap
        for step in plan.steps:
            demand[step.course_id] += 1
            closes[step.course_id].update(c.code for c in step.closes)

    def counts(people_: Counter[str], levels: Counter[str]) -> tuple[GapCount, ...]:
        rows = [GapCount(code, n, levels[code]) for code, n in people_.items()]
        return tuple(sorted(rows, key=lambda g: (-g.people, -g.levels, g.code)))

    demands = [
        CourseDemand(
            course_id, courses[course_id].spec.title.id, courses[course_id].spec.jp, n, tuple(sorted(closes[course_id]))
        )
        for course_id, n in demand.items()
    ]
    demands.sort(key=lambda d: (-d.people, d.course_id))
    return TrainingNeeds(
        unit, len(people), with_gaps, counts(gap_people, gap_levels), tuple(demands), counts(open_people, open_levels)
    )
