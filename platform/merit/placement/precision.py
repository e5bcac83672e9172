"""Measurement error in a ranking: which differences are noise, which levels are provisional.

Every evidence-based level rests on a pooled score with a standard error of measurement
(merit.competency.reliability). Moving each such score one SEM down and up gives the
lowest and highest level the rule would give, and from those the lowest and highest
job-person match. Two neighbours in a ranking whose ranges overlap differ by less than the
measurement error ("selisih dalam batas galat ukur"): HR should not read their order as a
difference in merit. A level whose evidence is less reliable than the level rule's
``min_reliability`` (or of unknown reliability) is provisional ("sementara").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from merit.competency.levels import LevelRule
from merit.competency.reliability import level_range
from merit.placement.basis import LevelBasis
from merit.placement.jpm import JPMRule


@dataclass(frozen=True)
class MatchPrecision:
    """The match one SEM below and above every evidence-based level, and the provisional levels."""

    low: float
    high: float
    provisional: tuple[str, ...]  # required competencies whose level rests on unreliable evidence

    @property
    def uncertain(self) -> bool:
        return self.high > self.low


def match_precision(
    held: Mapping[str, int],
    required: Mapping[str, int],
    bases: Mapping[str, LevelBasis],
    level_rule: LevelRule,
    jpm_rule: JPMRule,
) -> MatchPrecision:
    low, high = dict(held), dict(held)
    provisional = []
    for code, basis in bases.items():
        if basis.source != "evidence" or code not in required or code not in held:
            continue
        precision = basis.precision
        if precision is None or precision.provisional(level_rule.min_reliability):
            provisional.append(code)
        if precision is not None and precision.sem_share and basis.share is not None:
            low[code], high[code] = level_range(level_rule, held[code], basis.share, precision.sem_share)
    return MatchPrecision(
        jpm_rule.match(low, dict(required)).percent,
        jpm_rule.match(high, dict(required)).percent,
        tuple(sorted(provisional)),
    )


def close_to_next(ranked: Sequence[MatchPrecision | None]) -> tuple[bool, ...]:
    """For each candidate, whether the match of the next one is within measurement error of it."""
    close = []
    for upper, lower in zip(ranked, ranked[1:], strict=False):
        close.append(
            upper is not None and lower is not None and (upper.uncertain or lower.uncertain) and upper.low <= lower.high
        )
    return (*close, False) if ranked else ()
