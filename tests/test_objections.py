"""Objections (keberatan) on SQLite and PostgreSQL: who may file and answer (checked on the server),
the deadline, the override path for a granted level, the audit trail, rankings and selection reports."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from merit.access import HR, LEARNER, TRAINER, Refused, Role, Viewer
from merit.cli import app
from merit.content import load_content, register_content
from merit.errors import MeritError, ProblemsFound
from merit.nip import format_nip, mask_nip
from merit.objections.filing import answer_objection, file_objection, list_objections
from merit.objections.rules import ObjectionRule, load_objection_rule
from merit.placement.eligibility import resolve_criteria
from merit.placement.ranking import rank_position
from merit.registry import models
from merit.registry.audit import verify
from merit.registry.database import open_registry
from merit.registry.sync import employee_ids
from merit.reports.formats import WRITERS
from merit.reports.selection import publish_selection
from merit.settings import Settings
from tests.conftest import AUDIT_KEY
from tests.placement_data import AS_OF, POSITION, build_agency

RULE = ObjectionRule()
FILED = dt.datetime(2026, 11, 24, 9, 0)


def _learner(session, nip: str) -> Viewer:
    employee = session.scalars(select(models.Employee).where(models.Employee.nip == nip)).one()
    return Viewer(f"u{nip[-3:]}", employee.name, frozenset({Role(LEARNER)}), employee.id, nip)


def _hr(unit: str, name: str = "hr-unit") -> Viewer:
    return Viewer(name, "Petugas Kepegawaian", frozenset({Role(HR, unit)}))


def _entries(session, entity: str) -> list[models.AuditEntry]:
    stmt = select(models.AuditEntry).where(models.AuditEntry.entity == entity).order_by(models.AuditEntry.seq)
    return list(session.scalars(stmt))


def test_a_learner_objects_for_themselves_and_hr_grants_a_level_through_the_override(registry, root, framework):
    content = load_content(Settings(root=root))
    agency = build_agency(registry, root, framework, size=8)
    me, other = agency.people[0], next(p for p in agency.people[1:] if p.unit != agency.people[0].unit)
    with registry.session() as session:
        mine, theirs = _learner(session, me.nip), _learner(session, other.nip)
        before = session.get(models.CompetencyLevel, (mine.employee_id, "integritas"))
        held = before.level if before is not None else 0

    reason = "Esai modul etika saya sudah dinilai tetapi belum masuk ke level integritas."
    with pytest.raises(Refused, match="keberatan atas level atau peringkat Anda sendiri"):
        with registry.session(mine.username, "keberatan") as session:
            file_objection(session, mine, RULE, other.nip, reason, competency="integritas")
    with pytest.raises(MeritError, match="minimal 10 karakter"):
        with registry.session(mine.username, "keberatan") as session:
            file_objection(session, mine, RULE, me.nip, "  salah ", competency="integritas")
    with pytest.raises(MeritError, match="tepat satu"):
        with registry.session(mine.username, "keberatan") as session:
            file_objection(session, mine, RULE, me.nip, reason, competency="integritas", position=POSITION)
    with registry.session(mine.username, f"keberatan diajukan: {reason}") as session:
        row = file_objection(session, mine, RULE, me.nip, reason, competency="integritas", now=FILED)
        number = row.id
    assert row.due_at == FILED + dt.timedelta(days=14) and row.status == "terbuka"
    with pytest.raises(MeritError, match=f"Keberatan yang sama \\(nomor {number}\\) masih terbuka"):
        with registry.session(mine.username, "keberatan") as session:
            file_objection(session, mine, RULE, me.nip, reason, competency="integritas")

    answer = "Esai sudah dinilai widyaiswara; bukti mendukung level 4."
    hr_mine, hr_other = _hr(me.unit), _hr(other.unit, "hr-lain")
    for viewer, message in [
        (mine, "tidak dapat Anda jawab"),  # never one's own objection
        (theirs, "hanya dapat ditinjau dan dijawab oleh petugas kepegawaian unit kerja pegawai"),
        (hr_other, "hanya dapat ditinjau dan dijawab"),  # HR of another unit
        (Viewer("wi", "Widyaiswara", frozenset({Role(TRAINER, "literasi-digital")})), "hanya dapat ditinjau"),
    ]:
        with pytest.raises(Refused, match=message):
            with registry.session(viewer.username, answer) as session:
                answer_objection(session, viewer, content, number, "dikabulkan", answer, level=4)
    with pytest.raises(MeritError, match="hanya diubah bila keberatan dikabulkan"):
        with registry.session(hr_mine.username, answer) as session:
            answer_objection(session, hr_mine, content, number, "ditolak", answer, level=4)
    with pytest.raises(MeritError, match="dikabulkan, ditolak, bukan 'diterima'"):
        with registry.session(hr_mine.username, answer) as session:
            answer_objection(session, hr_mine, content, number, "diterima", answer)

    with registry.session(hr_mine.username, answer) as session:
        answer_objection(session, hr_mine, content, number, "dikabulkan", answer, level=4)
    with pytest.raises(MeritError, match=f"Keberatan nomor {number} sudah dijawab \\(dikabulkan"):
        with registry.session(hr_mine.username, answer) as session:
            answer_objection(session, hr_mine, content, number, "ditolak", answer)

    with registry.session() as session:
        row = session.get(models.Objection, number)
        assert (row.status, row.answered_by, row.level_before, row.level_after) == ("dikabulkan", "hr-unit", held, 4)
        override = session.get(models.LevelOverride, (mine.employee_id, "integritas"))
        assert (override.level, override.assessor) == (4, "hr-unit")
        assert override.reason == f"keberatan nomor {number}: {answer}"
        level = session.get(models.CompetencyLevel, (mine.employee_id, "integritas"))
        assert (level.level, level.source) == (4, "override")
        filed, answered = _entries(session, "objection")
        assert (filed.action, filed.actor, filed.entity_key) == ("create", mine.username, str(number))
        assert filed.reason == f"keberatan diajukan: {reason}" and reason in (filed.after or "")
        assert (answered.action, answered.actor, answered.reason) == ("update", "hr-unit", answer)
        assert '"status":"dikabulkan"' in (answered.after or "") and '"status":"terbuka"' in (answered.before or "")
        [changed] = [e for e in _entries(session, "level_override") if e.seq > filed.seq]
        assert (changed.actor, changed.reason) == ("hr-unit", answer)
        assert any(e.seq > filed.seq for e in _entries(session, "competency_level"))  # the level followed
        assert verify(session, AUDIT_KEY).ok

    # A ranking objection, rejected; HR may file a written one on the learner's behalf.
    with registry.session(hr_mine.username, "keberatan tertulis diterima") as session:
        ranking = file_objection(session, hr_mine, RULE, me.nip, "SKP 2025 saya Sangat Baik.", position=POSITION)
    with registry.session(hr_mine.username, "SKP sesuai e-Kinerja BKN") as session:
        answer_objection(session, hr_mine, content, ranking.id, "ditolak", "SKP 2025 tercatat Baik di e-Kinerja.")
    with registry.session() as session:
        row = session.get(models.Objection, ranking.id)
        assert (row.kind, row.filed_by, row.status, row.level_after) == ("peringkat", "hr-unit", "ditolak", None)


def test_deadline_from_the_setting_overdue_flag_and_who_sees_which_objections(registry, root, framework, content_copy):
    agency = build_agency(registry, root, framework, size=8)
    me = agency.people[0]
    other = next(p for p in agency.people[1:] if p.unit != me.unit)
    short = ObjectionRule(batas_hari=3)
    with registry.session() as session:
        mine, theirs = _learner(session, me.nip), _learner(session, other.nip)
    with registry.session("uji", "keberatan") as session:
        file_objection(
            session, mine, short, me.nip, "Level integritas saya keliru.", competency="integritas", now=FILED
        )
        file_objection(session, theirs, RULE, other.nip, "Peringkat saya keliru sekali.", position=POSITION, now=FILED)

    with registry.session() as session:
        own = list_objections(session, mine)
        assert [line.nip for line in own] == [me.nip]  # a learner sees their own only
        [line] = own
        assert line.due_at == dt.datetime(2026, 11, 27, 9, 0)
        assert not line.overdue(dt.datetime(2026, 11, 27, 9, 0)) and line.overdue(dt.datetime(2026, 11, 27, 9, 1))
        assert line.outcome(dt.datetime(2026, 12, 1)) == "terbuka, batas jawab 27-11-2026 (lewat batas)"
        seen = list_objections(session, _hr(me.unit), open_only=True)
        assert [x.nip for x in seen] == [me.nip]  # HR of one unit: that unit's objections only
        assert len(list_objections(session, Viewer("adm", "Admin", frozenset({Role("admin")})))) == 2
        logged = session.scalars(select(models.AccessLog).where(models.AccessLog.viewer == "hr-unit")).all()
        assert [(x.subject, x.page) for x in logged] == [("daftar keberatan", "keberatan")]
        assert not session.scalars(select(models.AccessLog).where(models.AccessLog.viewer == mine.username)).all()

    assert load_objection_rule(root / "assessments").batas_hari == 14
    setting = content_copy / "assessments" / "keberatan.yml"
    setting.write_text("batas_hari: 30\n")
    assert load_objection_rule(content_copy / "assessments").batas_hari == 30
    setting.write_text("batas_hari: 0\n")
    with pytest.raises(ProblemsFound) as problem:
        load_objection_rule(content_copy / "assessments")
    assert "keberatan.yml, kolom batas_hari" in str(problem.value.problems[0])
    setting.unlink()
    assert load_objection_rule(content_copy / "assessments").batas_hari == 14  # an older content folder


def test_ranking_marks_open_objections_and_the_report_records_each_outcome(registry, root, framework, tmp_path):
    content = load_content(Settings(root=root))
    build_agency(registry, root, framework, size=8)
    criteria = resolve_criteria(content.placement, content.positions[POSITION], content.units, AS_OF)
    with registry.session() as session:
        ranked = rank_position(session, POSITION, content.jpm_rule, criteria=criteria)
    first, second, third = (c.nip for c in ranked.candidates[:3])
    assert all(c.objections == () for c in ranked.candidates)
    admin = Viewer("adm", "Admin", frozenset({Role("admin")}))
    with registry.session() as session:
        ids = employee_ids(session, [first, second, third])
        viewers = {nip: Viewer(nip, nip, frozenset({Role(LEARNER)}), ids[nip], nip) for nip in ids}
    with registry.session("uji", "keberatan") as session:
        opened = file_objection(session, viewers[first], RULE, first, "Peringkat saya keliru.", position=POSITION)
        granted = file_objection(session, viewers[second], RULE, second, "Level saya keliru.", competency="komunikasi")
        unrelated = file_objection(
            session, viewers[third], RULE, third, "Level ini tidak dipersyaratkan.", competency="analisis_kebijakan"
        )
    with registry.session("adm", "bukti komunikasi diperiksa ulang") as session:
        answer_objection(session, admin, content, granted.id, "dikabulkan", "Bukti mendukung level 3.", level=3)
    with registry.session() as session:
        marks = {
            c.nip: c.objections
            for c in rank_position(session, POSITION, content.jpm_rule, criteria=criteria).candidates
        }
    assert marks[first] == (opened.id,)  # open, about this ranking
    assert marks[second] == () and marks[third] == ()  # answered; about a level the position does not require
    assert unrelated.status == "terbuka"

    with registry.session("Panitia Seleksi", "Seleksi terbuka uji keberatan 2026") as session:
        published = publish_selection(
            session, POSITION, content.jpm_rule, criteria, content.level_rule, tmp_path, WRITERS
        )
    with published.files["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    columns = rows[15]
    assert columns[-1] == "Keberatan"
    by_nip = {r[1]: r[-1] for r in rows[16:] if len(r) == len(columns) and r[0].isdigit()}
    assert by_nip[mask_nip(first)] == f"nomor {opened.id}: terbuka"
    assert by_nip[mask_nip(second)] == f"nomor {granted.id}: dikabulkan"
    assert by_nip[mask_nip(third)] == "-"
    start = rows.index(["Keberatan kandidat atas peringkat ini atau atas level yang dipersyaratkan"])
    assert rows[start + 1][0] == "Nomor keberatan"
    recorded = {r[0]: r for r in rows[start + 2 : start + 4]}
    assert set(recorded) == {str(opened.id), str(granted.id)}
    assert recorded[str(opened.id)][2].startswith("peringkat jabatan Kepala Subbagian")
    assert recorded[str(opened.id)][5].startswith("terbuka, batas jawab")
    assert recorded[str(granted.id)][5].startswith("dikabulkan") and "→ 3" in recorded[str(granted.id)][5]
    sheet = list(load_workbook(published.files["xlsx"])["Keberatan"].iter_rows(values_only=True))
    assert sorted(r[0] for r in sheet[2:]) == sorted([opened.id, granted.id])
    pdf = " ".join("\n".join(p.extract_text() for p in PdfReader(published.files["pdf"]).pages).split())
    assert "Keberatan kandidat atas peringkat ini" in pdf and "dikabulkan" in pdf
    everything = pdf + published.files["csv"].read_text(encoding="utf-8-sig") + str(sheet)
    assert first not in everything and "Peringkat saya keliru" not in everything  # masked; the reason stays private


def _run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_keberatan_commands_file_list_show_answer_and_the_ranking_marks_them(settings, root, framework):
    registry = open_registry(settings)
    with registry.session("pytest", "katalog") as session:
        register_content(session, load_content(settings))
    agency = build_agency(registry, root, framework, size=8)
    late = agency.people[1]
    with registry.session("uji", "keberatan lama") as session:
        viewer = _learner(session, late.nip)
        old = file_objection(
            session,
            viewer,
            ObjectionRule(batas_hari=1),
            late.nip,
            "Peringkat saya keliru.",
            position=POSITION,
            now=FILED,
        )
    registry.close()
    me = agency.people[0]

    filed = _run(
        "keberatan", "ajukan", me.nip, "--kompetensi", "integritas", "--alasan", "Esai etika belum dihitung.",
        "--oleh", "Rina BKPSDM",
    )  # fmt: skip
    assert filed.exit_code == 0, filed.output
    number = old.id + 1
    assert f"Keberatan nomor {number} dicatat untuk {mask_nip(me.nip)}" in filed.output and "(14 hari)" in filed.output
    for args, message in [
        (("ajukan", me.nip, "--alasan", "tanpa sasaran keberatan"), "Sebutkan tepat satu"),
        (("ajukan", me.nip, "--jabatan", "kepala-antah", "--alasan", "jabatan tidak ada"), "tidak dikenal"),
        (("ajukan", "199001012015011999", "--jabatan", POSITION, "--alasan", "tidak terdaftar"), "tidak terdaftar"),
        (("jawab", "99", "--keputusan", "ditolak", "--alasan", "nomor tidak ada"), "Keberatan nomor 99 tidak ada"),
        (("jawab", str(number), "--keputusan", "ditolak", "--alasan", "ditolak", "--level", "3"), "minimal 10"),
    ]:
        result = _run("keberatan", *args)
        assert result.exit_code == 2 and message in " ".join(result.output.split()), (args, result.output)
        assert "Traceback" not in result.output

    listed = _run("keberatan", "daftar")
    assert listed.exit_code == 0, listed.output
    out = " ".join(listed.output.split())
    assert "Keberatan terbuka: 2, 1 lewat batas" in out and "lewat batas" in out
    assert mask_nip(me.nip) in out and me.nip not in out and "level Integritas" in out
    assert format_nip(me.nip) in _run("keberatan", "daftar", "--tampilkan-nip").output

    ranked = _run("rank", POSITION, "--per-tanggal", AS_OF.isoformat(), "--tanpa-syarat", "--jumlah", "50")
    assert ranked.exit_code == 0, ranked.output
    rows = {line.split("│")[2].strip(): line for line in ranked.output.splitlines() if line.count("│") > 5}
    assert f"nomor {number}" in rows[mask_nip(me.nip)] and f"nomor {old.id}" in rows[mask_nip(late.nip)]
    assert "Keberatan terbuka: 2 kandidat" in ranked.output

    answered = _run(
        "keberatan", "jawab", str(number), "--keputusan", "dikabulkan", "--level", "4",
        "--alasan", "Esai sudah dinilai; level 4 sesuai bukti.", "--oleh", "Asesor Uji",
    )  # fmt: skip
    assert answered.exit_code == 0, answered.output
    assert f"Keberatan nomor {number} dikabulkan; level integritas" in answered.output and "→ 4" in answered.output
    shown = " ".join(_run("keberatan", "lihat", str(number)).output.split())
    for expected in ("Atas: level Integritas", "Alasan: Esai etika belum dihitung.", "oleh Rina BKPSDM", "dikabulkan"):
        assert expected in shown, expected
    assert "Jawaban (Asesor Uji): Esai sudah dinilai; level 4 sesuai bukti." in shown
    explained = " ".join(_run("level", "jelaskan", me.nip, "integritas").output.split())
    assert "level 4 (override)" in explained and f"keberatan nomor {number}" in explained
    assert "Keberatan terbuka: 1, 1 lewat batas" in " ".join(_run("keberatan", "daftar").output.split())
    assert "Jejak audit utuh" in _run("audit", "verify").output


def _page_and_learner(registry, root, framework, tmp_path):  # type: ignore[no-untyped-def]
    """A page context over a six-person agency, and its first person."""
    from merit.dashboards.context import PageContext
    from merit.placement.talent import load_grid_rule

    settings = Settings(root=root, data_dir=tmp_path)
    ctx = PageContext(settings, load_content(settings), registry, load_grid_rule(settings.assessments_dir))
    return ctx, build_agency(registry, root, framework, size=6).people[0]


def test_portal_form_files_for_the_signed_in_learner_and_lists_their_objections(registry, root, framework, tmp_path):
    from merit.dashboards.learner import learner_portal
    from merit.dashboards.views.objections import ObjectionForm

    ctx, me = _page_and_learner(registry, root, framework, tmp_path)
    with registry.session() as session:
        viewer = _learner(session, me.nip)
        portal = learner_portal(session, ctx.content.courses, tmp_path, viewer.require_learner())
    form = ObjectionForm(ctx, viewer, portal)
    assert "paling lambat 14 hari" in form.children[0].value and "Anda belum pernah" in form.mine.value

    form.reason.value = "pendek"
    form.submit.click()
    assert "minimal 10 karakter" in form.result.children[0].value
    form.competency.value = "integritas"
    form.reason.value = "Nilai esai etika saya belum dihitung dalam level ini."
    form.submit.click()
    assert "Keberatan nomor 1 tercatat" in form.result.children[0].value and form.reason.value == ""
    form.kind.value = "peringkat"
    assert form.competency.layout.display == "none" and form.position.layout.display is None
    form.position.value = POSITION
    form.reason.value = "SKP saya tahun lalu Sangat Baik, bukan Baik."
    form.submit.click()
    assert "Keberatan nomor 2 tercatat" in form.result.children[0].value
    assert "Keberatan saya" in form.mine.value and "peringkat jabatan Kepala Subbagian" in form.mine.value
    with registry.session() as session:
        rows = session.scalars(select(models.Objection).order_by(models.Objection.id)).all()
        assert [(r.employee_id, r.kind, r.filed_by) for r in rows] == [
            (viewer.employee_id, "level", viewer.username),
            (viewer.employee_id, "peringkat", viewer.username),
        ]


def test_hr_review_tab_lists_flags_and_answers_with_the_server_checking_the_reviewer(
    registry, root, framework, tmp_path
):
    from merit.dashboards.views.objections import ObjectionReview

    ctx, me = _page_and_learner(registry, root, framework, tmp_path)
    with registry.session() as session:
        viewer = _learner(session, me.nip)
    with registry.session("uji", "keberatan") as session:
        late = file_objection(
            session, viewer, ObjectionRule(batas_hari=1), me.nip, "Peringkat keliru.", position=POSITION, now=FILED
        )
        level = file_objection(session, viewer, RULE, me.nip, "Level integritas keliru.", competency="integritas")

    review = ObjectionReview(ctx, _hr(me.unit))
    assert (
        "Keberatan terbuka: 2, 1 lewat batas" in review.listing.value
        and "Level integritas keliru." in review.listing.value
    )
    assert [value for _, value in review.choice.options] == [late.id, level.id]
    assert "Keberatan terbuka: 0" in ObjectionReview(ctx, _hr("Unit Lain")).listing.value

    own = ObjectionReview(ctx, viewer)  # what the page offers does not decide: the server refuses
    own.choice.value, own.answer.value = level.id, "Saya kabulkan sendiri saja."
    own.send.click()
    assert "tidak dapat Anda jawab" in own.result.children[0].value

    review.choice.value, review.level.value = level.id, 4
    review.answer.value = "Bukti esai mendukung level 4."
    review.send.click()
    assert f"Keberatan nomor {level.id} dikabulkan" in review.result.children[0].value
    assert [value for _, value in review.choice.options] == [late.id]
    with registry.session() as session:
        assert session.get(models.CompetencyLevel, (viewer.employee_id, "integritas")).level == 4
        assert session.get(models.Objection, level.id).answered_by == "hr-unit"
    review.answered.value = True
    assert "Keberatan semua: 2" in review.listing.value and "dikabulkan" in review.listing.value


def test_a_ranking_prepared_before_an_objection_shows_it_when_handed_out(registry, root, framework):
    from merit.dashboards import hr
    from merit.placement.eligibility import resolve_criteria

    content = load_content(Settings(root=root))
    build_agency(registry, root, framework, size=6)
    with registry.session() as session:
        prepared = hr.prepare(session, content, POSITION, AS_OF)  # what a preheated HR kernel holds
        first = prepared.candidates[0].nip
        viewer = _learner(session, first)
    with registry.session("uji", "keberatan") as session:
        row = file_objection(session, viewer, RULE, first, "Peringkat saya keliru.", position=POSITION)
    criteria = resolve_criteria(content.placement, content.positions[POSITION], content.units, AS_OF, None)
    admin = Viewer("adm", "Admin", frozenset({Role("admin")}))
    with registry.session() as session:
        shown = hr.ranking(session, content, admin, POSITION, criteria, prepared=prepared)
    assert shown.candidates[0].objections == (row.id,) and prepared.candidates[0].objections == ()
    assert [c.nip for c in shown.candidates] == [c.nip for c in prepared.candidates]


def test_the_trainer_of_the_course_behind_a_level_is_its_assessor(registry, root, framework):
    from merit.pipeline import after_evidence_change
    from tests.placement_data import add_evidence

    content = load_content(Settings(root=root))
    course = content.courses["tata-kelola"]
    agency = build_agency(registry, root, framework, size=4)
    me = next(p for p in agency.people if "pengambilan_keputusan" not in agency.levels[p.nip])
    with registry.session("uji", "bukti tata kelola") as session:
        viewer = _learner(session, me.nip)
        add_evidence(session, viewer.employee_id, course, 1.0, dt.datetime(2026, 11, 2))
        after_evidence_change(session, content.courses, content.level_rule, AS_OF, {viewer.employee_id})
        level = session.get(models.CompetencyLevel, (viewer.employee_id, "pengambilan_keputusan"))
        assert (level.source, level.course_id) == ("evidence", "tata-kelola")
    with registry.session("uji", "keberatan") as session:
        row = file_objection(
            session, viewer, RULE, me.nip, "Soal studi kasus dinilai keliru.", competency="pengambilan_keputusan"
        )
    assessor = Viewer("wi-tk", "Widyaiswara", frozenset({Role(TRAINER, "tata-kelola")}))
    other = Viewer("wi-ld", "Widyaiswara", frozenset({Role(TRAINER, "literasi-digital")}))
    with registry.session() as session:
        assert [x.id for x in list_objections(session, assessor)] == [row.id]
        assert list_objections(session, other) == []
    with pytest.raises(Refused, match="asesor level itu"):
        with registry.session(other.username, "bukan kursus saya") as session:
            answer_objection(session, other, content, row.id, "ditolak", "Bukan kursus saya, tetapi saya tolak.")
    with registry.session(assessor.username, "kunci jawaban diperiksa ulang") as session:
        answer_objection(session, assessor, content, row.id, "ditolak", "Kunci jawaban studi kasus sudah benar.")
    with registry.session() as session:
        assert session.get(models.Objection, row.id).answered_by == "wi-tk"
