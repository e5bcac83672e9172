"""A learner answers the sample module in Voila, in a real browser, and autograde scores it.

Voila is started by the test on a free localhost port; the browser is Debian's chromium
(``make system`` installs it) driven by Playwright, which never downloads a browser of its
own. One item is answered with the keyboard alone; the page is checked on a phone-sized
screen; a screenshot of an item is written to build/screenshots/ (docs/img/ holds a copy).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.widget_course import EXPECTED, MODULE, NOTEBOOK, sample_course

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
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
STUDENT = "199001012015031001"
TIMEOUT_MS = 120_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def voila(tmp_path):
    """Voila serving ``tmp_path/peserta`` (the learner's home) on a free port; yields (base URL, home)."""
    home = tmp_path / "peserta"
    home.mkdir()
    port = free_port()
    log = (tmp_path / "voila.log").open("w")
    env = {**os.environ, "MERIT_PESERTA": STUDENT}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voila",
            str(home),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--VoilaConfiguration.show_tracebacks=True",
        ],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"Voila did not start: {(tmp_path / 'voila.log').read_text()}") from None
            time.sleep(0.3)
    yield url, home
    process.terminate()
    process.wait(timeout=30)
    log.close()


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
            viewport={"width": 900, "height": 1000},
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


def test_learner_answers_in_voila_and_autograde_finds_the_score(tmp_path, voila, browser):
    url, home = voila
    course = sample_course(tmp_path)
    folder = course.hand_out(home)

    page = browser.new_page()
    page.goto(f"{url}/voila/render/{MODULE}/{NOTEBOOK}.ipynb", timeout=TIMEOUT_MS)
    submit = page.get_by_role("button", name="Kirim jawaban")
    submit.wait_for(timeout=TIMEOUT_MS)

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

    reflection = item(page, "Saya berani menolak")  # keyboard only: focus the scale, arrows choose
    reflection.get_by_role("radio").first.focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    wait_saved(reflection)
    assert reflection.get_by_role("radio").nth(3).is_checked()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ranking.screenshot(path=SCREENSHOTS / "soal-peringkat.png")
    shutil.copy(SCREENSHOTS / "soal-peringkat.png", tmp_path / "soal-peringkat.png")

    submit.click()
    page.get_by_text("Jawaban dikirim").wait_for(timeout=TIMEOUT_MS)
    assert "7 dari 7 soal dijawab" in page.locator(".merit-soal", has=submit).inner_text()

    # Readable on a phone: nothing sticks out sideways at 360 px.
    page.set_viewport_size({"width": 360, "height": 800})
    page.wait_for_timeout(500)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.close()

    assert (folder / ".merit-jawaban" / "kiriman.json").is_file()
    course.collect(STUDENT, folder)
    course.autograde(STUDENT)
    grades = course.grades(STUDENT)
    assert {name: grades[name][0] for name in EXPECTED} == EXPECTED
    assert sum(EXPECTED.values()) == 12.5


def test_charts_render_in_voila(voila, browser):
    url, home = voila
    shutil.copy(Path(__file__).parent / "fixtures" / "dashboards" / "profil.ipynb", home / "profil.ipynb")
    page = browser.new_page()
    page.goto(f"{url}/voila/render/profil.ipynb", timeout=TIMEOUT_MS)
    page.locator(".js-plotly-plot .legendtext").first.wait_for(timeout=TIMEOUT_MS)
    legend = page.evaluate("[...document.querySelectorAll('.legendtext')].map(e => e.textContent)")
    assert legend == ["Level dipersyaratkan", "Level dimiliki"]
    assert page.locator(".js-plotly-plot .scatterlayer .trace").count() == 2  # both outlines drawn
    assert page.get_by_text("pelayanan publik: level 2 dari 3").count() == 1
    assert page.get_by_text("14 dari 20 JP (70%)").count() == 1
    page.close()
