"""The three pages in a real browser (Debian's chromium at 1366×768), offline, behind the login.

One ``merit serve`` with a preheated kernel per page runs over the demo's registry; every
request that is not to the loopback address is aborted and the test fails if one was
made. Screenshots of the three pages go to build/screenshots/ (docs/img/ holds copies).
"""

from __future__ import annotations

import json
import zipfile
from urllib.parse import urlparse

import pytest
from sqlalchemy import create_engine, func, select

from merit.registry import models
from tests.pages.conftest import SCREENSHOTS, Pages, sign_in

pytestmark = pytest.mark.e2e


def open_page(page, pages: Pages, name: str, query: str = ""):  # type: ignore[no-untyped-def]
    page.goto(f"{pages.url}/voila/render/{name}.ipynb{query}")
    page.locator("h1, .merit-tolak").first.wait_for()
    return page


def screenshot(page, name: str, height: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """The page at 1366 px wide; ``height`` for a taller shot (Voila scrolls inside the page, not the document)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if height:
        page.set_viewport_size({"width": 1366, "height": height})
        page.wait_for_timeout(500)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
    page.set_viewport_size({"width": 1366, "height": 768})


def access_log_count(pages: Pages, viewer: str) -> int:
    engine = create_engine(f"sqlite:///{pages.data / 'registry.sqlite'}")
    with engine.connect() as connection:
        count = connection.execute(
            select(func.count()).select_from(models.AccessLog).where(models.AccessLog.viewer == viewer)
        ).scalar_one()
    engine.dispose()
    return count


def test_serve_prints_the_address_and_the_demo_accounts(pages):
    printed = pages.log.read_text()
    assert f"Halaman Merit: http://localhost:{urlparse(pages.url).port}/" in printed
    assert "kata sandi merit-demo-2026" in printed
    for account in ("peserta", "widyaiswara", "kepegawaian", "admin"):
        assert f"  {account} " in printed


def test_nothing_without_signing_in(pages, context):
    page = context.new_page()
    page.goto(f"{pages.url}/voila/render/kepegawaian.ipynb")
    assert urlparse(page.url).path in ("/login", "/masuk")  # sent to the login page, the notebook never ran
    page.fill("#u", "kepegawaian")
    page.fill("#p", "bukan-kata-sandinya")
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text().startswith("Nama pengguna atau kata sandi salah")
    page.close()


def test_learner_portal_shows_my_modules_feedback_profile_and_jp(pages, context):
    page = open_page(sign_in(context, pages, "peserta"), pages, "peserta")
    page.get_by_text("Kursus dan modul saya").wait_for()
    table = page.locator(".merit-tabel").first.inner_text()
    for course in ("Etika dan Integritas ASN", "Literasi Digital untuk ASN", "Pelayanan Publik", "Tata Kelola"):
        assert course in table
    assert "dinilai" in table
    assert "******" not in page.locator("p", has_text="NIP").first.inner_text()  # my own NIP in full
    # A module opens its feedback: nbgrader's grades and comments per cell.
    choice = page.locator(".widget-select", has_text="Umpan balik modul").locator("select")
    graded = next(o for o in choice.locator("option").all_inner_texts() if o.endswith("(dinilai)"))
    choice.select_option(label=graded)
    feedback = page.locator("h3", has_text="Umpan balik:")
    feedback.wait_for()
    assert "Komentar (nbgrader)" in page.locator(".merit-tabel", has_text="Komentar").inner_text()
    page.locator(".js-plotly-plot .legendtext").first.wait_for()  # the competency radar is drawn
    page.get_by_text("dari 20 JP").wait_for()
    screenshot(page, "portal-peserta", height=1900)  # down to the radar and the JP bar
    page.close()


def test_learner_downloads_my_data_from_the_portal_and_nobody_elses(pages, context, tmp_path):
    """The portal's button fetches /data-saya, which asks the identity seam (not the URL) who is looking."""
    engine = create_engine(f"sqlite:///{pages.data / 'registry.sqlite'}")
    with engine.connect() as connection:
        mine = connection.execute(
            select(models.Employee.nip)
            .join(models.Account, models.Account.employee_id == models.Employee.id)
            .where(models.Account.username == "peserta")
        ).scalar_one()
        others = set(connection.execute(select(models.Employee.nip)).scalars()) - {mine}
    engine.dispose()
    page = open_page(sign_in(context, pages, "peserta"), pages, "peserta")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh data saya (zip)").click()
    assert download.value.suggested_filename == f"data-saya-{mine}.zip"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        files = {name.partition("/")[2]: archive.read(name) for name in archive.namelist()}
    assert json.loads(files["profil.json"])["nip"] == mine
    expected = {"README.txt", "nilai_per_sel.csv", "level_kompetensi.json", "jejak_audit.csv", "log_akses.csv"}
    assert expected <= set(files)
    feedback = files["umpan_balik_nbgrader.csv"].decode("utf-8-sig").splitlines()
    assert len(feedback) > 10  # nbgrader's grades and comments, read from the demo's real gradebooks
    blob = b"".join(files.values()).decode("utf-8", errors="replace")
    assert others and not any(nip in blob for nip in others)
    # Another person's archive by URL: refused in Indonesian, no data.
    refused = context.request.get(f"{pages.url}/data-saya?nip={min(others)}")
    assert refused.status == 403 and "Anda hanya dapat mengunduh data Anda sendiri" in refused.text()
    page.close()


def test_learner_is_refused_other_learners_and_the_hr_page(pages, context):
    page = sign_in(context, pages, "peserta")
    open_page(page, pages, "peserta", "?nip=199001012015031001")
    assert "data Anda sendiri" in page.locator(".merit-tolak").inner_text()
    assert page.get_by_text("Kursus dan modul saya").count() == 0
    open_page(page, pages, "kepegawaian", "?jabatan=kasubbag-kepegawaian")
    assert "Halaman kepegawaian hanya untuk petugas kepegawaian" in page.locator(".merit-tolak").inner_text()
    assert page.locator(".merit-tabel").count() == 0
    open_page(page, pages, "widyaiswara")
    assert "Akses ditolak" in page.locator(".merit-tolak").inner_text()
    page.close()


def test_trainer_page_shows_progress_grading_status_and_item_scores(pages, context):
    page = open_page(sign_in(context, pages, "widyaiswara"), pages, "widyaiswara", "?kursus=tata-kelola")
    overview = page.locator(".merit-tabel", has_text="Menunggu penilaian manual")
    overview.wait_for()
    assert "Prinsip Tata Kelola" in overview.inner_text()
    link = page.get_by_role("link", name="Buka formgrader tata-kelola (tab baru)")
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("href") == "/services/tata-kelola/formgrader/"
    before = access_log_count(pages, "widyaiswara")
    page.locator(".widget-select", has_text="Rincian modul").locator("select").select_option(index=0)
    page.locator(".merit-tabel", has_text="Sebaran skor").wait_for()
    page.get_by_text("Menunggu penilaian manual (").wait_for()
    assert access_log_count(pages, "widyaiswara") > before  # the names of those waiting were seen
    analysis = page.locator(".merit-analisis")  # `merit analisis` of the module: a row and a chart per item
    analysis.wait_for()
    assert analysis.locator("tbody tr").count() == analysis.locator("svg.merit-grafik-butir").count() > 0
    screenshot(page, "halaman-widyaiswara", height=1600)
    page.close()


def test_hr_page_ranks_explains_maps_and_exports(pages, context, tmp_path):
    page = open_page(sign_in(context, pages, "kepegawaian"), pages, "kepegawaian")
    ranking = page.locator(".merit-tabel", has_text="JPM %")
    ranking.wait_for()
    page.get_by_role("heading", name="Kepala Subbagian Umum dan Kepegawaian").wait_for()
    first = ranking.locator("tbody tr").first.inner_text()
    assert "Optimal" in first and "19" in first  # HR sees full NIPs
    screenshot(page, "halaman-kepegawaian")
    # Another position re-ranks.
    page.locator(".widget-dropdown", has_text="Jabatan").locator("select").select_option(
        label="Kepala Bagian Organisasi dan Tata Laksana (kabag-organisasi)"
    )
    page.get_by_role("heading", name="Kepala Bagian Organisasi dan Tata Laksana").wait_for()
    # A candidate opens the evidence behind each level.
    page.locator(".widget-select", has_text="Bukti kandidat").locator("select").select_option(index=0)
    evidence = page.locator(".merit-tabel", has_text="Sel yang dinilai (nbgrader)")
    evidence.wait_for()
    assert "/" in evidence.inner_text()
    # The nine-box grid and the gap heatmap.
    page.get_by_role("tab", name="Kotak talenta").click()
    page.get_by_text("Kotak 9").first.wait_for()
    page.get_by_role("tab", name="Peta kesenjangan").click()
    page.get_by_text("Peta kesenjangan: persentase pegawai").wait_for()
    page.get_by_role("tab", name="Kebutuhan pelatihan").click()
    page.get_by_text("Kesenjangan paling umum").wait_for()
    # The export is the audited selection report; its CSV is downloaded and read.
    page.get_by_role("tab", name="Laporan seleksi").click()
    page.get_by_placeholder("misalnya: Seleksi terbuka JPT 2026").fill("Seleksi terbuka uji halaman 2026")
    page.get_by_role("button", name="Buat laporan seleksi").click()
    page.get_by_text("dicatat di jejak audit").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert "Hasil pemeringkatan kandidat: Kepala Bagian Organisasi dan Tata Laksana" in text
    assert "Seleksi terbuka uji halaman 2026" in text and "NIP (disamarkan)" in text
    assert access_log_count(pages, "kepegawaian") > 0
    page.close()


def test_learner_files_an_objection_from_the_portal(pages, context):
    page = open_page(sign_in(context, pages, "peserta"), pages, "peserta")
    form = page.locator(".merit-keberatan")
    form.get_by_text("Keberatan atas level atau peringkat").wait_for()
    assert "paling lambat 14 hari" in form.inner_text() and "jejak audit" in form.inner_text()
    form.locator(".widget-dropdown", has_text="Kompetensi").locator("select").select_option(index=0)
    chosen = form.locator(".widget-dropdown", has_text="Kompetensi").locator("select option:checked").inner_text()
    chosen = chosen.replace("\xa0", " ").split(" (level saat ini")[0]  # ipywidgets shows spaces as no-break
    form.locator("textarea").fill("Esai modul etika saya sudah dinilai widyaiswara tetapi belum masuk ke level ini.")
    form.get_by_role("button", name="Ajukan keberatan").click()
    form.get_by_role("status").get_by_text("tercatat").wait_for()  # the help text says "tercatat" too
    mine = form.locator(".merit-tabel", has_text="Batas jawab")
    mine.wait_for()
    row = mine.locator("tbody tr").first.inner_text()
    assert f"level {chosen}" in row and "terbuka" in row
    form.scroll_into_view_if_needed()
    form.screenshot(path=SCREENSHOTS / "portal-keberatan.png")
    engine = create_engine(f"sqlite:///{pages.data / 'registry.sqlite'}")
    with engine.connect() as connection:
        filed = connection.execute(select(models.Objection.filed_by, models.Objection.status)).all()
        audited = (
            connection.execute(select(models.AuditEntry.actor).where(models.AuditEntry.entity == "objection"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert filed == [("peserta", "terbuka")] and audited == ["peserta"]
    page.close()
