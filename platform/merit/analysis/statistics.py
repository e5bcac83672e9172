"""Classical test statistics of a score matrix (learners × items), with numpy only.

The definitions follow Moodle's quiz statistics (docs.moodle.org/dev/Quiz_statistics_calculations
and question/classes/statistics/questions/calculator.php), so a trainer who knows that report
reads the same numbers here:

* facility = mean item score ÷ the item's maximum;
* discrimination = the corrected item–total correlation: the item's score against the
  *rest* of the test (the total without the item), so an item does not correlate with itself;
* discriminative efficiency = cov(item, rest) ÷ the largest covariance the two score
  distributions allow (both sorted and paired), so an easy or hard item is not blamed for
  the discrimination its facility rules out;
* Cronbach's alpha = k/(k−1) · (1 − Σ item variances ÷ total variance), which for right/wrong
  items is KR-20; standard error of measurement = SD(total) · √(1 − alpha).

Every variance uses the n − 1 denominator, as Moodle does. A statistic that is undefined
(one learner, no variance) is ``None`` rather than a number that means nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ItemStats:
    """One item's statistics over the learners who took it."""

    name: str
    max_score: float
    n: int
    mean: float
    sd: float
    discrimination: float | None  # corrected item-total correlation, -1..1
    efficiency: float | None  # discriminative efficiency, a share (Moodle prints it ×100)
    dichotomous: bool  # every score is 0 or the maximum (a right/wrong item)

    @property
    def facility(self) -> float:
        return self.mean / self.max_score if self.max_score else 0.0


@dataclass(frozen=True)
class ScaleStats:
    """The statistics of a sum of items: a module, or the items of one competency."""

    n: int  # learners
    items: int
    max_score: float
    mean: float
    sd: float
    alpha: float | None
    sem: float | None  # in points of the total
    kr20: bool  # every item is right/wrong, so alpha is KR-20

    @property
    def coefficient(self) -> str:
        return "KR-20" if self.kr20 else "alpha Cronbach"


def _variance(values: np.ndarray) -> float:
    return float(np.var(values, ddof=1)) if len(values) > 1 else 0.0


def _correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    vx, vy = _variance(x), _variance(y)
    if vx <= 0 or vy <= 0:
        return None
    return float(np.cov(x, y, ddof=1)[0, 1] / math.sqrt(vx * vy))


def discriminative_efficiency(item: np.ndarray, rest: np.ndarray) -> float | None:
    """cov(item, rest) ÷ cov(sorted item, sorted rest), as Moodle computes it."""
    if len(item) < 2:
        return None
    most = float(np.cov(np.sort(item), np.sort(rest), ddof=1)[0, 1])
    if most <= 0:
        return None
    return float(np.cov(item, rest, ddof=1)[0, 1] / most)


def _check(scores: np.ndarray, max_scores: Sequence[float]) -> np.ndarray:
    matrix = np.asarray(scores, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] != len(max_scores):
        raise ValueError(f"scores must be learners × {len(max_scores)} items, got shape {matrix.shape}")
    if np.isnan(matrix).any():
        raise ValueError("scores contain missing values: drop incomplete learners first")
    return matrix


def item_statistics(scores: np.ndarray, max_scores: Sequence[float], names: Sequence[str]) -> list[ItemStats]:
    """Per-item statistics of ``scores`` (one row per learner, one column per item)."""
    matrix = _check(scores, max_scores)
    total = matrix.sum(axis=1)
    result = []
    for j, (name, top) in enumerate(zip(names, max_scores, strict=True)):
        item = matrix[:, j]
        rest = total - item
        result.append(
            ItemStats(
                name=name,
                max_score=float(top),
                n=len(item),
                mean=float(item.mean()) if len(item) else 0.0,
                sd=math.sqrt(_variance(item)),
                discrimination=_correlation(item, rest) if matrix.shape[1] > 1 else None,
                efficiency=discriminative_efficiency(item, rest) if matrix.shape[1] > 1 else None,
                dichotomous=bool(np.isin(item, (0.0, float(top))).all()),
            )
        )
    return result


def scale_statistics(scores: np.ndarray, max_scores: Sequence[float]) -> ScaleStats:
    """Alpha (KR-20 for right/wrong items), SEM and the total's spread."""
    matrix = _check(scores, max_scores)
    n, k = matrix.shape
    total = matrix.sum(axis=1)
    total_variance = _variance(total)
    alpha: float | None = None
    if k >= 2 and total_variance > 0:
        item_variance = sum(_variance(matrix[:, j]) for j in range(k))
        alpha = k / (k - 1) * (1 - item_variance / total_variance)
    sd = math.sqrt(total_variance)
    sem = sd * math.sqrt(1 - alpha) if alpha is not None and alpha <= 1 else None
    kr20 = bool(all(np.isin(matrix[:, j], (0.0, float(top))).all() for j, top in enumerate(max_scores)))
    return ScaleStats(
        n=n,
        items=k,
        max_score=float(sum(max_scores)),
        mean=float(total.mean()) if n else 0.0,
        sd=sd,
        alpha=alpha,
        sem=sem,
        kr20=kr20,
    )


def ability_groups(scores: np.ndarray, max_scores: Sequence[float], groups: int = 3) -> np.ndarray:
    """Facility of each item (columns) within each ability group (rows, lowest first).

    Learners are ordered by their total and cut into ``groups`` groups of (nearly) equal
    size; a working item rises from the lowest group to the highest. Ties in the total are
    broken by row order, so the result is reproducible.
    """
    matrix = _check(scores, max_scores)
    order = np.argsort(matrix.sum(axis=1), kind="stable")
    tops = np.asarray(max_scores, dtype=float)
    return np.array([matrix[part].mean(axis=0) / tops for part in np.array_split(order, groups) if len(part)])
