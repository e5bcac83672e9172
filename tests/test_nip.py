import datetime as dt

import pytest

from merit.nip import InvalidNIP, format_nip, mask_nip, parse_nip

TODAY = dt.date(2026, 11, 23)


def test_valid_nip_is_decoded():
    nip = parse_nip("19850312 201001 2 023", TODAY)
    assert nip.value == "198503122010012023"
    assert nip.birth_date == dt.date(1985, 3, 12)
    assert nip.appointed == dt.date(2010, 1, 1)
    assert nip.gender == 2
    assert nip.sequence == 23
    assert nip.years_of_service(dt.date(2026, 11, 23)) == 16


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("19850312201001102", "18 digit"),  # 17 digits
        ("1985031220100110234", "18 digit"),  # 19 digits
        ("19850312201001102A", "18 digit"),
        ("198502302010011023", "tanggal lahir"),  # 30 February
        ("198513122010011023", "tanggal lahir"),  # month 13
        ("183003122010011023", "tahun lahir"),  # born 1830
        ("198503122010131023", "bulan pengangkatan"),  # month 13
        ("198503122010001023", "bulan pengangkatan"),  # month 00
        ("198503121984011023", "sebelum"),  # appointed before birth
        ("198503122030011023", "masa depan"),
        ("198503122010013023", "jenis kelamin"),
        ("198503122010010023", "jenis kelamin"),
        ("198503122010011000", "nomor urut"),
    ],
)
def test_invalid_nip_names_the_reason_in_indonesian(raw, reason):
    with pytest.raises(InvalidNIP, match=reason):
        parse_nip(raw, TODAY)


def test_mask_hides_birth_date_appointment_and_gender():
    masked = mask_nip("198503122010011023")
    assert masked.endswith("023")
    assert "1985" not in masked and "2010" not in masked
    assert format_nip("198503122010011023") == "19850312 201001 1 023"
