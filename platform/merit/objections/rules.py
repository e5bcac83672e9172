"""The objection deadline of ``assessments/keberatan.yml`` (how many days HR has to answer)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field

from merit.catalog.yamlfile import StrictModel, load_model

DEFAULT_DAYS = 14


class ObjectionRule(StrictModel):
    batas_hari: int = Field(DEFAULT_DAYS, ge=1, le=365, description="Hari kalender untuk menjawab keberatan.")

    def due(self, filed_at: dt.datetime) -> dt.datetime:
        return filed_at + dt.timedelta(days=self.batas_hari)


def load_objection_rule(assessments_dir: Path) -> ObjectionRule:
    """The configured rule; a content folder without the file gets the default of 14 days."""
    path = assessments_dir / "keberatan.yml"
    if not path.is_file():
        return ObjectionRule()
    return load_model(ObjectionRule, path, assessments_dir.parent)
