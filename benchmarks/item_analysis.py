"""Item analysis recovers a known truth: a 2PL IRT cohort graded by the real engine.

    python benchmarks/item_analysis.py --learners 500

Writes a synthetic course (12 right/wrong items: eleven with 2PL discriminations 0.4–3.0,
one with a wrong answer key) into a temporary project, draws N learners' abilities and
answers from the model (merit.analysis.simulation), writes their submissions, grades them
with ``merit grade`` (the real engine, sandboxed when bubblewrap is there), then runs the
item analysis on nbgrader's gradebook. Prints the item table with each item's true a and b
and, as its last line, the figures compared:

    learners=500 alpha=X alpha_model=Y spearman=Z miskey_flagged=yes seconds=S

Criteria (docs/item-analysis.md): |alpha − alpha_model| ≤ 0.05; Spearman's rank
correlation between estimated discrimination and true a over the correctly keyed items
≥ 0.85; the mis-keyed item flagged for negative discrimination.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "platform"))

from merit.analysis.items import analyse_course  # noqa: E402
from merit.analysis.simulation import (  # noqa: E402
    COURSE,
    MODULE,
    default_items,
    prepare_project,
    recovery,
    simulate,
    write_cohort,
)
from merit.content import load_content  # noqa: E402
from merit.demo.roster import synthetic_roster  # noqa: E402
from merit.grading.coursedir import build_course, enroll  # noqa: E402
from merit.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    items = default_items()
    with tempfile.TemporaryDirectory(prefix="merit-irt-") as tmp:
        project, data = Path(tmp) / "project", Path(tmp) / "data"
        prepare_project(project, ROOT, items)
        env = {**os.environ, "MERIT_ROOT": str(project), "MERIT_DATA_DIR": str(data), "COLUMNS": "80"}
        env.pop("MERIT_DATABASE_URL", None)
        os.environ.update({k: env[k] for k in ("MERIT_ROOT", "MERIT_DATA_DIR")})
        settings = Settings()
        course = load_content(settings).courses[COURSE]
        built = build_course(course, settings.workspace_dir)
        roster = synthetic_roster(args.learners, args.seed)
        enroll(built, {entry.nip: entry.name for entry in roster})
        cohort = simulate(items, [entry.nip for entry in roster], args.seed)
        write_cohort(built, items, cohort)
        started = time.perf_counter()
        graded = subprocess.run(
            [str(BIN / "merit"), "grade", COURSE, MODULE, "--tanpa-registri", "--tanpa-sandbox"],
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        if graded.returncode != 0:
            raise SystemExit(f"merit grade failed:\n{graded.stdout[-3000:]}\n{graded.stderr[-3000:]}")
        analysis = analyse_course(course, built.db_url)
    result = recovery(items, analysis)
    console = Console(width=80)
    table = Table(title=f"Analisis butir, {result.learners} peserta sintetis (IRT 2PL)")
    for column in ("Butir", "a", "b", "Fas.", "D.beda", "Efis.", "Tanda"):
        table.add_column(column, justify="left" if column in ("Butir", "Tanda") else "right")
    reports = {r.stats.name: r for r in analysis.modules[0].items}
    for item in items:
        stats = reports[item.name].stats
        mark = "kunci salah; " if item.miskeyed else ""
        mark += "ditandai" if reports[item.name].flags else "-"
        table.add_row(
            item.name,
            f"{item.a:.1f}",
            f"{item.b:+.1f}",
            f"{stats.facility:.0%}",
            f"{stats.discrimination:.2f}" if stats.discrimination is not None else "-",
            f"{stats.efficiency:.0%}" if stats.efficiency is not None else "-",
            mark,
        )
    console.print(table)
    console.print(f"merit grade: {seconds:.1f} s for {result.learners} submissions")
    print(
        f"learners={result.learners} alpha={result.alpha:.3f} alpha_model={result.alpha_model:.3f} "
        f"spearman={result.spearman:.3f} miskey_flagged={'yes' if result.flagged_miskey else 'no'} "
        f"seconds={seconds:.1f}"
    )


if __name__ == "__main__":
    main()
