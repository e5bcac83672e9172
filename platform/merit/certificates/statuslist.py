"""W3C Bitstring Status List v1.0: one bit per certificate, set when it is revoked.

The list is 131,072 bits (16 KiB, the specification's minimum, for group privacy), GZIP
compressed and multibase base64url encoded (``u`` prefix, no padding) in ``encodedList``.
Bit 0 is the left-most bit of the first byte. Certificates get random indexes, so an index
says nothing about when or to whom a certificate was issued.
"""

from __future__ import annotations

import base64
import gzip
import secrets
from collections.abc import Iterable

from merit.errors import MeritError

SIZE = 131_072


def encode(revoked: Iterable[int], size: int = SIZE) -> str:
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same revocations always encode to the same text.
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def is_set(encoded: str, index: int) -> bool:
    """Whether bit ``index`` of an ``encodedList`` is set."""
    if not encoded.startswith("u"):
        raise MeritError("Daftar status tidak berformat multibase base64url (awalan 'u').")
    text = encoded[1:]
    try:
        bits = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, OSError) as exc:
        raise MeritError(f"Daftar status tidak dapat dibaca ({exc}).") from None
    if not 0 <= index < len(bits) * 8:
        raise MeritError(f"Indeks status {index} di luar daftar status ({len(bits) * 8} bit).")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def free_index(used: set[int], size: int = SIZE) -> int:
    """A random index no certificate holds yet."""
    if len(used) >= size:
        raise MeritError("Daftar status penuh: semua indeks sudah dipakai.")
    while True:
        index = secrets.randbelow(size)
        if index not in used:
            return index
