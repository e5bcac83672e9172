"""One learner's module from the hub's login page to HR's view, on loopback, in Chromium.

The session's real hub (tests/hub_support.py: JupyterHub, configurable-http-proxy, Merit's
exchange and the course's formgrader as hub services) serves it. Learner A logs in, fetches
two modules in the Assignments tab of their own single-user server, answers a widget item,
a code exercise and a written item, and presses the modules' Submit button (nbgrader's
submit through Merit's exchange). The trainer collects and grades with
``merit grade --kumpulkan``, grades the written answer on formgrader's page, and A's new
level shows on the HR page (Merit's pages, a hub service), where HR, signed in at the hub,
opens the evidence behind it. Learner B, logged in too, tries A's server, files,
submissions and feedback by URL, through the hub's API and the exchange's API, and is
refused; so are a learner of another course (fetch) and its trainer (collect).
A's JupyterLab is the learner workspace: in Indonesian, no trainer tools of nbgrader's, no
news pop-up. A's server runs as A's own Unix user, in a home B's Unix user cannot read, and the
course's formgrader as the course's grader account.
"""

from __future__ import annotations

import json
import pwd
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import requests
from sqlalchemy import Row, Select, create_engine, select

from merit.hub.plan import grader_account
from merit.nip import format_nip
from merit.registry import models
from tests.browser_support import launched_chromium
from tests.hub_support import COURSE, ROOT, TIMEOUT_MS, Hub, api, log_in, nbgrader, ok, refused
from tests.unix_support import as_user

pytestmark = pytest.mark.e2e

CODING = "m02-konflik-kepentingan-gratifikasi"  # widget items and code exercises
WRITING = "m01-kode-etik"  # a written item graded by the trainer
CODE_NOTEBOOK, WRITTEN_NOTEBOOK = "konflik_gratifikasi", "kode_etik"
WRITTEN_TASK = "rubrik_kesepakatan"
CODE_EXERCISES = ("wajib_lapor", "belum_dilaporkan", "batas_lapor")
RESTART_RUN_ALL = "runmenu:restart-and-run-all"  # Kernel menu's "Restart Kernel and Run All Cells…"


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    yield from launched_chromium()


def lab_menu(page, menu: str, command: str):  # type: ignore[no-untyped-def]
    """Open ``menu`` and click the item of JupyterLab command ``command`` (labels are translated)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).click()
    entry = page.locator(f".lm-Menu-item[data-command='{command}']").first
    label = entry.inner_text()
    entry.click()
    return label


def open_notebook(page, hub: Hub, module: str, notebook: str) -> None:  # type: ignore[no-untyped-def]
    """Open a notebook and wait until its kernel has started and the page's connection to it is
    set up, as the server sees it (the toolbar's indicator says "idle" before that). A restart
    earlier races JupyterLab's first connection: see merit.learner.workspace.KERNEL_WS_PROTOCOL."""
    path = f"{COURSE}/{module}/{notebook}.ipynb"
    server = f"{hub.url}/user/{hub.learner_a}"
    page.goto(f"{server}/lab/tree/{path}")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        sessions = page.request.get(f"{server}/api/sessions").json()
        kernel = next((s["kernel"] for s in sessions if s["path"] == path), None)
        if kernel and kernel["execution_state"] == "idle" and kernel["connections"] > 0:
            break
        assert time.monotonic() < deadline, sessions
        page.wait_for_timeout(250)
    page.locator(".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator[data-status=idle]").wait_for()


def run_all(page) -> None:  # type: ignore[no-untyped-def]
    """Restart and Run All, as the module tells the learner; the Submit button is the last cell."""
    label = lab_menu(page, "Kernel", RESTART_RUN_ALL)
    assert "Semua Sel" in label, label  # the learner's JupyterLab speaks Indonesian ("Menjalakan Semua Sel…")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.get_by_role("button", name="Kirim jawaban").wait_for()


def type_answer(page, first_line: str, answer: str) -> None:  # type: ignore[no-untyped-def]
    """Replace the code cell that starts with ``first_line`` by ``answer``, typed in its editor."""
    editor = page.locator(".jp-CodeCell", has_text=first_line).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(answer)


def item(page, question: str):  # type: ignore[no-untyped-def]
    return page.locator(".merit-soal", has_text=question)


def save_and_hand_in(page) -> str:  # type: ignore[no-untyped-def]
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1500)
    submit = page.get_by_role("button", name="Kirim jawaban")
    submit.click()
    report = page.locator(".merit-soal", has=submit)
    report.get_by_text("Terkirim kepada pelatih pada").wait_for()
    return report.inner_text()


def model_answer(module: str, notebook: str, grade_id: str) -> str:
    """The trainer's solution of a code exercise, as a learner who got it right types it."""
    source = nbformat.read(ROOT / "courses" / COURSE / "source" / module / f"{notebook}.ipynb", as_version=4)
    cell = next(c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "\n".join(line for line in cell.source.splitlines() if "### " not in line)


def merit_grade(hub: Hub, token: str, module: str, *extra: str) -> str:
    """``merit grade`` as the trainer runs it in their server on the hub (their token, the exchange's URL)."""
    env = {**hub.env, "JUPYTERHUB_API_TOKEN": token, "MERIT_EXCHANGE_URL": hub.exchange_url, "COLUMNS": "200"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "merit"), "grade", COURSE, module, "--oleh", "pelatih-uji", *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def registry_rows(hub: Hub, query: Select) -> list[Row]:
    """The rows of ``query`` in the hub's registry (SQLite in its data directory)."""
    engine = create_engine(f"sqlite:///{hub.data / 'registry.sqlite'}")
    with engine.connect() as connection:
        rows = list(connection.execute(query).all())
    engine.dispose()
    return rows


def levels_of(hub: Hub, nip: str) -> dict[str, tuple[int, float, float]]:
    """What the HR page ranks from: the registry's competency levels of one employee."""
    rows = registry_rows(
        hub,
        select(
            models.CompetencyLevel.competency_code,
            models.CompetencyLevel.level,
            models.CompetencyLevel.score,
            models.CompetencyLevel.max_score,
        )
        .join(models.Employee, models.Employee.id == models.CompetencyLevel.employee_id)
        .where(models.Employee.nip == nip, models.CompetencyLevel.course_id == COURSE),
    )
    return {competency: (level, score, maximum) for competency, level, score, maximum in rows}


def name_of(hub: Hub, nip: str) -> str:
    [(name,)] = registry_rows(hub, select(models.Employee.name).where(models.Employee.nip == nip))
    return name


def written_grade(hub: Hub, learner: str) -> tuple[float | None, bool]:
    from nbgrader.api import Gradebook

    course_dir = hub.data / "nbgrader" / COURSE
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", COURSE) as gradebook:
        grade = gradebook.find_grade(WRITTEN_TASK, WRITTEN_NOTEBOOK, WRITING, learner)
        return grade.manual_score, bool(grade.needs_manual_grade)


def started_by(hub: Hub, variable: str, value: str) -> dict[int, tuple[int, str]]:
    """The processes this hub started (servers, services, their kernels) whose environment
    holds ``variable=value``, found in /proc: pid -> (effective uid, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit():
                continue
            pairs = (item.split("=", 1) for item in (entry / "environ").read_text(errors="replace").split("\0"))
            environ = dict(pair for pair in pairs if len(pair) == 2)
            if environ.get(variable) == value and environ.get("JUPYTERHUB_API_URL", "").rstrip("/") == hub.api:
                command = (entry / "cmdline").read_text(errors="replace").replace("\0", " ")
                found[int(entry.name)] = (entry.stat().st_uid, command)
        except (FileNotFoundError, ProcessLookupError, PermissionError):  # ended meanwhile, or not ours to read
            continue
    return found


def stop_server(hub: Hub, name: str) -> None:
    hub.admin("DELETE", f"/users/{name}/server")
    deadline = time.monotonic() + 120
    while hub.admin("GET", f"/users/{name}").json()["servers"]:
        assert time.monotonic() < deadline, f"the server of {name} did not stop"
        time.sleep(1)


def test_learner_module_from_hub_login_to_hr_level(hub: Hub, chromium, tmp_path):
    started = time.monotonic()
    a = hub.learner_a
    stop_server(hub, a)  # a fresh server and home, whatever ran before
    shutil.rmtree(hub.home(a) / COURSE, ignore_errors=True)
    trainer_token = hub.token(hub.trainer)
    course_dir = hub.data / "nbgrader" / COURSE
    for module in (CODING, WRITING):
        ok(nbgrader(hub, trainer_token, course_dir, "release_assignment", module, "--course", COURSE, "--force"))

    # Learner A: the hub's login page, then their own server's JupyterLab.
    page = log_in(chromium, hub, a, "/hub/spawn")
    page.wait_for_url(f"**/user/{a}/lab**")
    page.locator("#jp-main-statusbar").wait_for()
    # The learner workspace: of nbgrader's tools only the Assignments tab (and Validate). Its
    # menu still lists the disabled tools' commands, unregistered: disabled and without a label.
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    commands = page.locator(".lm-Menu-item[data-command^='nbgrader:']").evaluate_all(
        "items => items.map(i => [i.dataset.command, i.classList.contains('lm-mod-disabled'), i.innerText.trim()])"
    )
    assert [(c, label) for c, disabled, label in commands if not disabled or label] == [
        ("nbgrader:open-assignment-list", "Assignment List")
    ], commands
    page.screenshot(path=tmp_path / "menu-nbgrader.png")
    # The Assignments tab fetches through the exchange.
    page.locator(".lm-Menu-item[data-command='nbgrader:open-assignment-list']").click()
    released = page.locator("#released_assignments_list")
    for module in (CODING, WRITING):
        released.locator(".list_item", has_text=module).get_by_role("button", name="Fetch").click()
        page.locator("#fetched_assignments_list").get_by_text(module).wait_for()
    page.screenshot(path=tmp_path / "tugas.png")
    # No trainer panel, no "official Jupyter news" question (it comes seconds after loading).
    for trainer_tool in ("Create Assignment", "Formgrader", "Courses", "Jupyter news"):
        assert page.get_by_text(trainer_tool).count() == 0, trainer_tool
    assert page.locator(".Toastify__toast").count() == 0
    fetched = hub.home(a) / COURSE / CODING / f"{CODE_NOTEBOOK}.ipynb"
    assert fetched.is_file()  # in A's home
    # A's server runs as A's own Unix user, the course's formgrader as its grader account, and
    # the operating system keeps A's files from B's Unix user.
    a_processes = started_by(hub, "JUPYTERHUB_USER", a)
    assert any("jupyterhub" in command for _, command in a_processes.values()), a_processes
    assert {uid for uid, _ in a_processes.values()} == {pwd.getpwnam(a).pw_uid}, a_processes
    formgrader = started_by(hub, "JUPYTERHUB_SERVICE_NAME", COURSE)
    assert {uid for uid, _ in formgrader.values()} == {pwd.getpwnam(grader_account(COURSE)).pw_uid}, formgrader
    assert as_user(a, "head", "-c", "1", str(fetched)).stdout == "{"
    for command in (["head", "-c", "1", str(fetched)], ["ls", str(hub.home(a))]):
        denied = as_user(hub.learner_b, *command)
        assert denied.returncode != 0 and "Permission denied" in denied.stderr, (command, denied)

    # The code exercises first: an unanswered one stops Run All at its test cell.
    open_notebook(page, hub, CODING, CODE_NOTEBOOK)
    for name in CODE_EXERCISES:
        type_answer(page, f"def {name}(", model_answer(CODING, CODE_NOTEBOOK, f"jawab_{name}"))
    page.screenshot(path=tmp_path / "jawab-kode.png")
    run_all(page)
    status = item(page, "Menurut Pasal 12C")
    status.get_by_text("Paling lambat 30 hari kerja").click()
    status.get_by_text("Jawaban tersimpan").wait_for()
    assert "Terkirim kepada pelatih" in save_and_hand_in(page)

    open_notebook(page, hub, WRITING, WRITTEN_NOTEBOOK)
    run_all(page)
    written = item(page, "kesepakatan")
    written.get_by_role("textbox").fill(
        "Kami sepakat melayani warga sesuai antrean (berorientasi pelayanan), mencatat setiap penggunaan "
        "anggaran (akuntabel), dan tidak membagikan materi kampanye di grup kantor (netralitas, loyal). "
        "Saya mengajak rekan menyusunnya dalam rapat tim dan meninjaunya setiap bulan."
    )
    written.get_by_text("Jawaban tersimpan").wait_for()
    assert "Terkirim kepada pelatih" in save_and_hand_in(page)
    page.screenshot(path=tmp_path / "terkirim.png")

    # Learner B, logged in to the hub in another browser, reaches none of A's work.
    b_page = log_in(chromium, hub, hub.learner_b, "/hub/home")
    b_page.wait_for_url("**/hub/home")
    a_submission = api(hub, hub.token(a), "GET", f"/{COURSE}/kiriman", params={"tugas": CODING}).json()[-1]
    for url in (
        f"/user/{a}/lab",
        f"/user/{a}/files/{COURSE}/{CODING}/{CODE_NOTEBOOK}.ipynb",
        f"/user/{a}/api/contents/{COURSE}/{CODING}/{CODE_NOTEBOOK}.ipynb",
        f"/services/merit-exchange/api/kursus/{COURSE}/kiriman/{a_submission['id']}",
        f"/services/merit-exchange/api/kursus/{COURSE}/kiriman/{a_submission['id']}/umpan-balik/{CODE_NOTEBOOK}",
        f"/services/{COURSE}/formgrader/api/submission/{a}",
        f"/services/merit-halaman/data-saya?nip={a}",  # Merit's pages: B signs in through the hub's OAuth first
        f"/hub/api/users/{a}",
        f"/hub/api/users/{a}/tokens",
    ):
        response = b_page.request.get(hub.url + url, max_redirects=10)
        assert response.status in (403, 404), (url, response.status)
        assert "wajib_lapor" not in response.text() and f'"{a}"' not in response.text()
    b_token = hub.token(hub.learner_b, scopes=["read:users:name!user", "access:servers!user"])
    for url in (f"{hub.api}/users/{a}", f"{hub.api}/users/{a}/tokens", f"{hub.url}/user/{a}/api/contents"):
        response = requests.get(url, headers={"Authorization": f"token {b_token}"}, timeout=30)
        assert response.status_code in (403, 404), (url, response.status_code)
    b_page.context.close()
    # ... nor through the exchange's API with the token B's own server holds.
    b_token = hub.token(hub.learner_b)
    assert all(s["student_id"] == hub.learner_b for s in api(hub, b_token, "GET", f"/{COURSE}/kiriman").json())
    assert api(hub, b_token, "GET", f"/{COURSE}/kiriman", params={"semua": "1"}).status_code == 403
    for path in (f"/kiriman/{a_submission['id']}", f"/kiriman/{a_submission['id']}/umpan-balik/{CODE_NOTEBOOK}"):
        response = api(hub, b_token, "GET", f"/{COURSE}{path}")
        assert response.status_code == 403 and "wajib_lapor" not in response.text, (path, response.status_code)
    # A learner of another course cannot fetch the module, that course's trainer cannot collect it.
    refused(
        nbgrader(hub, hub.token(hub.outsider), tmp_path / "luar", "fetch_assignment", CODING, "--course", COURSE),
        f"Anda tidak terdaftar pada kursus {COURSE}.",
    )
    refused(
        nbgrader(hub, hub.token(hub.other_trainer), tmp_path / "lain", "collect", CODING, "--course", COURSE),
        f"Hanya pengajar kursus {COURSE} yang boleh melakukan ini.",
    )

    # The trainer collects through the exchange and grades.
    graded = merit_grade(hub, trainer_token, CODING, "--kumpulkan", "--semua")
    assert "Dikumpulkan dari exchange: " in graded and "Dikumpulkan dari exchange: 0" not in graded
    assert (course_dir / "submitted" / a / CODING / f"{CODE_NOTEBOOK}.ipynb").is_file()
    merit_grade(hub, trainer_token, WRITING, "--kumpulkan")
    assert written_grade(hub, a) == (None, True)
    after_autograde = levels_of(hub, a)
    assert after_autograde  # the code exercises give A a level already

    # The written answer, graded on formgrader's page (its own tab: the hub forbids framing it).
    trainer_page = log_in(chromium, hub, hub.trainer, f"/services/{COURSE}/formgrader/")
    trainer_page.wait_for_url(f"**/services/{COURSE}/formgrader/**")
    listing = trainer_page.request.get(
        f"{hub.url}/services/{COURSE}/formgrader/api/submitted_notebooks/{WRITING}/{WRITTEN_NOTEBOOK}"
    )
    assert listing.status == 200, listing.text()
    ours = next(s for s in listing.json() if s["student"] == a)
    trainer_page.goto(f"{hub.url}/services/{COURSE}/formgrader/submissions/{ours['id']}/?index=0")
    trainer_page.wait_for_load_state("networkidle")  # the page's grade models are loaded
    score = trainer_page.locator(f"input.score#{WRITTEN_TASK}")
    score.fill("4")
    score.press("Tab")  # formgrader saves a score when its field changes
    deadline = time.monotonic() + 60
    while written_grade(hub, a) != (4.0, False):
        assert time.monotonic() < deadline, written_grade(hub, a)
        time.sleep(1)
    trainer_page.screenshot(path=tmp_path / "formgrader.png")
    trainer_page.context.close()

    merit_grade(hub, trainer_token, WRITING)  # nothing new to grade: brings the trainer's grade to the registry
    after = levels_of(hub, a)
    competency = "kerja_sama"  # the written item's competency
    _, score, maximum = after_autograde.get(competency, (0, 0.0, 0.0))
    assert after[competency][1:] == (score + 4, maximum + 4)  # the trainer's 4 of 4 points count now
    assert after[competency][0] > after_autograde.get(competency, (0, 0.0, 0.0))[0]  # A's new level

    # HR signs in at the hub (in no course: sent to Merit's pages) and finds A's new level on
    # the HR page, with the trainer's grade behind it.
    hr_page = log_in(chromium, hub, hub.hr, "")
    hr_page.wait_for_url("**/services/merit-halaman/")
    hr_page.get_by_role("link", name="Halaman kepegawaian", exact=False).click()
    # No SKP ratings on this hub yet: the page says the default SKP requirement cannot be checked.
    hr_page.get_by_text("Predikat SKP tahun").wait_for()
    for filter_ in ("Golongan min.", "Masa kerja min.", "SKP min."):  # every employee a candidate
        hr_page.locator(".widget-dropdown", has_text=filter_).locator("select").select_option(label="tanpa syarat")
    hr_page.get_by_role("button", name="Terapkan syarat").click()
    ranking = hr_page.locator(".merit-tabel", has_text="JPM %")
    a_row = ranking.locator("tr", has_text=format_nip(a))  # HR of every unit sees full NIPs
    a_row.wait_for()
    assert name_of(hub, a) in a_row.inner_text()
    rank = int(a_row.locator("td").first.inner_text())  # "No": the candidate list below is in the same order
    candidates = hr_page.locator(".widget-select", has_text="Bukti kandidat").locator("select")
    candidates.select_option(index=rank - 1)
    evidence = hr_page.locator(".merit-tabel", has_text="Sel yang dinilai (nbgrader)")
    row = evidence.locator("tr", has_text=f"{WRITING}/{WRITTEN_TASK}: 4/4")
    row.wait_for()
    assert row.locator("td").nth(2).inner_text() == str(after[competency][0])  # "Dimiliki": A's level
    hr_page.screenshot(path=tmp_path / "kepegawaian.png", full_page=True)
    hr_page.context.close()
    print(json.dumps({"wall_s": round(time.monotonic() - started, 1), "levels": after}, default=str))
    stop_server(hub, a)
