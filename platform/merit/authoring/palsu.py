"""Answers that lie: objects of builtin subclasses whose comparisons and common methods claim a match.

``merit course validate`` copies this file into an adversarial submission (as
``merit_palsu.py``) and wraps every answer the trainer's solution gives with :func:`palsu`.
The result is an instance of a *subclass* of the answer's type (``str``, ``int``, ``float``,
``list``, ``dict``, ``tuple``, ``set``, ``date``) that holds a wrong value, yet says it equals
anything, hashes like the right answer, and answers every common method (``strip``, ``len``,
iteration, arithmetic, ``int()``...) as the right answer would. Any other type becomes a plain
object doing the same. A test that gives such an answer a point compares values without
checking the answer's exact type; ``merit_widgets.periksa`` is the fix.

Only the standard library is used: the file runs inside the grading sandbox's kernel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

_DELEGATED = (
    "__len__ __iter__ __reversed__ __contains__ __getitem__ __bool__ __int__ __float__ __index__ __round__ "
    "__abs__ __neg__ __add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ __floordiv__ "
    "__mod__ __str__ __format__ strip lstrip rstrip lower upper title casefold split replace startswith endswith "
    "find count index keys values items get copy isoformat year month day weekday"
).split()


def _claims(base: type) -> type:
    """A subclass of ``base`` that claims to match: comparisons True, everything else the right answer's."""

    def delegate(name: str) -> Any:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            return getattr(self._benar, name)(*args, **kwargs)

        return method

    namespace: dict[str, Any] = {
        name: delegate(name) for name in _DELEGATED if hasattr(base, name) or (base is object and name.startswith("__"))
    }
    namespace.update(
        __eq__=lambda self, other: True,
        __ne__=lambda self, other: False,
        __lt__=lambda self, other: True,
        __le__=lambda self, other: True,
        __gt__=lambda self, other: True,
        __ge__=lambda self, other: True,
        __hash__=(lambda self: hash(self._benar)) if base.__hash__ is not None else None,
        __repr__=lambda self: repr(self._benar),
    )
    if base is object:
        namespace["__getattr__"] = lambda self, name: getattr(self._benar, name)
    return type(f"Palsu{base.__name__.title()}", (base,), namespace)


_CLASSES: dict[type, type] = {}


def _wrong(base: type, right: Any) -> Any:
    """A value of ``base`` that is not ``right``, for the object's real (C-level) contents."""
    if base is str:
        return "palsu" if right != "palsu" else "asli"
    if base in (int, float):
        return base(right) + 7
    if base is dt.date:
        return right + dt.timedelta(days=1)
    return base() if right else base(["palsu"] if base is not dict else {"palsu": 0})


def palsu(benar: Any) -> Any:
    """A lying stand-in for the right answer ``benar`` (see the module docstring)."""
    base = type(benar)
    if base is bool:
        base = int  # bool cannot be subclassed
    if base not in (str, int, float, list, dict, tuple, set, frozenset, dt.date):
        base = object
    cls = _CLASSES.setdefault(base, _claims(base))
    if base is object:
        fake = cls()
    elif base is dt.date:
        wrong = _wrong(base, benar)
        fake = cls(wrong.year, wrong.month, wrong.day)
    else:
        fake = cls(_wrong(base, benar))
    object.__setattr__(fake, "_benar", benar)
    return fake


def samarkan(nilai: Any) -> Any:
    """A learner's name as the adversary hands it in: functions return lies, values become lies."""
    if callable(nilai) and not isinstance(nilai, type):

        def bohong(*args: Any, **kwargs: Any) -> Any:
            return palsu(nilai(*args, **kwargs))

        return bohong
    return palsu(nilai)
