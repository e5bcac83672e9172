"""A synthetic roster of ASN with structurally valid NIPs, reproducible from a seed."""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker

from merit.people.roster import RosterEntry
from merit.people.skp import SkpEntry

UNITS = (
    "Sekretariat Daerah",
    "Badan Kepegawaian dan Pengembangan SDM",
    "Dinas Komunikasi dan Informatika",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Badan Perencanaan Pembangunan Daerah",
    "Dinas Penanaman Modal dan PTSP",
)
# Positions (codes in assessments/positions/) the synthetic staff currently hold.
POSITIONS = (
    "analis-kebijakan-ahli-muda",
    "pranata-komputer-ahli-pertama",
    "pengadministrasi-kepegawaian",
    "kasubbag-kepegawaian",
)
# Years of service → golongan: a plausible career path for graduates entering at III/a.
GOLONGAN_BY_SERVICE = ((20, "IV/b"), (16, "IV/a"), (12, "III/d"), (8, "III/c"), (4, "III/b"), (0, "III/a"))
MAX_ROSTER = 999  # the NIP sequence has three digits
# How often each SKP predikat occurs in the synthetic ratings: most staff meet expectations.
PREDIKAT_WEIGHTS = {"Sangat Baik": 20, "Baik": 62, "Butuh Perbaikan": 12, "Kurang": 5, "Sangat Kurang": 1}


def _golongan(appointed: dt.date, today: dt.date) -> str:
    years = today.year - appointed.year
    return next(g for minimum, g in GOLONGAN_BY_SERVICE if years >= minimum)


def synthetic_roster(size: int, seed: int = 2017, today: dt.date = dt.date(2026, 11, 1)) -> list[RosterEntry]:
    """``size`` ASN with distinct valid NIPs; the same seed always gives the same roster."""
    if not 1 <= size <= MAX_ROSTER:
        raise ValueError(f"roster size must be 1..{MAX_ROSTER}, got {size}")
    rng = random.Random(seed)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    entries = []
    for index in range(size):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(27 * 365))
        appointed_year = min(birth.year + rng.randint(23, 30), today.year - 1)
        appointed = dt.date(appointed_year, rng.randint(1, 12), 1)
        gender = rng.choice((1, 2))
        first = fake.first_name_male() if gender == 1 else fake.first_name_female()
        nip = f"{birth:%Y%m%d}{appointed:%Y%m}{gender}{index + 1:03d}"
        entries.append(
            RosterEntry(
                nip=nip,
                name=f"{first} {fake.last_name()}",
                unit=rng.choice(UNITS),
                position_code=rng.choice(POSITIONS),
                golongan=_golongan(appointed, today),
                email=f"asn{index + 1:03d}@contoh.go.id",
            )
        )
    return entries


def synthetic_skp(roster: list[RosterEntry], years: list[int], seed: int = 2017) -> list[SkpEntry]:
    """One SKP predikat per person per year, the same for the same seed."""
    rng = random.Random(f"skp-{seed}")
    names, weights = list(PREDIKAT_WEIGHTS), list(PREDIKAT_WEIGHTS.values())
    return [SkpEntry(entry.nip, year, rng.choices(names, weights)[0]) for entry in roster for year in years]
