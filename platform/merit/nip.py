"""NIP (Nomor Induk Pegawai): the 18-digit civil-servant number.

Layout: ``yyyymmdd`` birth date, ``yyyymm`` appointment (TMT CPNS) month, one gender
digit (1 = laki-laki, 2 = perempuan) and a 3-digit sequence number. Because the NIP
encodes birth date and gender it is personal data (UU 27/2022): anything published
shows it masked (:func:`mask_nip`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from merit.errors import MeritError

EARLIEST_BIRTH_YEAR = 1940


class InvalidNIP(MeritError):
    """The NIP does not have the structure of a real NIP."""


@dataclass(frozen=True)
class NIP:
    """A validated NIP with the facts it encodes."""

    value: str
    birth_date: dt.date
    appointed: dt.date  # first day of the appointment month
    gender: int  # 1 laki-laki, 2 perempuan
    sequence: int

    def __str__(self) -> str:
        return self.value

    def years_of_service(self, on: dt.date) -> int:
        """Whole years since the appointment month, as used for eligibility rules."""
        years = on.year - self.appointed.year
        if (on.month, on.day) < (self.appointed.month, self.appointed.day):
            years -= 1
        return max(years, 0)


def parse_nip(raw: str, today: dt.date | None = None) -> NIP:
    """Validate ``raw`` and return the parsed NIP, or raise :class:`InvalidNIP`.

    Spaces are accepted (NIPs are often written ``19850312 201001 1 023``); everything
    else must be digits.
    """
    today = today or dt.date.today()
    value = str(raw).replace(" ", "").strip()
    if len(value) != 18 or not value.isdigit():
        raise InvalidNIP(f"NIP harus terdiri dari 18 digit angka; diterima {raw!r} ({len(value)} karakter).")
    try:
        birth = dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise InvalidNIP(f"NIP {value}: 8 digit pertama ({value[0:8]}) bukan tanggal lahir yang valid.") from None
    if not EARLIEST_BIRTH_YEAR <= birth.year <= today.year:
        raise InvalidNIP(f"NIP {value}: tahun lahir {birth.year} tidak masuk akal.")
    month = int(value[12:14])
    if not 1 <= month <= 12:
        raise InvalidNIP(f"NIP {value}: digit 9-14 ({value[8:14]}) bukan bulan pengangkatan yang valid.")
    appointed = dt.date(int(value[8:12]), month, 1)
    if appointed <= birth.replace(day=1):
        raise InvalidNIP(
            f"NIP {value}: bulan pengangkatan {appointed:%Y-%m} tidak boleh sebelum "
            f"atau sama dengan bulan lahir {birth:%Y-%m}."
        )
    if appointed > today:
        raise InvalidNIP(f"NIP {value}: bulan pengangkatan {appointed:%Y-%m} ada di masa depan.")
    gender = int(value[14])
    if gender not in (1, 2):
        raise InvalidNIP(f"NIP {value}: digit ke-15 (jenis kelamin) harus 1 atau 2, bukan {gender}.")
    sequence = int(value[15:18])
    if sequence == 0:
        raise InvalidNIP(f"NIP {value}: nomor urut (3 digit terakhir) tidak boleh 000.")
    return NIP(value, birth, appointed, gender, sequence)


def mask_nip(value: str) -> str:
    """Hide birth date, appointment month and gender; keep the sequence for lookup.

    >>> mask_nip("198503122010011023")
    '******** ****** * 023'
    """
    return f"******** ****** * {value[-3:]}"


def format_nip(value: str) -> str:
    """The customary grouped spelling, for people who may see the full NIP.

    >>> format_nip("198503122010011023")
    '19850312 201001 1 023'
    """
    return f"{value[0:8]} {value[8:14]} {value[14]} {value[15:18]}"
