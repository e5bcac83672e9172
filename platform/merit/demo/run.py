"""Run the demo end to end on the embedded defaults, reporting progress as it goes."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from merit.catalog import Course
from merit.competency.levels import LevelReport
from merit.competency.reliability import refresh_reliability
from merit.content import load_content, register_content
from merit.demo import DEMO_POSITION
from merit.demo.manual import grade_by_hand
from merit.demo.roster import synthetic_roster, synthetic_skp
from merit.demo.submissions import make_cohort
from merit.errors import MeritError
from merit.grading.coursedir import build_course, enroll
from merit.grading.engine import GradingRun, grade_assignment
from merit.grading.sandbox import Sandbox
from merit.people.roster import RosterReport, register_roster
from merit.people.skp import register_skp
from merit.pipeline import after_evidence_change
from merit.placement.ranking import Ranking, rank_position
from merit.registry.database import open_registry
from merit.registry.sync import SyncReport, employee_ids, sync_assignment
from merit.settings import Settings

ACTOR = "merit demo"


@dataclass
class DemoResult:
    courses: list[Course]
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
    """Register a roster, build every course, grade a cohort, grade written answers by hand, sync, rank."""
    started = time.perf_counter()
    as_of = as_of or dt.date.today()
    progress = progress or progress_bar()
    content = load_content(settings)
    if not content.courses:
        raise MeritError("Tidak ada kursus di courses/: demo butuh setidaknya satu.")
    courses = [content.courses[c] for c in sorted(content.courses)]
    roster = synthetic_roster(size, seed)
    nips = [entry.nip for entry in roster]
    steps = 2 + sum(len(c.spec.modules) * (2 + size) + 1 for c in courses)

    with progress:
        task = progress.add_task("Menyiapkan registri dan roster", total=steps)
        registry = open_registry(settings)
        try:
            with registry.session(ACTOR, "demo: roster sintetis, SKP dua tahun terakhir, dan katalog") as session:
                register_content(session, content)
                roster_report = register_roster(session, roster)
                skp_years = [as_of.year - 2, as_of.year - 1]
                register_skp(session, synthetic_skp(roster, skp_years, seed), employee_ids(session, nips))
            progress.advance(task)
            sandbox = Sandbox.detect(allow_unsandboxed=True)  # synthetic answers, trusted
            runs: list[GradingRun] = []
            built_courses = []
            for course in courses:
                progress.update(task, description=f"Membangun kursus {course.id} (nbgrader)")
                built = build_course(course, settings.workspace_dir)
                enroll(built, {entry.nip: entry.name for entry in roster})
                modules = [m.id for m in course.spec.modules]
                for module in modules:
                    progress.update(task, description=f"Menulis jawaban {size} peserta ({course.id}/{module})")
                    make_cohort(built, module, nips, seed)
                    progress.update(
                        task, advance=1, description=f"Menilai otomatis ({module}, sandbox: {sandbox.mode})"
                    )
                    runs.append(
                        grade_assignment(
                            built,
                            module,
                            sandbox,
                            students=nips,
                            force=True,
                            on_result=lambda _r: progress.advance(task),
                        )
                    )
                    progress.update(task, advance=1, description=f"Widyaiswara menilai jawaban tertulis ({module})")
                    grade_by_hand(built, module, nips, seed)
                built_courses.append(built)
            progress.update(task, description="Sinkronisasi nilai semua kursus ke registri kompetensi")
            sync = SyncReport()
            with registry.session(ACTOR, "demo: sinkronisasi nilai nbgrader semua kursus") as session:
                for built in built_courses:
                    for spec in built.course.spec.modules:
                        sync.add(sync_assignment(session, built.course, built.db_url, spec.id))
                # the cohorts changed: so may the precision of every level they hold (sync_gradebook does the same)
                refresh_reliability(session, [built.course.id for built in built_courses])
                levels = after_evidence_change(session, content.courses, content.level_rule, as_of, sync.employees)
            progress.advance(task, len(courses))
            with registry.session() as session:
                ranking = rank_position(session, position, content.jpm_rule)
            progress.update(task, advance=1, description="Selesai")
        finally:
            registry.close()
    return DemoResult(courses, roster_report, runs, sync, levels, ranking, time.perf_counter() - started)
