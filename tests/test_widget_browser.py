"""A learner's whole path in a real browser, in JupyterLab and in Voila: open, answer, reload, hand in.

The servers are started by the test on free localhost ports with Merit's learner
configuration (:func:`merit.learner.workspace.write_learner_config`); the module is the
sample module with every kind of item, released by nbgrader into a folder exchange and
fetched into the learner's home; the Submit button hands it in through that exchange and
nbgrader's collect and autograde find it. The browser is Debian's chromium (``make system``
installs it) driven by Playwright, which never downloads a browser of its own. Pages are
checked at 1366x768 and at a 390 px phone width; screenshots go to build/screenshots/.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from merit.learner.workspace import write_learner_config
from tests.browser_support import CHROMIUM
from tests.widget_course import EXPECTED, MODULE, NOTEBOOK, SampleCourse, sample_course

pytestmark = pytest.mark.e2e

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
LEARNER = "199001012015031001"
TIMEOUT_MS = 120_000
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(command: list[str], home: Path, config: Path, log_path: Path, ready: str) -> Iterator[str]:
    """Run a Jupyter server (Lab or Voila) for the learner; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "MERIT_PESERTA": LEARNER,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTERLAB_SETTINGS_DIR": str(config / "lab" / "user-settings"),
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, f"--port={port}"], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url + ready, timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(f"server did not start: {log_path.read_text()}") from None
                time.sleep(0.3)
        try:
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


@pytest.fixture
def learner(tmp_path) -> tuple[SampleCourse, Path, Path]:
    """The sample module released to a folder exchange and fetched into the learner's home."""
    course = sample_course(tmp_path)
    result = course.api().release_assignment(MODULE)
    assert result["success"], result["log"]
    home = tmp_path / "peserta"
    home.mkdir()
    (home / "nbgrader_config.py").write_text(
        f"c.CourseDirectory.course_id = 'etika-pelayanan'\n"
        f"c.Exchange.root = {str(course.root / 'exchange')!r}\n"
        f"c.Exchange.cache = {str(tmp_path / 'cache')!r}\n"
    )
    course.hand_out(home)
    config = tmp_path / "jupyter-peserta"
    write_learner_config(config)
    return course, home, config


@pytest.fixture
def browser(tmp_path):
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make system` (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "chromium-profile",
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=DESKTOP,
        )
        yield context
        context.close()


def item(page, question: str):
    return page.locator(".merit-soal", has_text=question)


def wait_saved(locator) -> None:
    locator.get_by_text("Jawaban tersimpan").wait_for(timeout=TIMEOUT_MS)


def rank_with_keyboard(page, ranking, wanted: list[str]) -> None:
    """Bring each response up with the keyboard: focus its Up button, press Enter, repeat.

    After a move the focus must follow the response, so the next Enter moves it again.
    """
    for position, text in enumerate(wanted):
        rows = ranking.locator(".widget-hbox")
        current = next(i for i in range(rows.count()) if text in rows.nth(i).inner_text())
        if current == position:
            continue
        rows.nth(current).get_by_role("button", name="Naik").focus()
        for _ in range(current - position):
            page.keyboard.press("Enter")
            page.wait_for_timeout(300)
        assert text in rows.nth(position).inner_text()
        focused = page.evaluate("document.activeElement.title")
        assert text in focused, f"focus did not follow the moved response: {focused}"


def answer_every_item(page, keyboard: bool) -> None:
    """One answer of each kind of item; with ``keyboard``, the Likert scale by keyboard alone.

    (In JupyterLab the arrow keys also move between cells, so there the scale is clicked.)
    """
    gift = item(page, "Apa yang sebaiknya Anda lakukan?")
    gift.get_by_text("Menolak dengan ramah").click()
    wait_saved(gift)

    openness = item(page, "wujud transparansi")
    for text in ("Lowongan dan persyaratannya", "Kriteria dan bobot", "Hasil setiap tahap", "Informasi lowongan hanya"):
        openness.get_by_text(text).click()
    wait_saved(openness)

    attendance = item(page, "Apa yang Anda lakukan?")
    attendance.get_by_text("Mengingatkan rekan dan operator secara pribadi").click()
    wait_saved(attendance)

    ranking = item(page, "Urutkan tanggapan berikut")
    rank_with_keyboard(
        page,
        ranking,
        ["Mengusulkan pelatihan", "Membuka meja pendampingan", "Menunggu sampai", "Menjawab bahwa layanan loket"],
    )
    ranking.get_by_role("button", name="Simpan urutan ini").click()
    wait_saved(ranking)

    hours = item(page, "Berapa JP lagi")
    hours.get_by_role("textbox").fill("4")
    hours.get_by_role("textbox").press("Enter")
    hours.get_by_text("Tercatat: 4").wait_for(timeout=TIMEOUT_MS)

    written = item(page, "apa yang akan Anda katakan")
    written.get_by_role("textbox").fill(
        "Terima kasih, Pak. Layanan ini gratis dan kami tidak boleh menerima pemberian."
    )
    wait_saved(written)

    reflection = item(page, "Saya berani menolak")
    if keyboard:  # focus the scale, arrows choose
        reflection.get_by_role("radio").first.focus()
        page.keyboard.press("Space")
        for _ in range(3):
            page.keyboard.press("ArrowDown")
    else:
        reflection.get_by_role("radio").nth(3).click()
    wait_saved(reflection)
    assert reflection.get_by_role("radio").nth(3).is_checked()


def hand_in(page) -> str:
    """Press Submit; returns what the button reports."""
    submit = page.get_by_role("button", name="Kirim jawaban")
    submit.click()
    report = page.locator(".merit-soal", has=submit)
    report.get_by_text("Terkirim kepada pelatih pada").wait_for(timeout=TIMEOUT_MS)
    return report.inner_text()


ROW_BOXES = """row => {
    const box = e => {
        const r = e.getBoundingClientRect();
        return {x: r.x, y: r.y, width: r.width, height: r.height};
    };
    const boxes = {text: box(row.querySelector(".widget-html"))};
    for (const b of row.querySelectorAll("button")) boxes[b.textContent.trim()] = box(b);
    return boxes;
}"""


def check_phone(page, name: str) -> None:
    """At 390 px: nothing sticks out sideways, and each ranking row keeps its buttons on its line."""
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(800)
    ranking = item(page, "Urutkan tanggapan berikut")
    ranking.scroll_into_view_if_needed()
    rows = ranking.locator(".widget-hbox")
    for index in range(rows.count()):
        # One snapshot of the row's boxes: JupyterLab may scroll the notebook between two
        # separate measurements, which would compare boxes from different scroll positions.
        boxes = rows.nth(index).evaluate(ROW_BOXES)
        text = boxes["text"]
        assert text["width"] >= 120, (index, text)  # the response stays readable beside its buttons
        for label in ("Naik", "Turun"):
            button = boxes[label]
            middle = button["y"] + button["height"] / 2
            assert text["y"] <= middle <= text["y"] + text["height"], (index, label, text, button)
            assert button["x"] > text["x"] + text["width"] - 1, (index, label)
    wide = page.evaluate(
        "[...document.querySelectorAll('.merit-soal')].some(e => e.getBoundingClientRect().right > innerWidth + 1)"
    )
    assert not wide
    ranking.screenshot(path=SCREENSHOTS / f"{name}-peringkat-390.png")
    page.screenshot(path=SCREENSHOTS / f"{name}-390.png")
    page.set_viewport_size(DESKTOP)


def collected_scores(course: SampleCourse) -> dict[str, float | None]:
    """nbgrader's collect takes the submission from the exchange; autograde scores it."""
    student = getpass.getuser()  # nbgrader's folder exchange names a submission by the OS user
    result = course.api().collect(MODULE)
    assert result["success"], result["log"]
    course.autograde(student)
    grades = course.grades(student)
    return {name: grades[name][0] for name in EXPECTED}


def submitted_record(home: Path) -> dict:
    return json.loads((home / MODULE / ".merit-jawaban" / "kiriman.json").read_text())


def test_learner_answers_and_hands_in_in_voila(tmp_path, learner, browser):
    course, home, config = learner
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "voila", str(home), "--no-browser", "--Voila.ip=127.0.0.1"]
    with server(command, home, config, tmp_path / "voila.log", "/") as url:
        page = browser.new_page()
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if "127.0.0.1" not in r.url else None)
        page.goto(f"{url}/voila/render/{MODULE}/{NOTEBOOK}.ipynb", timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Kirim jawaban").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_text("PilihanTunggal(").count() == 0  # questions, not code
        hint = page.locator(".merit-soal", has=page.get_by_role("button", name="Kirim jawaban")).inner_text()
        assert "tersimpan sendiri setiap kali Anda mengklik" in hint and "Ctrl" not in hint

        answer_every_item(page, keyboard=True)
        page.reload()  # a reload starts a new kernel: every answer is read back from its file
        for question in ("Apa yang sebaiknya Anda lakukan?", "Urutkan tanggapan berikut", "Saya berani menolak"):
            wait_saved(item(page, question))
        assert item(page, "Apa yang sebaiknya Anda lakukan?").get_by_role("radio", checked=True).count() == 1
        page.screenshot(path=SCREENSHOTS / "voila-1366.png", full_page=True)
        item(page, "Urutkan tanggapan berikut").screenshot(path=SCREENSHOTS / "soal-peringkat.png")

        report = hand_in(page)
        assert "6 dari 6 soal yang dinilai sudah dijawab" in report and "Belum dijawab" not in report
        check_phone(page, "voila")
        page.close()
    assert outside == []  # Merit's offline template: no CDN, so an unreachable one cannot stall the page
    assert submitted_record(home)["terkirim"] is True
    assert collected_scores(course) == EXPECTED


def test_learner_answers_and_hands_in_in_jupyterlab(tmp_path, learner, browser):
    course, home, config = learner
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={home}",
        "--LabApp.expose_app_in_browser=True",
        "--allow-root",  # CI machines run tests as root
        "--ServerApp.disable_check_xsrf=True",  # the test ends the kernel through the REST API
    ]
    with server(command, home, config, tmp_path / "lab.log", "/api/status") as url:
        page = browser.new_page()
        page.goto(f"{url}/lab/tree/{MODULE}/{NOTEBOOK}.ipynb", timeout=TIMEOUT_MS)
        page.locator(".jp-Notebook").wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=TIMEOUT_MS)
        # The workspace: Indonesian as far as the language pack goes (the file browser and the
        # launcher; the menus stay English), no news pop-up, no trainer tools.
        page.locator(".jp-DirListing-header").get_by_text("Nama", exact=True).wait_for(timeout=TIMEOUT_MS)
        disabled = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent)")
        assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} <= set(
            disabled["disabledExtensions"]
        )
        page.wait_for_timeout(1500)
        assert page.get_by_text("official Jupyter news").count() == 0
        assert urllib.request.urlopen(f"{url}/api/config/notebook").status == 200
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{url}/formgrader")

        page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for(timeout=TIMEOUT_MS)  # kernel ready
        page.locator(".jp-Notebook").click(position={"x": 5, "y": 5})
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.get_by_role("button", name="Kirim jawaban").wait_for(timeout=TIMEOUT_MS)
        page.get_by_text("Kode yang menampilkan soal").first.wait_for(timeout=TIMEOUT_MS)  # collapsed cells
        assert not page.get_by_text("= PilihanTunggal(").is_visible()
        hint = page.locator(".merit-soal", has=page.get_by_role("button", name="Kirim jawaban")).inner_text()
        assert "simpan dulu notebook (Ctrl + S)" in hint

        answer_every_item(page, keyboard=False)
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_timeout(1500)
        page.screenshot(path=SCREENSHOTS / "lab-1366.png")
        report = hand_in(page)
        assert "6 dari 6 soal yang dinilai sudah dijawab" in report
        page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")  # as on a phone
        check_phone(page, "lab")

        # Reopened with its kernel gone: the saved answers show, without "model not found".
        for session in json.load(urllib.request.urlopen(f"{url}/api/sessions")):
            request = urllib.request.Request(f"{url}/api/sessions/{session['id']}", method="DELETE")
            urllib.request.urlopen(request)
        page.reload()
        page.locator(".jp-Notebook").wait_for(timeout=TIMEOUT_MS)
        item(page, "Urutkan tanggapan berikut").wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(1500)
        assert page.get_by_text("model not found").count() == 0
        assert item(page, "Apa yang sebaiknya Anda lakukan?").get_by_text("Jawaban tersimpan").count() >= 1
        page.screenshot(path=SCREENSHOTS / "lab-dibuka-lagi.png")
        page.close()
    assert submitted_record(home)["terkirim"] is True
    assert collected_scores(course) == EXPECTED


def test_charts_render_in_voila(tmp_path, browser):
    home = tmp_path / "peserta"
    home.mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "dashboards" / "profil.ipynb", home / "profil.ipynb")
    config = tmp_path / "jupyter-peserta"
    write_learner_config(config)
    command = [sys.executable, "-m", "voila", str(home), "--no-browser", "--Voila.ip=127.0.0.1"]
    with server(command, home, config, tmp_path / "voila.log", "/") as url:
        page = browser.new_page()
        page.goto(f"{url}/voila/render/profil.ipynb", timeout=TIMEOUT_MS)
        page.locator(".js-plotly-plot .legendtext").first.wait_for(timeout=TIMEOUT_MS)
        legend = page.evaluate("[...document.querySelectorAll('.legendtext')].map(e => e.textContent)")
        assert legend == ["Level dipersyaratkan", "Level dimiliki"]
        assert page.locator(".js-plotly-plot .scatterlayer .trace").count() == 2  # both outlines drawn
        assert page.get_by_text("pelayanan publik: level 2 dari 3").count() == 1
        assert page.get_by_text("14 dari 20 JP (70%)").count() == 1
        page.close()
