"""Debian's chromium under Playwright, as every browser test starts it.

Playwright's own browser downloads are never used: ``make system`` installs chromium.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def launched_chromium() -> Iterator[object]:
    """A headless browser for a module's or a package's tests (never the session's).

    While Playwright's sync API is started it marks its event loop as running in the main
    thread, and every later test would meet that loop (nbclient then runs kernels in a thread
    of its own, away from the grading slot bound to this one, and another
    ``sync_playwright()`` refuses to start); the check after closing keeps it that way.
    """
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make system` (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()  # nothing left marked running for the tests after these
