"""The queries behind the three pages, on SQLite and PostgreSQL, with the viewer's limits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select, update

from merit.access import Refused, Role, Viewer
from merit.analysis.items import Thresholds
from merit.catalog.eligibility import EligibilityRule
from merit.content import load_content
from merit.dashboards import hr, learner, trainer
from merit.people.completion import refresh_completions
from merit.placement.talent import load_grid_rule
from merit.registry import models
from merit.registry.sync import employee_ids
from merit.settings import Settings
from tests.conftest import ROOT
from tests.placement_data import AS_OF, POSITION, add_evidence, build_agency

HR_ALL = Viewer("hr", "HR", frozenset({Role("kepegawaian", "*")}))


@pytest.fixture
def agency(registry, framework, tmp_path):
    """A 20-person agency; person 0 completed tata-kelola this year, person 1 waits for the trainer."""
    content = load_content(Settings(root=ROOT, data_dir=tmp_path / "data"))
    people = build_agency(registry, ROOT, framework, size=20).people
    course = content.courses["tata-kelola"]
    this_year = dt.datetime(AS_OF.year, 11, 2, 9, 0)
    with registry.session() as session:
        ids = employee_ids(session, [p.nip for p in people])
        add_evidence(session, ids[people[0].nip], course, 1.0, this_year)
        add_evidence(session, ids[people[1].nip], course, 0.5, this_year)
        first_module = course.spec.modules[0].id
        session.execute(
            update(models.Evidence)
            .where(models.Evidence.employee_id == ids[people[1].nip], models.Evidence.assignment == first_module)
            .values(needs_manual_grade=True, score=0)
        )
    with registry.session("pytest", "kelulusan uji") as session:
        refresh_completions(session, content.courses)  # what every evidence writer does (merit.pipeline)
    workspace = tmp_path / "data" / "nbgrader"
    (workspace / "etika-integritas" / "submitted" / people[2].nip / "m01-kode-etik").mkdir(parents=True)
    return content, people, ids, workspace


def test_learner_portal_statuses_profile_and_jp(registry, agency):
    content, people, ids, workspace = agency
    with registry.session() as session:
        done = learner.learner_portal(session, content.courses, workspace, ids[people[0].nip], AS_OF.year)
        waiting = learner.learner_portal(session, content.courses, workspace, ids[people[1].nip], AS_OF.year)
        handed = learner.learner_portal(session, content.courses, workspace, ids[people[2].nip], AS_OF.year)
    courses = {c.course_id: c for c in done.courses}
    assert set(courses) == set(content.courses)
    assert {m.status for m in courses["tata-kelola"].modules} == {learner.GRADED}
    assert courses["tata-kelola"].counted and done.jp == content.courses["tata-kelola"].spec.jp
    assert {m.status for m in courses["etika-integritas"].modules} == {learner.NOT_STARTED}
    first = {c.course_id: c for c in waiting.courses}["tata-kelola"].modules[0]
    assert first.status == learner.WAITING and first.pending > 0 and "sementara" in first.score_text
    assert waiting.jp == 0
    etika = {c.course_id: c for c in handed.courses}["etika-integritas"].modules
    assert [m.status for m in etika][:2] == [learner.SUBMITTED, learner.NOT_STARTED]
    assert done.required and done.position_title and set(done.held) <= set(done.names)


def test_trainer_cohort_counts_and_item_distribution(registry, agency, monkeypatch):
    content, people, ids, workspace = agency
    monkeypatch.setenv("MERIT_FORMGRADER_URL", "http://127.0.0.1:8888/formgrader/{kursus}")
    with registry.session() as session:
        cohort = trainer.course_cohort(session, content.courses["tata-kelola"], workspace)
    assert cohort.formgrader == "http://127.0.0.1:8888/formgrader/tata-kelola"
    first, second = cohort.modules[0], cohort.modules[1]
    assert first.submitted == 2 and first.graded == 1
    assert [w.nip for w in first.waiting] == [people[1].nip]
    assert second.graded == 2 and second.waiting == ()
    item = second.items[0]
    assert item.graded == 2 and dict(item.distribution) == {item.max_score * 0.5: 1, item.max_score: 1}
    assert item.mean == pytest.approx(item.max_score * 0.75)
    monkeypatch.delenv("MERIT_FORMGRADER_URL")
    assert trainer.formgrader_url("etika-integritas") == "/services/etika-integritas/formgrader/"


def test_hr_ranking_evidence_grids_heatmap_needs_and_access_log(registry, agency):
    content, people, ids, workspace = agency
    rule = load_grid_rule(ROOT / "assessments")
    override = EligibilityRule(skp_min=None)
    criteria = hr.criteria_for(content, HR_ALL, POSITION, override, AS_OF)
    with registry.session() as session:
        ranked = hr.ranking(session, content, HR_ALL, POSITION, criteria, limit=5)
        assert len(ranked.candidates) == 5
        logged = session.scalar(select(func.count()).select_from(models.AccessLog))
        assert logged == 5
        top = ranked.candidates[0]
        rows = hr.candidate_evidence(session, HR_ALL, top, ranked.required)
        assert {r.code for r in rows} == set(ranked.required)
        assert any(r.source == "override" for r in rows)
        grid = hr.grid_position(session, content, HR_ALL, rule, POSITION, criteria)
        assert grid.entries
        unit = people[0].unit
        by_unit = hr.grid_unit(session, content, HR_ALL, rule, unit, AS_OF)
        assert {e.unit for e in by_unit.entries} == {unit}
        heat = hr.gap_heatmap(session, HR_ALL)
        assert unit in heat.units and heat.cells
        total = sum(c.employees for (code, _), c in heat.cells.items() if code == heat.competencies[0])
        assert total > 0
        assert hr.needs(session, content, HR_ALL, unit).employees > 0


def test_unit_hr_sees_only_their_unit(registry, agency):
    content, people, ids, workspace = agency
    unit = people[0].unit
    other = next(p.unit for p in people if p.unit != unit)
    unit_hr = Viewer("hr.unit", "HR unit", frozenset({Role("kepegawaian", unit)}))
    criteria = hr.criteria_for(content, unit_hr, POSITION, EligibilityRule(skp_min=None), AS_OF)
    assert criteria.units == (unit,)
    with pytest.raises(Refused, match=other):
        hr.criteria_for(content, unit_hr, POSITION, EligibilityRule(units=[other]), AS_OF)
    learner_viewer = Viewer("p", "P", frozenset({Role("peserta")}), ids[people[0].nip], people[0].nip)
    with registry.session() as session:
        ranked = hr.ranking(session, content, unit_hr, POSITION, criteria)
        assert {c.unit for c in ranked.candidates} == {unit}
        assert set(hr.gap_heatmap(session, unit_hr).units) == {unit}
        with pytest.raises(Refused):
            hr.needs(session, content, unit_hr, other)
        with pytest.raises(Refused, match="kepegawaian"):
            hr.gap_heatmap(session, learner_viewer)


def test_export_is_the_audited_selection_report(registry, agency, tmp_path):
    content, people, ids, workspace = agency
    criteria = hr.criteria_for(content, HR_ALL, POSITION, EligibilityRule(skp_min=None), AS_OF)
    published, files = hr.export_selection(
        registry,
        content,
        HR_ALL,
        POSITION,
        criteria,
        tmp_path / "laporan",
        ["csv", "xlsx", "pdf"],
        "Seleksi terbuka uji",
    )
    assert sorted(files) == ["csv", "pdf", "xlsx"] and all(p.is_file() for p in files.values())
    with registry.session() as session:
        decision = session.scalars(select(models.SelectionDecision)).one()
        assert decision.actor == "hr" and decision.reason == "Seleksi terbuka uji"
        assert session.scalar(select(func.count()).select_from(models.AccessLog)) == len(
            published.report.ranking.candidates
        )
    text = files["csv"].read_text(encoding="utf-8-sig")
    assert "Nomor keputusan" in text and people[0].nip not in text  # NIPs masked in what is published


def test_a_prepared_ranking_is_handed_out_only_for_the_same_question(registry, agency):
    content, people, ids, workspace = agency
    with registry.session() as session:
        prepared = hr.prepare(session, content, POSITION, AS_OF)
        assert session.scalar(select(func.count()).select_from(models.AccessLog)) == 0  # nobody saw it yet
        same = hr.criteria_for(content, HR_ALL, POSITION, EligibilityRule(), AS_OF)
        assert hr.ranking(session, content, HR_ALL, POSITION, same, prepared=prepared) is prepared
        assert session.scalar(select(func.count()).select_from(models.AccessLog)) == len(prepared.candidates)
        unit_hr = Viewer("hr.unit", "HR unit", frozenset({Role("kepegawaian", people[0].unit)}))
        narrower = hr.criteria_for(content, unit_hr, POSITION, EligibilityRule(), AS_OF)
        own = hr.ranking(session, content, unit_hr, POSITION, narrower, prepared=prepared)
        assert own is not prepared and {c.unit for c in own.candidates} <= {people[0].unit}


def test_trainer_item_analysis_matches_the_evidence_flags_an_inverted_item_and_is_for_trainers_only(registry, agency):
    """The page's analysis is `merit analisis` over the registry's evidence: a 14-learner module
    whose last item is answered only by the weaker learners is flagged, with the reason."""
    content, people, ids, workspace = agency
    course = content.courses["tata-kelola"]
    module = course.spec.modules[1].id
    cells = [c for c in course.cells if c.module == module]
    assert len(cells) >= 3  # manual cells too: graded by the trainer, they count like any other
    learners = people[2:14]
    rows = []
    for k, person in enumerate(learners):
        ability = (k + 1) / (len(learners) + 1)
        for j, cell in enumerate(cells):
            inverted = j == len(cells) - 1
            right = ability < 0.5 if inverted else ability > (j + 1) / (len(cells) + 1)
            rows.append(
                models.Evidence(
                    employee_id=ids[person.nip],
                    competency_code=cell.competency,
                    course_id=course.id,
                    assignment=module,
                    notebook=cell.notebook,
                    cell=cell.grade_id,
                    nbgrader_grade_id=f"v{k}-{j}",
                    score=cell.points if right else 0.0,
                    max_score=cell.points,
                    needs_manual_grade=False,
                    submitted_at=dt.datetime(AS_OF.year, 11, 3),
                )
            )
    with registry.session() as session:
        session.add_all(rows)
    trainer_viewer = Viewer("w", "W", frozenset({Role("widyaiswara", course.id)}))
    with registry.session() as session:
        analysis = trainer.item_analysis(session, trainer_viewer, course, Thresholds())
        scores = {
            (e.employee_id, e.cell): e.score
            for e in session.scalars(
                select(models.Evidence).where(
                    models.Evidence.course_id == course.id, models.Evidence.assignment == module
                )
            )
        }
        with pytest.raises(Refused, match=course.id):
            other = Viewer("x", "X", frozenset({Role("widyaiswara", "etika-integritas")}))
            trainer.item_analysis(session, other, course, Thresholds())
    report = analysis.modules[1]
    assert report.module == module and report.scale is not None and report.scale.stats.n == len(learners) + 2
    by_name = {item.stats.name: item for item in report.items}
    for cell in cells:  # facility = the mean score ÷ maximum, from the rows themselves
        own = [s for (_, name), s in scores.items() if name == cell.grade_id]
        assert by_name[cell.grade_id].stats.facility == pytest.approx(sum(own) / len(own) / cell.points)
    last, first = by_name[cells[-1].grade_id], by_name[cells[0].grade_id]
    assert any(flag.startswith("daya beda negatif") for flag in last.flags)
    assert last.groups[0] > last.groups[-1] and first.groups[0] <= first.groups[-1]
    assert not any(flag.startswith("daya beda negatif") for flag in first.flags)
    # the first module: one learner's cells wait for the trainer and are left out, named
    assert analysis.modules[0].pending


def test_hr_page_without_skp_ratings_says_why_and_keeps_its_filters(registry, agency, tmp_path):
    """No SKP ratings yet (a new site): the default SKP requirement cannot be checked; the page
    says so where the ranking goes, and HR switches the requirement off on the page itself."""
    from merit.dashboards.context import PageContext
    from merit.dashboards.views.hr import HrPage

    content, people, _ids, _workspace = agency
    with registry.session() as session:
        session.execute(delete(models.SkpRating))
    settings = Settings(root=ROOT, data_dir=tmp_path / "data")
    ctx = PageContext(settings, content, registry, load_grid_rule(settings.assessments_dir), AS_OF)
    page = HrPage(ctx, HR_ALL, POSITION)
    [shown] = page.ranking_box.children
    assert "Predikat SKP tahun" in shown.value and "SKP min.: tanpa syarat" in shown.value
    page.skp.value = ""  # "tanpa syarat"
    page.apply.click()
    assert page.ranking_table in page.ranking_box.children and "JPM %" in page.ranking_table.value
    assert any(p.name in page.ranking_table.value for p in people)
