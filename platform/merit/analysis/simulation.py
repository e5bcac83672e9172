"""A cohort whose answers come from a known 2PL IRT model: the proof that item analysis is right.

A synthetic course (one module of right/wrong multiple-choice items, never released to
learners) is written into a project folder; each simulated learner has an ability θ drawn
from N(0, 1) and knows item j with the two-parameter logistic probability

    P_j(θ) = 1 / (1 + exp(−a_j (θ − b_j)))

and otherwise picks one of the three wrong options. One item's answer key is wrong on
purpose: its test accepts a distractor, so it scores the learners who do *not* know the
answer. Submissions are written where ``nbgrader collect`` puts them and graded by the
real engine; :func:`model_alpha` gives the reliability the model implies, computed by
Gauss–Hermite quadrature over θ, for the analysis to be compared with.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from merit.analysis.items import CourseAnalysis
from merit.demo.submissions import AnswerBook, write_submission
from merit.grading.coursedir import BuiltCourse

COURSE = "simulasi-irt"
MODULE = "m01-kuis"
NOTEBOOK = "kuis"
OPTIONS = ("A", "B", "C", "D")
COMPETENCIES = (("integritas", 2), ("pelayanan_publik", 3))  # items alternate between the two
START = dt.datetime(2026, 11, 2, 8, 0)


@dataclass(frozen=True)
class Item:
    """One simulated item: its 2PL parameters, the true answer and the key its test checks."""

    name: str
    a: float  # discrimination
    b: float  # difficulty
    truth: str  # what a learner who knows the answer writes
    key: str  # what the test accepts; differs from ``truth`` for a mis-keyed item
    lure: float = 1 / 3  # chance a learner who does not know picks ``key`` when it is a distractor

    @property
    def miskeyed(self) -> bool:
        return self.key != self.truth

    def knows(self, theta: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-self.a * (theta - self.b)))

    def scored(self, theta: np.ndarray) -> np.ndarray:
        """The probability that the item's test gives the point, at ability ``theta``."""
        known = self.knows(theta)
        return (1 - known) * self.lure if self.miskeyed else known


def default_items() -> tuple[Item, ...]:
    """Eleven items with discriminations 0.4–3.0 and moderate difficulties, and one mis-keyed item."""
    a = (0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.7, 2.0, 2.3, 2.6, 3.0)
    b = (0.5, -0.5, 0.0, 0.7, -0.7, 0.3, -0.3, 0.6, -0.6, 0.2, -0.2)
    items = [
        Item(f"soal_{i + 1:02d}", ai, bi, OPTIONS[(i * 3 + 1) % 4], OPTIONS[(i * 3 + 1) % 4])
        for i, (ai, bi) in enumerate(zip(a, b, strict=True))
    ]
    # A mis-key usually sits on the most attractive distractor: half of those who do not know pick it.
    items.append(Item("soal_12", 2.0, 0.0, "B", "D", lure=0.5))
    return tuple(items)


def model_alpha(items: tuple[Item, ...], nodes: int = 121) -> float:
    """Cronbach's alpha implied by the model for θ ~ N(0, 1), by Gauss–Hermite quadrature.

    Items are independent given θ, so Cov(X_j, X_k) = E[P_j P_k] − E[P_j] E[P_k] for j ≠ k
    and Var(X_j) = p_j (1 − p_j) with p_j = E[P_j]; alpha follows from these moments.
    """
    theta, weights = np.polynomial.hermite_e.hermegauss(nodes)
    weights = weights / weights.sum()
    scored = np.array([item.scored(theta) for item in items])  # items × nodes
    p = scored @ weights
    second = (scored * weights) @ scored.T  # E[P_j P_k]
    covariance = second - np.outer(p, p)
    np.fill_diagonal(covariance, p * (1 - p))
    k = len(items)
    return float(k / (k - 1) * (1 - np.trace(covariance) / covariance.sum()))


def write_course(root: Path, items: tuple[Item, ...]) -> Path:
    """The synthetic course under ``root/courses/``, next to a copy of the project's assessments."""
    folder = root / "courses" / COURSE
    source = folder / "source" / MODULE
    source.mkdir(parents=True, exist_ok=True)
    spec = {
        "id": COURSE,
        "title": {"id": "Simulasi butir benar/salah (model IRT 2PL)", "en": "2PL IRT simulation"},
        "description": {"id": "Kursus sintetis untuk menguji analisis butir; tidak untuk peserta.", "en": "Synthetic."},
        "jp": 1,
        "pass_mark": 60,
        "competencies": [{"code": code, "target_level": level} for code, level in COMPETENCIES],
        "modules": [
            {"id": MODULE, "title": {"id": "Kuis simulasi", "en": "Simulated quiz"}, "notebooks": ["kuis.ipynb"]}
        ],
    }
    (folder / "course.yml").write_text(json.dumps(spec, ensure_ascii=False, indent=2))  # JSON is YAML
    cells = [new_markdown_cell("# Kuis simulasi\n\nSetiap soal: isi satu huruf A, B, C, atau D.")]
    for index, item in enumerate(items):
        code, level = COMPETENCIES[index % len(COMPETENCIES)]
        cells.append(new_markdown_cell(f"## {item.name}\n\nPilih A, B, C, atau D."))
        answer = new_code_cell(f'### BEGIN SOLUTION\njawaban_{item.name} = "{item.key}"\n### END SOLUTION')
        answer.metadata["nbgrader"] = {
            "grade": False,
            "grade_id": f"jawab_{item.name}",
            "locked": False,
            "schema_version": 3,
            "solution": True,
            "task": False,
        }
        test = new_code_cell(f'assert jawaban_{item.name} == "{item.key}", "Jawaban belum tepat."')
        test.metadata["nbgrader"] = {
            "grade": True,
            "grade_id": item.name,
            "locked": True,
            "points": 1,
            "schema_version": 3,
            "solution": False,
            "task": False,
        }
        test.metadata["merit"] = {"competency": code, "level": level}
        cells += [answer, test]
    notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    nbformat.write(notebook, source / f"{NOTEBOOK}.ipynb")
    return folder


def prepare_project(root: Path, project: Path, items: tuple[Item, ...]) -> None:
    """A project folder (``MERIT_ROOT``) with the real assessments and only the synthetic course."""
    shutil.copytree(project / "assessments", root / "assessments", dirs_exist_ok=True)
    write_course(root, items)


@dataclass(frozen=True)
class Cohort:
    theta: pd.Series  # learner id -> ability
    answers: pd.DataFrame  # learner id × item name -> the option written


def simulate(items: tuple[Item, ...], learners: list[str], seed: int) -> Cohort:
    """Each learner's ability and written option per item, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(len(learners))
    answers = {}
    for item in items:
        knows = rng.random(len(learners)) < item.knows(theta)
        distractors = [o for o in OPTIONS if o != item.truth]
        weights = np.full(len(distractors), (1 - item.lure) / (len(distractors) - 1))
        if item.miskeyed:
            weights[distractors.index(item.key)] = item.lure
        else:
            weights[:] = 1 / len(distractors)
        guesses = rng.choice(distractors, size=len(learners), p=weights)
        answers[item.name] = np.where(knows, item.truth, guesses)
    return Cohort(pd.Series(theta, index=learners), pd.DataFrame(answers, index=learners))


def write_cohort(built: BuiltCourse, items: tuple[Item, ...], cohort: Cohort) -> None:
    """Every learner's notebook in ``submitted/``, as the demo writes them."""
    book = AnswerBook(
        f"{NOTEBOOK}.ipynb",
        tuple(f"jawab_{item.name}" for item in items),
        {f"jawab_{item.name}": {o: f'jawaban_{item.name} = "{o}"' for o in OPTIONS} for item in items},
        {},  # no click items: every answer is a typed cell
    )
    for index, (learner, row) in enumerate(cohort.answers.iterrows()):
        chosen = {f"jawab_{name}": str(option) for name, option in row.items()}
        write_submission(built, MODULE, book, str(learner), chosen, START + dt.timedelta(minutes=index))


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman's rank correlation (average ranks for ties), without SciPy."""
    return float(np.corrcoef(pd.Series(x).rank(), pd.Series(y).rank())[0, 1])


@dataclass(frozen=True)
class Recovery:
    """What the item analysis found against what the model says."""

    learners: int
    alpha: float
    alpha_model: float
    spearman: float  # estimated discrimination against the true a, correctly keyed items only
    flagged_miskey: bool  # the mis-keyed item carries the negative-discrimination flag
    flagged: tuple[str, ...]  # every flagged item


def recovery(items: tuple[Item, ...], analysis: CourseAnalysis) -> Recovery:
    """Compare the analysis of the simulated module with the model's truth."""
    module = analysis.modules[0]
    assert module.scale is not None and module.scale.stats.alpha is not None
    by_name = {report.stats.name: report for report in module.items}
    keyed = [item for item in items if not item.miskeyed]
    estimates = [by_name[item.name].stats.discrimination or 0.0 for item in keyed]
    miskeyed = [by_name[item.name] for item in items if item.miskeyed]
    return Recovery(
        learners=module.scale.stats.n,
        alpha=module.scale.stats.alpha,
        alpha_model=model_alpha(items),
        spearman=spearman(estimates, [item.a for item in keyed]),
        flagged_miskey=all(any(f.startswith("daya beda negatif") for f in r.flags) for r in miskeyed),
        flagged=tuple(name for name, report in by_name.items() if report.flags),
    )
