"""SKP performance ratings (predikat kinerja pegawai, PermenPANRB 6/2022), best first.

Eligibility ("SKP paling rendah Baik") and the talent grid compare ratings, so their
order lives here once.
"""

from __future__ import annotations

from merit.errors import MeritError

PREDIKAT = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")


def check_predikat(value: str) -> str:
    """``value`` if it is one of the five predikat; otherwise a clear error."""
    if value not in PREDIKAT:
        raise MeritError(f"Predikat SKP '{value}' tidak dikenal; gunakan salah satu dari {', '.join(PREDIKAT)}.")
    return value


def at_least(minimum: str) -> tuple[str, ...]:
    """Every predikat as good as ``minimum`` or better, best first."""
    return PREDIKAT[: PREDIKAT.index(check_predikat(minimum)) + 1]
