"""Grading throughput: stock `nbgrader autograde` against `merit grade`, same run, same machine.

    python benchmarks/grading.py --submissions 100

Builds the governance course (module 1: 35 cells, 6 autograded items and a written
answer) in a temporary data directory, writes N synthetic submissions (all four answer
archetypes, then a seeded mix), and times, as a trainer would run them:

1. ``merit grade tata-kelola m01-prinsip --ulang --tanpa-registri`` (parallel, sandboxed,
   kernels forked from a pre-imported zygote, batched gradebook writes), on the fresh
   gradebook. The registry sync is left out because stock nbgrader has none;
2. ``nbgrader autograde m01-prinsip --force`` (stock: one learner after another, a new
   kernel for every notebook, the learner's code with the grader's rights), over Merit's
   results;
3. ``merit grade`` again, over nbgrader's results.

The stock command runs in an environment without Merit's settings (tests/stock.py).

All times are whole commands, start-up included. The machine's speed drifts by 20-30 %
over minutes (a shared virtual machine); Merit's ~20 s would otherwise sample that drift
at one end of the stock run's ~3 minutes, so ``merit_s`` is the mean of the runs before
and after it, and both are printed. After each command every grade, comment, late penalty
and timestamp in nbgrader's gradebook is dumped; ``scores_identical`` says whether all
three dumps are equal. Target: speedup >= 10 on a 2-core machine.
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
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

from merit.content import load_content  # noqa: E402
from merit.demo.roster import synthetic_roster  # noqa: E402
from merit.demo.submissions import make_cohort  # noqa: E402
from merit.grading.coursedir import build_course  # noqa: E402
from merit.grading.gradebook import dump_scores  # noqa: E402
from merit.settings import Settings  # noqa: E402
from tests.stock import stock_environment  # noqa: E402

COURSE, MODULE = "tata-kelola", "m01-prinsip"


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="merit-bench-") as folder:
        env = {
            **os.environ,
            "MERIT_ROOT": str(ROOT),
            "MERIT_DATA_DIR": folder,
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        }
        env.pop("MERIT_DATABASE_URL", None)
        os.environ.update(MERIT_ROOT=env["MERIT_ROOT"], MERIT_DATA_DIR=folder)
        settings = Settings()
        course = load_content(settings).courses[COURSE]
        built = build_course(course, settings.workspace_dir)
        make_cohort(built, MODULE, [e.nip for e in synthetic_roster(args.submissions, args.seed)], args.seed)

        merit_command = [str(BIN / "merit"), "grade", COURSE, MODULE, "--ulang", "--tanpa-registri"]
        before_s = timed(merit_command, built.root, env)
        merit_first = dump_scores(built.db_url, course.id, MODULE)
        stock_s = timed([str(BIN / "nbgrader"), "autograde", MODULE, "--force"], built.root, stock_environment())
        stock = dump_scores(built.db_url, course.id, MODULE)
        after_s = timed(merit_command, built.root, env)
        merit_again = dump_scores(built.db_url, course.id, MODULE)

    identical = "yes" if merit_first == stock == merit_again and len(stock) > 0 else "no"
    merit_s = (before_s + after_s) / 2
    speedup = stock_s / merit_s
    table = Table(title=f"Grading {args.submissions} submissions of {COURSE}/{MODULE} ({os.cpu_count()} cores)")
    for column in ("command", "seconds", "per submission (s)", "submissions/s"):
        table.add_column(column, justify="right" if column != "command" else "left")
    runs = (
        ("merit grade, before", before_s),
        ("nbgrader autograde", stock_s),
        ("merit grade, after", after_s),
        ("merit grade, mean", merit_s),
    )
    for name, seconds in runs:
        table.add_row(name, f"{seconds:.1f}", f"{seconds / args.submissions:.3f}", f"{args.submissions / seconds:.1f}")
    console = Console(width=100)
    console.print(table)
    console.print(
        f"speedup {speedup:.1f}x (target >= 10), gradebook rows compared: {len(stock)}, identical: {identical}"
    )
    print(f"nbgrader_s={stock_s:.1f} merit_s={merit_s:.1f} speedup={speedup:.1f} scores_identical={identical}")


if __name__ == "__main__":
    main()
