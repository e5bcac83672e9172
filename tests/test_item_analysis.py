"""Item analysis: the statistics against independent computations, and against a known truth.

The truth is a 2PL IRT cohort (merit.analysis.simulation) whose submissions are graded by
`merit grade` and analysed by `merit analisis` from nbgrader's gradebook.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from merit.analysis.items import Thresholds, ability_table, analyse_course, item_table
from merit.analysis.simulation import (
    COURSE,
    MODULE,
    Item,
    default_items,
    model_alpha,
    prepare_project,
    recovery,
    simulate,
    write_cohort,
)
from merit.analysis.statistics import ability_groups, item_statistics, scale_statistics
from merit.cli import app
from merit.content import load_content
from merit.demo.roster import synthetic_roster
from merit.grading.coursedir import build_course, enroll
from merit.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SCORES = np.array(
    [
        [1, 1, 1, 2, 0],
        [1, 1, 0, 2, 0],
        [1, 0, 1, 1, 1],
        [0, 1, 0, 1, 0],
        [1, 0, 0, 0, 1],
        [0, 0, 0, 0, 1],
        [1, 1, 1, 2, 0],
    ],
    dtype=float,
)
TOPS = [1, 1, 1, 2, 1]


def test_alpha_equals_the_mean_covariance_form():
    """alpha = k² · mean inter-item covariance ÷ total variance: a different route to the same number."""
    k = SCORES.shape[1]
    covariance = np.cov(SCORES, rowvar=False, ddof=1)
    mean_off_diagonal = (covariance.sum() - np.trace(covariance)) / (k * (k - 1))
    expected = k**2 * mean_off_diagonal / SCORES.sum(axis=1).var(ddof=1)
    scale = scale_statistics(SCORES, TOPS)
    assert scale.alpha == pytest.approx(expected)
    assert scale.sem == pytest.approx(SCORES.sum(axis=1).std(ddof=1) * np.sqrt(1 - expected))
    assert not scale.kr20  # item 4 scores 1 of 2 points
    assert scale_statistics(SCORES[:, :3], TOPS[:3]).kr20


def test_item_statistics_against_pandas():
    frame = pd.DataFrame(SCORES)
    rest = frame.sum(axis=1)
    stats = item_statistics(SCORES, TOPS, list("abcde"))
    for j, item in enumerate(stats):
        assert item.facility == pytest.approx(frame[j].mean() / TOPS[j])
        assert item.sd == pytest.approx(frame[j].std())
        assert item.discrimination == pytest.approx(frame[j].corr(rest - frame[j]))
    assert stats[4].discrimination < 0  # answered by the weakest learners only
    assert any(r.startswith("daya beda negatif") for r in Thresholds().item_flags(stats[4]))
    assert not Thresholds().item_flags(stats[0])


def test_discriminative_efficiency_is_one_for_a_perfect_scale_and_moodles_ratio_otherwise():
    guttman = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    assert all(item.efficiency == pytest.approx(1.0) for item in item_statistics(guttman, [1, 1, 1], list("xyz")))
    item, rest = SCORES[:, 2], SCORES.sum(axis=1) - SCORES[:, 2]
    expected = np.cov(item, rest)[0, 1] / np.cov(np.sort(item), np.sort(rest))[0, 1]
    assert item_statistics(SCORES, TOPS, list("abcde"))[2].efficiency == pytest.approx(expected)


def test_ability_groups_rise_for_a_working_item():
    groups = ability_groups(SCORES, TOPS, 3)
    assert groups.shape == (3, 5)
    assert groups[0, 0] <= groups[2, 0] and groups[0, 4] > groups[2, 4]


def test_model_alpha_matches_a_very_large_simulation():
    items = default_items()
    rng = np.random.default_rng(5)
    theta = rng.standard_normal(400_000)
    scored = np.column_stack([rng.random(theta.size) < item.scored(theta) for item in items]).astype(float)
    assert model_alpha(items) == pytest.approx(scale_statistics(scored, [1] * len(items)).alpha, abs=0.003)
    # one item: 2PL with a = 0 is a coin the learner does not control: alpha of such items is 0
    coins = tuple(Item(f"c{i}", 0.0, 0.0, "A", "A") for i in range(4))
    assert model_alpha(coins) == pytest.approx(0.0, abs=1e-12)


@pytest.fixture
def irt_project(tmp_path, monkeypatch):
    """A project with only the synthetic course, built, with a 60-learner 2PL cohort submitted."""
    items = default_items()
    project, data = tmp_path / "project", tmp_path / "data"
    prepare_project(project, ROOT, items)
    monkeypatch.setenv("MERIT_ROOT", str(project))
    monkeypatch.setenv("MERIT_DATA_DIR", str(data))
    monkeypatch.delenv("MERIT_DATABASE_URL", raising=False)
    settings = Settings()
    course = load_content(settings).courses[COURSE]
    built = build_course(course, settings.workspace_dir)
    roster = synthetic_roster(60, 2026)
    enroll(built, {entry.nip: entry.name for entry in roster})
    write_cohort(built, items, simulate(items, [entry.nip for entry in roster], 2026))
    return items, course, built


def test_a_graded_2pl_cohort_recovers_the_truth(irt_project):
    """60 learners: alpha within ±0.10 of the model (twice its sampling SD at this size, about
    0.05), discriminations ordered like the true a (Spearman ≥ 0.5), the mis-keyed item flagged."""
    items, course, built = irt_project
    runner = CliRunner()
    graded = runner.invoke(app, ["grade", COURSE, MODULE, "--tanpa-registri", "--tanpa-sandbox"])
    assert graded.exit_code == 0, graded.output
    analysis = analyse_course(course, built.db_url)
    result = recovery(items, analysis)
    assert result.learners == 60
    assert abs(result.alpha - result.alpha_model) <= 0.10, result
    assert result.spearman >= 0.5, result
    assert result.flagged_miskey and "soal_12" in result.flagged

    shown = runner.invoke(app, ["analisis", COURSE], env={"COLUMNS": "80"})
    assert shown.exit_code == 0, shown.output
    assert max(len(line) for line in shown.output.splitlines()) <= 80
    assert "! soal_12" in shown.output and "daya beda negatif" in shown.output
    assert f"KR-20 {result.alpha:.2f}" in shown.output
    assert "integritas" in shown.output and "pelayanan_publik" in shown.output  # one scale per competency

    table = item_table(analysis.modules[0])
    assert list(table["butir"]) == [item.name for item in items]
    assert table.set_index("butir").loc["soal_12", "catatan"].startswith("daya beda negatif")
    groups = ability_table(analysis.modules[0])
    assert set(groups["kelompok"]) == {"bawah", "tengah", "atas"} and len(groups) == 3 * len(items)


def test_analysis_names_unknown_modules_and_unbuilt_courses(irt_project, tmp_path, monkeypatch):
    runner = CliRunner()
    wrong = runner.invoke(app, ["analisis", COURSE, "m09-tidak-ada"])
    assert wrong.exit_code == 2 and "m09-tidak-ada" in wrong.output and MODULE in wrong.output
    monkeypatch.setenv("MERIT_DATA_DIR", str(tmp_path / "kosong"))
    unbuilt = runner.invoke(app, ["analisis", COURSE])
    assert unbuilt.exit_code == 2 and "belum dibangun" in unbuilt.output
