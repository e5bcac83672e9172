"""Grading throughput: stock `nbgrader autograde` against `merit grade`, same run, same machine.

    python benchmarks/grading.py                                  # 40 and 100 submissions
    python benchmarks/grading.py --submissions 100 --executors dask

For each size N it builds the governance course (module 1: 35 cells, 6 autograded items
and a written answer) in a temporary data directory, writes N synthetic submissions (all
four answer archetypes, then a seeded mix), and times, as a trainer would run them:

1. ``merit grade tata-kelola m01-prinsip --ulang --tanpa-registri`` (parallel, sandboxed,
   kernels forked from a pre-imported zygote, batched gradebook writes), once per local
   executor (``MERIT_PELAKSANA_LOKAL``: ``dask``, an in-process Dask LocalCluster, the
   default; ``utas``, a plain thread pool). The registry sync is left out because stock nbgrader
   has none;
2. ``nbgrader autograde m01-prinsip --force`` (stock: one learner after another, a new
   kernel for every notebook, the learner's code with the grader's rights), over Merit's
   results, in an environment without Merit's settings (tests/stock.py);
3. ``merit grade`` again per executor, in the reverse order, over nbgrader's results.

All times are whole commands, start-up included. The machine's speed drifts by 20-30 %
over minutes (a shared virtual machine); Merit's run would otherwise sample that drift at
one end of the stock run, so an executor's time is the mean of its runs before and after
it. After each command every grade, comment, late penalty and timestamp in nbgrader's
gradebook is dumped; ``scores_identical`` says whether all dumps are equal.

The last line holds, for the largest size and the first executor, ``nbgrader_s``,
``merit_s`` and ``speedup``, then ``speedup_<executor>_<N>`` for every executor and size.
Target: speedup >= 10 at 100 submissions on a 2-core machine. Record each run, with the
machine's load, in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
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
EXECUTORS = ("dask", "utas")  # the first is merit grade's default


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


@dataclass
class Size:
    """One size's runs: stock once, each executor before and after it."""

    submissions: int
    stock_s: float = 0.0
    before_s: dict[str, float] = field(default_factory=dict)
    after_s: dict[str, float] = field(default_factory=dict)
    identical: bool = False
    load: list[float] = field(default_factory=list)  # 1-minute load average at the start and the end

    def merit_s(self, executor: str) -> float:
        return (self.before_s[executor] + self.after_s[executor]) / 2

    def speedup(self, executor: str) -> float:
        return self.stock_s / self.merit_s(executor)


def measure(submissions: int, seed: int, executors: list[str]) -> Size:
    size = Size(submissions, load=[os.getloadavg()[0]])
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
        make_cohort(built, MODULE, [e.nip for e in synthetic_roster(submissions, seed)], seed)

        merit_command = [str(BIN / "merit"), "grade", COURSE, MODULE, "--ulang", "--tanpa-registri"]
        dumps = []

        def merit(executor: str) -> float:
            seconds = timed(merit_command, built.root, {**env, "MERIT_PELAKSANA_LOKAL": executor})
            dumps.append(dump_scores(built.db_url, course.id, MODULE))
            return seconds

        for executor in executors:
            size.before_s[executor] = merit(executor)
        size.stock_s = timed([str(BIN / "nbgrader"), "autograde", MODULE, "--force"], built.root, stock_environment())
        dumps.append(dump_scores(built.db_url, course.id, MODULE))
        for executor in reversed(executors):
            size.after_s[executor] = merit(executor)
    size.load.append(os.getloadavg()[0])
    size.identical = len(dumps[0]) > 0 and all(dump == dumps[0] for dump in dumps)
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, nargs="+", default=[40, 100], help="one or more cohort sizes")
    parser.add_argument("--executors", nargs="+", choices=EXECUTORS, default=list(EXECUTORS))
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()
    executors = list(dict.fromkeys(args.executors))
    sizes = []
    for n in sorted(set(args.submissions)):
        sizes.append(size := measure(n, args.seed, executors))
        # On stderr as each size ends, so that a long run stopped early still leaves its figures.
        merit = " ".join(f"{e}: {size.before_s[e]:.1f}/{size.after_s[e]:.1f}" for e in executors)
        print(f"{n} submissions: nbgrader {size.stock_s:.1f} s, merit before/after {merit}", file=sys.stderr)

    loads = ", ".join(f"{s.submissions}: {s.load[0]:.1f} to {s.load[1]:.1f}" for s in sizes)
    table = Table(
        title=f"Grading {COURSE}/{MODULE} on {os.cpu_count()} cores", caption=f"1-minute load average ({loads})"
    )
    for column in ("submissions", "command", "seconds", "per submission (s)", "speedup"):
        table.add_column(column, justify="left" if column == "command" else "right")
    for size in sizes:
        n = size.submissions
        table.add_row(str(n), "nbgrader autograde", f"{size.stock_s:.1f}", f"{size.stock_s / n:.3f}", "1.0")
        for executor in executors:
            for when, seconds in (("before", size.before_s[executor]), ("after", size.after_s[executor])):
                table.add_row(str(n), f"merit grade ({executor}), {when}", f"{seconds:.1f}", f"{seconds / n:.3f}", "")
            mean = size.merit_s(executor)
            table.add_row(
                str(n),
                f"merit grade ({executor}), mean",
                f"{mean:.1f}",
                f"{mean / n:.3f}",
                f"{size.speedup(executor):.1f}",
            )
    console = Console(width=100)
    console.print(table)
    largest, first = sizes[-1], executors[0]
    identical = "yes" if all(size.identical for size in sizes) else "no"
    console.print(
        f"speedup at {largest.submissions} ({first}) {largest.speedup(first):.1f}x (target >= 10), "
        f"gradebooks identical: {identical}"
    )
    figures = [
        f"nbgrader_s={largest.stock_s:.1f}",
        f"merit_s={largest.merit_s(first):.1f}",
        f"speedup={largest.speedup(first):.1f}",
        *(f"speedup_{e}_{size.submissions}={size.speedup(e):.1f}" for size in sizes for e in executors),
        f"scores_identical={identical}",
    ]
    print(" ".join(figures))


if __name__ == "__main__":
    main()
