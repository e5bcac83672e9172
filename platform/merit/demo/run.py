"""Run the demo end to end on the embedded defaults, reporting progress as it goes."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from merit.catalog import Course, load_course, load_framework, load_positions
from merit.competency.levels import LevelReport, recompute_levels
from merit.demo.roster import synthetic_roster
from merit.demo.submissions import make_cohort
from merit.grading.autograde import Outcome, autograde
from merit.grading.coursedir import build_course, enroll
from merit.placement.jpm import load_jpm_rule
from merit.placement.ranking import Ranking, rank_position
from merit.registry.database import Registry
from merit.registry.reference import register_catalog
from merit.registry.roster import register_roster
from merit.registry.sync import SyncReport, sync_assignment
from merit.registry.upsert import Change
from merit.settings import Settings

DEMO_COURSE = "tata-kelola"
DEMO_POSITION = "kasubbag-kepegawaian"


@dataclass
class DemoResult:
    course: Course
    roster: dict[Change, int]
    outcomes: list[Outcome]
    sync: SyncReport
    levels: LevelReport
    ranking: Ranking
    seconds: float


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )


def run_demo(
    settings: Settings,
    size: int = 30,
    position: str = DEMO_POSITION,
    seed: int = 2017,
    progress: Progress | None = None,
) -> DemoResult:
    """Register a roster, build the course, grade a cohort, sync, derive levels, rank."""
    started = time.perf_counter()
    progress = progress or progress_bar()
    framework = load_framework(settings.assessments_dir)
    positions = load_positions(settings.assessments_dir, framework)
    rule = load_jpm_rule(settings.assessments_dir)
    course = load_course(settings.courses_dir / DEMO_COURSE, framework)
    roster = synthetic_roster(size, seed)
    nips = [entry.nip for entry in roster]
    modules = [m.id for m in course.spec.modules]
    steps = 2 + len(modules) * (2 + size)

    with progress:
        task = progress.add_task("Menyiapkan registri dan roster", total=steps)
        registry = Registry.open(settings.database_url)
        try:
            with registry.session() as session:
                register_catalog(session, framework, positions.values(), [course])
                roster_counts = register_roster(session, roster)
            progress.update(task, advance=1, description=f"Membangun kursus {course.id} (nbgrader)")
            built = build_course(course, settings.workspace_dir)
            enroll(built, {entry.nip: entry.name for entry in roster})
            progress.advance(task)

            outcomes: list[Outcome] = []
            for module in modules:
                progress.update(task, description=f"Menulis jawaban {size} peserta ({module})")
                make_cohort(built, module, nips, seed)
                progress.update(task, advance=1, description=f"Menilai otomatis dengan nbgrader ({module})")
                outcomes += autograde(built, module, nips, on_done=lambda _o: progress.advance(task))

            progress.update(task, description="Sinkronisasi nilai ke registri kompetensi")
            with registry.session() as session:
                sync = SyncReport()
                for module in modules:
                    sync.add(sync_assignment(session, course, built.db_url, module))
                levels = recompute_levels(session, {course.id: course})
                ranking = rank_position(session, position, rule)
            progress.update(task, advance=len(modules), description="Selesai")
        finally:
            registry.close()
    return DemoResult(course, roster_counts, outcomes, sync, levels, ranking, time.perf_counter() - started)
