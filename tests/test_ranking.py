"""Ranking order from position_match equals the stated rule, ties included, on each backend."""

from __future__ import annotations

import datetime as dt

from merit.competency.levels import load_level_rule
from merit.competency.overrides import set_override
from merit.demo.roster import synthetic_roster
from merit.people.roster import register_roster
from merit.pipeline import after_evidence_change
from merit.placement.jpm import load_jpm_rule
from merit.placement.ranking import rank_position, ranked_ids

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
                    changed.add(set_override(session, framework, person.nip, code, level, "hasil asesmen uji", "Asesor"))
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
