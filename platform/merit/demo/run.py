"""Run the demo end to end on the embedded defaults, reporting progress as it goes."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from merit.catalog import Course
from merit.competency.levels import LevelReport
from merit.content import load_content, register_content
from merit.demo import DEMO_POSITION
from merit.demo.roster import synthetic_roster, synthetic_skp
from merit.demo.submissions import make_cohort
from merit.errors import MeritError
from merit.grading.coursedir import build_course, enroll
from merit.grading.engine import GradingRun, grade_assignment
from merit.grading.sandbox import Sandbox
from merit.people.roster import RosterReport, register_roster
from merit.people.skp import register_skp
from merit.pipeline import sync_gradebook
from merit.placement.ranking import Ranking, rank_position
from merit.registry.database import open_registry
from merit.registry.sync import SyncReport, employee_ids
from merit.settings import Settings

DEMO_COURSE = "tata-kelola"
ACTOR = "merit demo"


@dataclass
class DemoResult:
    course: Course
    roster: RosterReport
    grading: list[GradingRun]
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
    as_of: dt.date | None = None,
) -> DemoResult:
    """Register a roster, build the course, grade a cohort, sync, derive levels, rank."""
    started = time.perf_counter()
    as_of = as_of or dt.date.today()
    progress = progress or progress_bar()
    content = load_content(settings)
    if DEMO_COURSE not in content.courses:
        raise MeritError(f"Kursus demo '{DEMO_COURSE}' tidak ada di courses/.")
    course = content.courses[DEMO_COURSE]
    roster = synthetic_roster(size, seed)
    nips = [entry.nip for entry in roster]
    modules = [m.id for m in course.spec.modules]
    steps = 2 + len(modules) * (2 + size)

    with progress:
        task = progress.add_task("Menyiapkan registri dan roster", total=steps)
        registry = open_registry(settings)
        try:
            with registry.session(ACTOR, "demo: roster sintetis, SKP dua tahun terakhir, dan katalog") as session:
                register_content(session, content)
                roster_report = register_roster(session, roster)
                skp_years = [as_of.year - 2, as_of.year - 1]
                register_skp(session, synthetic_skp(roster, skp_years, seed), employee_ids(session, nips))
            progress.update(task, advance=1, description=f"Membangun kursus {course.id} (nbgrader)")
            built = build_course(course, settings.workspace_dir)
            enroll(built, {entry.nip: entry.name for entry in roster})
            progress.advance(task)

            sandbox = Sandbox.detect(allow_unsandboxed=True)  # synthetic answers, trusted
            runs: list[GradingRun] = []
            for module in modules:
                progress.update(task, description=f"Menulis jawaban {size} peserta ({module})")
                make_cohort(built, module, nips, seed)
                progress.update(task, advance=1, description=f"Menilai otomatis ({module}, sandbox: {sandbox.mode})")
                runs.append(
                    grade_assignment(
                        built, module, sandbox, students=nips, force=True, on_result=lambda _r: progress.advance(task)
                    )
                )

            progress.update(task, description="Sinkronisasi nilai ke registri kompetensi")
            with registry.session(ACTOR, f"demo: sinkronisasi nilai nbgrader kursus {course.id}") as session:
                sync, levels = sync_gradebook(session, content, course, built.db_url, modules, as_of)
            with registry.session() as session:
                ranking = rank_position(session, position, content.jpm_rule)
            progress.update(task, advance=len(modules), description="Selesai")
        finally:
            registry.close()
    return DemoResult(course, roster_report, runs, sync, levels, ranking, time.perf_counter() - started)
