"""Merit's pages as the hub service ``merit-halaman``: the hub is their login, and every page,
kernel and download learns its viewer from the hub's cookie through Merit's identity seam.

The session's hub (tests/hub_support.py) serves them; HR's view of a learner's new level is
in tests/test_hub_e2e.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from tornado.web import create_signed_value

from tests.browser_support import launched_chromium
from tests.hub_support import TIMEOUT_MS, Hub, log_in

pytestmark = pytest.mark.e2e

PAGES = "/services/merit-halaman/"


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    yield from launched_chromium()


def wait_for_pages(hub: Hub) -> None:
    """The hub starts its services without waiting for them; the public verification page answers once Voila does."""
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(f"{hub.url}{PAGES}verifikasi", timeout=10).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, "Merit's pages did not answer behind the hub"
        time.sleep(1)


def test_pages_know_their_viewer_from_the_hub(hub: Hub, chromium, tmp_path):
    wait_for_pages(hub)
    # Nobody signed in: the hub's login page; the HR page's notebook never runs.
    context = chromium.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    stranger = context.new_page()
    stranger.goto(f"{hub.url}{PAGES}voila/render/kepegawaian.ipynb")
    stranger.wait_for_url("**/hub/login**")
    # A cookie under the service's name but not signed by it is nobody either.
    forged = create_signed_value("bukan-rahasia-layanan", "service-merit-halaman", "token-palsu").decode()
    context.add_cookies([{"name": "service-merit-halaman", "value": forged, "url": hub.url + PAGES}])
    response = stranger.request.get(f"{hub.url}{PAGES}data-saya", max_redirects=0)
    assert response.status == 302 and "/masuk" in response.headers["location"], response.status
    context.close()

    # Learner B signs in at the hub, lands on their own portal, named by the hub's user.
    page = log_in(chromium, hub, hub.learner_b, f"{PAGES}voila/render/peserta.ipynb")
    page.wait_for_url(f"**{PAGES}voila/render/peserta.ipynb")
    page.get_by_text("Kursus dan modul saya").wait_for()
    assert f"({hub.learner_b}; peran: peserta)" in page.locator(".merit-catatan").first.inner_text()
    page.screenshot(path=tmp_path / "portal-hub.png", full_page=True)
    # Their own data, and nobody else's, whatever the URL says.
    own = page.request.get(f"{hub.url}{PAGES}data-saya")
    assert own.status == 200 and own.headers["content-type"] == "application/zip"
    assert own.headers["content-disposition"].endswith(f'data-saya-{hub.learner_b}.zip"')
    other = page.request.get(f"{hub.url}{PAGES}data-saya?nip={hub.learner_a}")
    assert other.status == 403 and hub.learner_a not in other.text()
    # The HR page refuses a learner in its kernel, from the same cookie.
    page.goto(f"{hub.url}{PAGES}voila/render/kepegawaian.ipynb")
    assert "Halaman kepegawaian hanya untuk petugas kepegawaian" in page.locator(".merit-tolak").inner_text()
    assert page.locator(".merit-tabel").count() == 0
    # Keluar signs out of the pages and of the hub: the next page asks the hub's login again.
    page.goto(f"{hub.url}{PAGES}voila/render/peserta.ipynb")
    page.get_by_role("link", name="Keluar").click()
    page.wait_for_url("**/hub/login**")
    page.goto(f"{hub.url}{PAGES}voila/render/peserta.ipynb")
    page.wait_for_url("**/hub/login**")
    page.context.close()
