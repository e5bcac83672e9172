"""The HR page in headless chromium: time from request to an interactive page, cold and preheated.

    python benchmarks/dashboards.py --employees 10000
    python benchmarks/dashboards.py --employees 1000000 --registri /tmp/merit-1m --refill 60

``--registri DIR`` builds the registry in DIR once and reuses it on later runs.

Builds a synthetic registry of N employees (levels in the nine managerial and
socio-cultural competencies, two years of SKP; the same generator as
benchmarks/registry.py), starts ``merit serve`` over it and signs in as HR in Debian's
chromium at 1366×768. One run is the time from ``page.goto`` of the HR page to the
ranking table visible and a click answered (a candidate selected, the evidence behind
their levels shown). Signing in is not timed.

* cold: no preheated kernel: the request starts a kernel, which imports Merit, loads the
  content, opens the registry and runs the page;
* preheated: ``merit serve --kernel-siap 1``: the page's first cell has run before the
  request; the second waits in ``voila.utils.wait_for_request()`` and then asks the
  identity seam who is looking.

Each is measured on a first visit (a fresh browser profile: every static file is
downloaded) and on a returning visit (the same browser again, its HTTP cache warm); the
figure on the last line is the median of the first visits. The table also splits a run:
first byte of the page, the whole page received (the kernel has run the page's cells),
the browser's load event (Voila's front end loaded), the table
visible, the click answered. ``query`` is the services alone, in this process: criteria,
ranking of the top 25, the evidence of one candidate. Target: preheated under 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import registry as registry_benchmark  # noqa: E402

from merit.access import Role, Viewer  # noqa: E402
from merit.access.accounts import create_account  # noqa: E402
from merit.catalog.eligibility import EligibilityRule  # noqa: E402
from merit.content import load_content  # noqa: E402
from merit.dashboards import hr  # noqa: E402
from merit.registry import models  # noqa: E402
from merit.registry.database import Registry  # noqa: E402
from merit.settings import Settings  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
USER, PASSWORD = "kepegawaian", "benchmark-kata-sandi"
POSITION = registry_benchmark.POSITION
VIEWPORT = {"width": 1366, "height": 768}


def build(data: Path, employees: int) -> float:
    """The registry of ``employees`` people in ``data`` (SQLite), with an HR account; returns seconds."""
    started = time.perf_counter()
    settings = Settings(root=ROOT, data_dir=data)
    content = load_content(settings)
    registry = Registry.open(str(settings.database_url), settings.audit_key())
    try:
        registry_benchmark.build(registry, content, employees)
        years = [dt.date.today().year - 1, dt.date.today().year - 2]
        with registry.session() as session:
            ids = list(session.scalars(select(models.Employee.id)))
            for start in range(0, len(ids), 100_000):
                rows = [
                    {"employee_id": i, "year": y, "predikat": "Baik" if i % 3 else "Sangat Baik"}
                    for i in ids[start : start + 100_000]
                    for y in years
                ]
                session.execute(insert(models.SkpRating), rows)
        with registry.session("benchmark", "akun HR untuk benchmark halaman") as session:
            create_account(session, PASSWORD, [Role("kepegawaian", "*")], username=USER, name="Petugas BKPSDM")
    finally:
        registry.close()
    return time.perf_counter() - started


def reuse_or_build(data: Path, employees: int) -> float:
    """:func:`build` unless ``data`` holds a registry this benchmark built of ``employees`` people."""
    mark = data / "benchmark-pegawai.txt"
    if mark.exists():
        if mark.read_text().strip() != str(employees):
            raise SystemExit(f"{data} berisi registri {mark.read_text().strip()} pegawai, bukan {employees}.")
        return 0.0
    data.mkdir(parents=True, exist_ok=True)
    seconds = build(data, employees)
    mark.write_text(f"{employees}\n")
    return seconds


def query_seconds(data: Path) -> float:
    """What the page asks the services for, without the web: criteria, top 25, one candidate's evidence."""
    settings = Settings(root=ROOT, data_dir=data)
    content = load_content(settings)
    registry = Registry.open(str(settings.database_url), settings.audit_key())
    viewer = Viewer(USER, "HR", frozenset({Role("kepegawaian", "*")}))
    try:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            criteria = hr.criteria_for(content, viewer, POSITION, EligibilityRule(), dt.date.today())
            with registry.session() as session:
                ranked = hr.ranking(session, content, viewer, POSITION, criteria)
                hr.candidate_evidence(session, viewer, ranked.candidates[0], ranked.required)
            best = min(best, time.perf_counter() - started)
    finally:
        registry.close()
    return best


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``merit serve`` in a subprocess."""

    def __init__(self, data: Path, kernels: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "MERIT_ROOT": str(ROOT), "MERIT_DATA_DIR": str(data)}
        env.pop("MERIT_DATABASE_URL", None)
        merit = Path(sys.executable).with_name("merit")
        argv = [str(merit), "serve", "--port", str(self.port), "--kernel-siap", str(kernels), "--tanpa-akun-demo"]
        self.log = (data / f"serve-{kernels}.log").open("w")
        self.process = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/masuk", timeout=2)
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("merit serve did not start") from None
                time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@dataclass(frozen=True)
class Run:
    first_byte: float
    html: float  # the whole page received: the kernel has run the page's cells
    loaded: float
    table: float
    click: float


def sign_in(context, url: str) -> None:
    page = context.new_page()
    page.goto(f"{url}/masuk")
    page.fill("#u", USER)
    page.fill("#p", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    page.close()


def one_run(context, url: str) -> Run:
    page = context.new_page()
    page.set_default_timeout(180_000)
    started = time.perf_counter()
    page.goto(f"{url}/voila/render/kepegawaian.ipynb", wait_until="commit")
    page.locator(".merit-tabel", has_text="JPM %").wait_for()
    table = time.perf_counter() - started
    page.locator(".widget-select", has_text="Bukti kandidat").locator("select").select_option(index=0)
    page.locator(".merit-tabel", has_text="Sel yang dinilai").wait_for()
    click = time.perf_counter() - started
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return [n.responseStart / 1000, n.responseEnd / 1000, n.loadEventEnd / 1000]; })()"
    )
    page.close()
    return Run(timing[0], timing[1], timing[2], table, click)


def measure(browser, server: Server, runs: int, refill: float) -> tuple[list[Run], list[Run]]:
    """``runs`` first visits (fresh profile each), then ``runs`` returning visits (one warm profile)."""
    first, returning = [], []
    for _ in range(runs):
        time.sleep(refill)
        context = browser.new_context(viewport=VIEWPORT)
        sign_in(context, server.url)
        first.append(one_run(context, server.url))
        context.close()
    context = browser.new_context(viewport=VIEWPORT)
    sign_in(context, server.url)
    time.sleep(refill)
    one_run(context, server.url)  # fills the cache
    for _ in range(runs):
        time.sleep(refill)
        returning.append(one_run(context, server.url))
    context.close()
    return first, returning


def median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(r, field) for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--registri",
        type=Path,
        help="folder of the registry: built there when empty, reused as it is otherwise (1,000,000 takes long)",
    )
    parser.add_argument(
        "--refill", type=float, default=20.0, help="seconds before each run (preheated pool refills, CPU settles)"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    console = Console(width=100)
    results: dict[str, tuple[list[Run], list[Run]]] = {}
    with tempfile.TemporaryDirectory(prefix="merit-bench-pages-") as work:
        data = args.registri or Path(work)
        console.print(f"Registri: {args.employees:,} pegawai …")
        built = reuse_or_build(data, args.employees)
        query = query_seconds(data)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            for label, kernels in (("cold", 0), ("preheated", 1)):
                console.print(f"{label} …")
                server = Server(data, kernels)
                try:
                    results[label] = measure(browser, server, args.runs, args.refill if kernels else 2.0)
                finally:
                    server.stop()
            browser.close()
    table = Table(title=f"Halaman kepegawaian, {args.employees:,} pegawai (SQLite), median dari {args.runs} (detik)")
    for column in (
        "kernel",
        "kunjungan",
        "byte pertama",
        "halaman utuh",
        "front-end dimuat",
        "tabel tampil",
        "klik dijawab",
        "runs",
    ):
        table.add_column(column, justify="right")
    for label, (first, returning) in results.items():
        for visit, runs in (("pertama", first), ("kembali (cache)", returning)):
            table.add_row(
                label,
                visit,
                f"{median(runs, 'first_byte'):.2f}",
                f"{median(runs, 'html'):.2f}",
                f"{median(runs, 'loaded'):.2f}",
                f"{median(runs, 'table'):.2f}",
                f"{median(runs, 'click'):.2f}",
                " / ".join(f"{r.click:.2f}" for r in runs),
            )
    console.print(table)
    console.print(f"Membangun registri: {built:.1f} s; kueri halaman (layanan saja, terbaik dari 3): {query:.3f} s")
    console.print(
        f"preheated returning_s={median(results['preheated'][1], 'click'):.2f} "
        f"cold returning_s={median(results['cold'][1], 'click'):.2f}"
    )
    print(
        f"cold_s={median(results['cold'][0], 'click'):.2f} preheated_s={median(results['preheated'][0], 'click'):.2f}"
    )


if __name__ == "__main__":
    main()
