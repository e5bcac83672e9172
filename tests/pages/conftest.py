"""Browser fixtures shared by the page tests: one headless chromium for all of them.

The browser is Debian's chromium driven by Playwright (``make system`` installs it;
Playwright's own downloads are never used), at 1366×768, a common office laptop. Every
page is opened offline: a route aborts each request that does not go to the loopback
address and records it, and the tests assert that none was made.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser_support import launched_chromium

VIEWPORT = {"width": 1366, "height": 768}
TIMEOUT_MS = 120_000
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
LOOPBACK = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(argv: Sequence[str], port: int, log: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """Start a web server process and wait until ``port`` answers; a failure shows its log."""
    handle = log.open("w")
    process = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return process
        except urllib.error.HTTPError:
            return process  # answering, if only with a redirect or refusal
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"server did not start: {log.read_text()}") from None
            time.sleep(0.3)


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class Offline:
    """Requests that tried to leave the machine, aborted."""

    blocked: list[str] = field(default_factory=list)

    def route(self, route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(LOOPBACK):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture(scope="package")
def chromium() -> Iterator[object]:
    """One browser for the pages' tests, stopped when they end (package scope: see launched_chromium)."""
    yield from launched_chromium()


@pytest.fixture
def offline() -> Offline:
    return Offline()


@pytest.fixture
def context(chromium, offline) -> Iterator[object]:
    """A fresh browser context (own cookies) with every non-loopback request blocked."""
    ctx = chromium.new_context(viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.route("**/*", offline.route)
    yield ctx
    ctx.close()
    assert offline.blocked == [], f"requests left the machine: {offline.blocked}"


def python_env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


DEMO_PASSWORD = "merit-demo-2026"


@dataclass(frozen=True)
class Pages:
    url: str
    data: Path
    log: Path


@pytest.fixture(scope="session")
def pages(demo_runs, tmp_path_factory) -> Iterator[Pages]:
    """``merit serve`` over the demo's registry (all four courses graded), one preheated kernel per page."""
    data, _, _ = demo_runs
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {**python_env(), "MERIT_ROOT": str(Path(__file__).resolve().parents[2]), "MERIT_DATA_DIR": str(data)}
    env.pop("MERIT_DATABASE_URL", None)
    env.pop("MERIT_FORMGRADER_URL", None)
    merit = Path(sys.executable).with_name("merit")
    argv = [str(merit), "serve", "--port", str(port), "--kernel-siap", "1"]
    log = folder / "serve.log"
    server = start_server(argv, port, log, env, folder)
    yield Pages(f"http://127.0.0.1:{port}", data, log)
    stop_server(server)


def sign_in(context, pages: Pages, username: str, password: str = DEMO_PASSWORD):  # type: ignore[no-untyped-def]
    """A new page of ``context``, signed in as ``username``."""
    page = context.new_page()
    page.goto(f"{pages.url}/masuk")
    page.fill("#u", username)
    page.fill("#p", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{pages.url}/")
    return page
