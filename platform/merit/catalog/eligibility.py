"""Administrative requirements (syarat administrasi) a candidate meets before ranking.

Written in three places, each overriding the one before it field by field:
``assessments/placement.yml`` (defaults per kind of position), the position's own YAML
(``eligibility:``), and the command line. A field left out inherits; a field written as
``null`` switches that requirement off.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from merit import golongan, predikat
from merit.catalog.yamlfile import StrictModel


class EligibilityRule(StrictModel):
    """Requirements of one layer; unset fields inherit from the layer below."""

    golongan_min: str | None = Field(None, description="Pangkat/golongan paling rendah, misalnya III/c.")
    masa_kerja_min: int | None = Field(
        None, ge=0, le=45, description="Masa kerja minimal (tahun) sejak TMT CPNS di NIP."
    )
    units: list[str] | None = Field(None, description="Unit kerja asal kandidat; kosong = semua unit.")
    skp_min: str | None = Field(None, description="Predikat SKP paling rendah pada setiap tahun yang dinilai.")
    skp_years: int | None = Field(None, ge=1, le=5, description="Berapa tahun SKP terakhir yang dinilai.")

    @field_validator("golongan_min")
    @classmethod
    def _known_golongan(cls, value: str | None) -> str | None:
        if value is not None and value not in golongan.PANGKAT:
            raise ValueError("golongan harus I/a sampai IV/e, misalnya III/c")
        return value

    @field_validator("skp_min")
    @classmethod
    def _known_predikat(cls, value: str | None) -> str | None:
        if value is not None and value not in predikat.PREDIKAT:
            raise ValueError(f"predikat harus salah satu dari {', '.join(predikat.PREDIKAT)}")
        return value

    def over(self, base: EligibilityRule) -> EligibilityRule:
        """This layer on top of ``base``: the fields written here win, even when null."""
        return base.model_copy(update={name: getattr(self, name) for name in self.model_fields_set})
