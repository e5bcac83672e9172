"""Golongan ruang and pangkat of PNS, in their order of seniority.

Seventeen steps from I/a (Juru Muda) to IV/e (Pembina Utama), as listed in PP 99/2000
on PNS promotions (and used by every later rule on appointment to positions). Eligibility
rules compare ranks ("paling rendah Penata, III/c"), so the order lives here once.
"""

from __future__ import annotations

from merit.errors import MeritError

PANGKAT = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
ORDER = tuple(PANGKAT)  # dicts keep insertion order: lowest rank first


def check_golongan(value: str) -> str:
    """``value`` if it is a golongan ruang such as ``III/c``; otherwise a clear error."""
    if value not in PANGKAT:
        raise MeritError(f"Golongan '{value}' tidak dikenal; gunakan I/a sampai IV/e, misalnya III/c.")
    return value


def at_least(minimum: str) -> tuple[str, ...]:
    """Every golongan at or above ``minimum``, lowest first."""
    return ORDER[ORDER.index(check_golongan(minimum)) :]


def describe(golongan: str) -> str:
    """``III/c`` -> ``Penata (III/c)``: how announcements name a rank."""
    return f"{PANGKAT[check_golongan(golongan)]} ({golongan})"
