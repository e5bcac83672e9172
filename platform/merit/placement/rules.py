"""The placement rules of ``assessments/placement.yml``: JPM formula and eligibility defaults.

One file, read once per command, so that a ranking, a talent grid and a published
selection report all apply the same rules, and print them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator

from merit.catalog.eligibility import EligibilityRule
from merit.catalog.positions import PositionKind
from merit.catalog.yamlfile import StrictModel, load_model
from merit.placement.jpm import JPMRule


class EligibilityDefaults(StrictModel):
    """Requirements for every position (``default``), then per kind of position."""

    default: EligibilityRule = EligibilityRule()
    by_kind: dict[PositionKind, EligibilityRule] = {}

    @field_validator("default")
    @classmethod
    def _years_set(cls, rule: EligibilityRule) -> EligibilityRule:
        if rule.skp_years is None:
            raise ValueError("skp_years wajib diisi pada default (berapa tahun SKP terakhir yang dinilai)")
        return rule


class PlacementRules(StrictModel):
    jpm: JPMRule
    eligibility: EligibilityDefaults


def load_placement_rules(assessments_dir: Path) -> PlacementRules:
    return load_model(PlacementRules, assessments_dir / "placement.yml", assessments_dir.parent)


def load_jpm_rule(assessments_dir: Path) -> JPMRule:
    """Just the JPM formula and bands (what the ranking order depends on)."""
    return load_placement_rules(assessments_dir).jpm
