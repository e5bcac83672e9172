"""Checks for nbgrader test cells: exact types before values, and an Indonesian message, not a traceback.

``assert hasil == [...]`` lets through an answer that is a subclass of ``list`` whose
``__eq__`` says True: Python asks the subclass first, whichever side it is on. These checks
first require the learner's value to be *exactly* the expected builtin type (recursively for
lists, tuples, dicts and sets), and only then compare values with the builtin's own
comparison, which cannot be overridden any more. A test cell imports them itself::

    from merit_widgets.periksa import periksa, periksa_jenis, periksa_sama
    periksa_sama(hasil, ["ADU-102", "ADU-104"], "Hasilnya seharusnya ...")

A failed check raises :class:`BelumTepat`, which IPython shows as its Indonesian message
alone (``_render_traceback_``); nbgrader still sees an error and gives the cell 0 points.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from typing import Any


def _angka(value: Any) -> bool:
    """A plain number: exactly int or float, or exactly one of numpy's scalar types (what pandas gives)."""
    kind = type(value)
    if kind in (int, float):
        return True
    numpy = sys.modules.get("numpy")
    return numpy is not None and kind in numpy.sctypeDict.values() and issubclass(kind, (numpy.integer, numpy.floating))


class BelumTepat(AssertionError):
    """A failed check in a test cell; shown to the learner as its message only."""

    def _render_traceback_(self) -> list[str]:
        message = str(self) or "Jawaban belum memenuhi uji ini."
        return ["\x1b[1;31mBelum tepat:\x1b[0m " + message]


def _bool(value: Any) -> bool | None:
    """``value`` as a plain bool if it is one (numpy's bool included), else None."""
    kind = type(value)
    if kind is bool:
        return value
    if kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"):
        return bool(value)
    return None


def periksa(kondisi: Any, pesan: str = "") -> None:
    """Pass only if ``kondisi`` is the value True itself (not an object that claims to be true)."""
    if _bool(kondisi) is not True:
        raise BelumTepat(pesan)


def jenis_sama(hasil: Any, harapan: Any) -> bool:
    """True if ``hasil`` has exactly the types of ``harapan``, all the way down."""
    if _angka(hasil) and _angka(harapan):
        return True  # 125 for 125.0, or numpy's int64 for 17, is an honest answer, never a subclass
    if type(hasil) is not type(harapan):
        return False
    if type(hasil) in (list, tuple):
        return len(hasil) == len(harapan) and all(map(jenis_sama, hasil, harapan))
    if type(hasil) is dict:
        if not all(type(key) in (str, int, float, bool, tuple, dt.date) for key in hasil):
            return False
        return set(hasil) == set(harapan) and all(jenis_sama(hasil[k], harapan[k]) for k in harapan)
    if type(hasil) in (set, frozenset):
        return all(type(x) in (str, int, float, bool, tuple, dt.date) for x in hasil)
    return True


def sama(hasil: Any, harapan: Any, toleransi: float = 0.0) -> bool:
    """Exact types, then equal values (floats within ``toleransi``)."""
    if not jenis_sama(hasil, harapan):
        return False
    if _angka(hasil) and _angka(harapan):
        return math.isclose(hasil, harapan, rel_tol=0, abs_tol=toleransi) if toleransi else hasil == harapan
    if type(hasil) in (list, tuple):
        return all(sama(a, b, toleransi) for a, b in zip(hasil, harapan, strict=True))
    if type(hasil) is dict:
        return all(sama(hasil[k], harapan[k], toleransi) for k in harapan)
    return bool(hasil == harapan)


def periksa_sama(hasil: Any, harapan: Any, pesan: str = "", toleransi: float = 0.0) -> None:
    """Pass only if ``hasil`` has exactly the types of ``harapan`` and equals it."""
    if not sama(hasil, harapan, toleransi):
        raise BelumTepat(pesan)


def periksa_jenis(nilai: Any, jenis: type, pesan: str = "") -> None:
    """Pass only if ``nilai`` is exactly of type ``jenis`` (not a subclass)."""
    if type(nilai) is not jenis:
        raise BelumTepat(pesan)
