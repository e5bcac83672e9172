import pytest

from merit.errors import MeritError
from merit.placement.jpm import JPMRule
from merit.placement.rules import load_jpm_rule

BANDS = [{"name": "Optimal", "min": 90}, {"name": "Cukup Optimal", "min": 78}, {"name": "Kurang Optimal", "min": 0}]
REQUIRED = {"integritas": 3, "komunikasi": 2, "kerja_sama": 2}


def rule(cap: bool = True) -> JPMRule:
    return JPMRule(cap_at_required=cap, bands=BANDS)


def test_capped_match_does_not_let_a_surplus_cover_a_gap():
    result = rule().match({"integritas": 5, "komunikasi": 1, "kerja_sama": 2}, REQUIRED)
    # min(5,3) + min(1,2) + min(2,2) = 6 of 7
    assert result.percent == pytest.approx(85.71)
    assert result.band == "Cukup Optimal"
    assert [(g.code, g.gap) for g in result.gaps] == [("komunikasi", 1)]
    assert result.met == 2


def test_uncapped_match_counts_the_surplus():
    result = rule(cap=False).match({"integritas": 5, "komunikasi": 1, "kerja_sama": 2}, REQUIRED)
    assert result.percent == pytest.approx(114.29)
    assert result.band == "Optimal"


def test_missing_competency_counts_as_zero_and_extra_ones_are_ignored():
    result = rule().match({"integritas": 3, "perekat_bangsa": 5}, REQUIRED)
    assert result.percent == pytest.approx(42.86)
    assert result.band == "Kurang Optimal"


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (90, "Optimal"),
        (89.99, "Cukup Optimal"),
        (78, "Cukup Optimal"),
        (77.99, "Kurang Optimal"),
        (0, "Kurang Optimal"),
    ],
)
def test_band_boundaries(percent, band):
    assert rule().band(percent) == band


def test_empty_standard_is_an_error():
    with pytest.raises(MeritError, match="kosong"):
        rule().match({"integritas": 3}, {})


def test_bands_must_descend_to_zero():
    with pytest.raises(ValueError):
        JPMRule(bands=[{"name": "A", "min": 50}, {"name": "B", "min": 90}, {"name": "C", "min": 0}])


def test_shipped_rule_is_the_documented_default(root):
    shipped = load_jpm_rule(root / "assessments")
    assert shipped.cap_at_required is True
    assert shipped.bands_text() == "Optimal ≥ 90; Cukup Optimal 78–<90; Kurang Optimal < 78"
    assert shipped.formula() == "JPM = Σ min(level dimiliki, level dipersyaratkan) ÷ Σ level dipersyaratkan × 100"
