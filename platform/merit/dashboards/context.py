"""What a page's kernel loads once and keeps: settings, content, the registry.

A preheated kernel builds this before anyone asks for the page, so a request pays only
for its own queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from merit.content import Content, load_content
from merit.placement.talent import GridRule, load_grid_rule
from merit.registry.database import Registry, open_registry
from merit.settings import Settings


@dataclass
class PageContext:
    settings: Settings
    content: Content
    registry: Registry
    grid_rule: GridRule
    as_of: dt.date = field(default_factory=dt.date.today)

    @property
    def workspace(self) -> Path:
        return self.settings.workspace_dir

    @property
    def reports_dir(self) -> Path:
        return self.settings.data_dir / "laporan"

    @classmethod
    def load(cls, settings: Settings | None = None) -> PageContext:
        settings = settings or Settings()
        return cls(settings, load_content(settings), open_registry(settings), load_grid_rule(settings.assessments_dir))
