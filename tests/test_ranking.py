"""Ranking order from position_match equals the stated rule, ties included, on each backend."""

from __future__ import annotations

import datetime as dt

from merit.catalog import load_course
from merit.competency.levels import load_level_rule
from merit.competency.overrides import set_override
from merit.demo.roster import synthetic_roster
from merit.people.roster import register_roster
from merit.pipeline import after_evidence_change
from merit.placement.eligibility import Criteria
from merit.placement.ranking import rank_position, ranked_ids
from merit.placement.rules import load_jpm_rule
from tests.placement_data import add_evidence

# (integritas, pelayanan_publik, komunikasi) levels per person; several ties on purpose.
LEVELS = [(3, 3, 2), (1, 1, 1), (3, 3, 2), (5, 1, 0), (2, 3, 2), (0, 0, 0), (3, 2, 2), (2, 3, 2)]


def test_ranking_follows_jpm_then_met_then_nip(registry, root, framework):
    people = synthetic_roster(len(LEVELS))
    rule = load_jpm_rule(root / "assessments")
    with registry.session("asesor", "level uji peringkat") as session:
        register_roster(session, people)
        changed = set()
        for person, levels in zip(people, LEVELS, strict=True):
            for code, level in zip(("integritas", "pelayanan_publik", "komunikasi"), levels, strict=True):
                if level:
                    changed.add(
                        set_override(session, framework, person.nip, code, level, "hasil asesmen uji", "Asesor")
                    )
        after_evidence_change(session, {}, load_level_rule(root / "assessments"), dt.date(2026, 11, 23), changed)
    with registry.session() as session:
        ranking = rank_position(session, "kasubbag-kepegawaian", rule)
        top3 = ranked_ids(session, "kasubbag-kepegawaian", rule, limit=3)
        everyone = ranked_ids(session, "kasubbag-kepegawaian", rule)
    order = [c.nip for c in ranking.candidates]
    expected = sorted(ranking.candidates, key=lambda c: (-c.match.percent, -c.match.met, c.nip))
    assert order == [c.nip for c in expected]
    assert len(order) == len(people) and everyone[:3] == top3
    tied = [c for c in ranking.candidates if c.match.percent == ranking.candidates[0].match.percent]
    assert len(tied) == 2 and tied[0].nip < tied[1].nip  # (3,3,2) twice: the smaller NIP first
    assert ranking.candidates[-1].match.percent == 0


def test_each_level_shows_its_evidence_and_expired_evidence_is_flagged_then_dropped(registry, root, framework):
    course = load_course(root / "courses" / "tata-kelola", framework)
    level_rule = load_level_rule(root / "assessments")
    rule = load_jpm_rule(root / "assessments")
    fresh, old, assessed = synthetic_roster(3)
    submitted = {fresh.nip: dt.datetime(2026, 3, 2, 9, 30), old.nip: dt.datetime(2023, 6, 5, 14, 0)}
    with registry.session("pytest", "bukti uji") as session:
        ids = {
            p.nip: i
            for p, i in zip(
                (fresh, old, assessed), sorted(register_roster(session, [fresh, old, assessed]).employees), strict=True
            )
        }
        for nip, when in submitted.items():
            add_evidence(session, ids[nip], course, 1.0, when)
        set_override(session, framework, assessed.nip, "integritas", 3, "asesmen center BKPSDM 2026", "Asesor Rina")
        after_evidence_change(session, {course.id: course}, level_rule, dt.date(2026, 5, 1), None)

    as_of = dt.date(2026, 11, 23)  # evidence of 2023-06-05 expired on 2026-06-05
    with registry.session() as session:
        ranking = rank_position(
            session, "kasubbag-kepegawaian", rule, criteria=Criteria(as_of=as_of), level_rule=level_rule
        )
    by_nip = {c.nip: c for c in ranking.candidates}
    integrity = next(r for r in by_nip[fresh.nip].match.rows if r.code == "integritas")
    basis = by_nip[fresh.nip].basis["integritas"]
    tagged = [c for c in course.cells if c.competency == "integritas"]
    assert (integrity.required, integrity.held, integrity.gap) == (3, 2, 1)
    assert [(e.course_id, e.assignment, e.submitted, e.score, e.cells, e.expired) for e in basis.evidence] == [
        (course.id, tagged[0].module, submitted[fresh.nip], sum(c.points for c in tagged), len(tagged), False)
    ]
    assert (
        by_nip[fresh.nip].basis_text(integrity) == f"tata-kelola/{tagged[0].module} 02-03-2026 "
        f"skor {sum(c.points for c in tagged):g}/{sum(c.points for c in tagged):g}"
    )
    assert by_nip[fresh.nip].expired_evidence == []
    assert by_nip[old.nip].expired_evidence == sorted({c.competency for c in course.cells})
    assert "(KEDALUWARSA)" in by_nip[old.nip].basis["integritas"].text()
    override = by_nip[assessed.nip].basis["integritas"]
    assert (
        override.text().startswith("keputusan asesor Asesor Rina") and "asesmen center BKPSDM 2026" in override.text()
    )
    no_level = next(r for r in by_nip[assessed.nip].match.rows if r.code == "komunikasi")
    assert by_nip[assessed.nip].basis_text(no_level) == "belum ada bukti"

    with registry.session("pytest", "hitung ulang per tanggal seleksi") as session:
        after_evidence_change(session, {course.id: course}, level_rule, as_of, None)
    with registry.session() as session:
        again = rank_position(
            session, "kasubbag-kepegawaian", rule, criteria=Criteria(as_of=as_of), level_rule=level_rule
        )
    recomputed = {c.nip: c for c in again.candidates}
    assert recomputed[old.nip].match.percent == 0 and recomputed[old.nip].basis == {}
    assert recomputed[fresh.nip].match.percent == by_nip[fresh.nip].match.percent
    assert [c.nip for c in again.candidates][-1] == old.nip
