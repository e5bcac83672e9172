"""Message timestamps read without dateutil, to the same ``datetime`` objects.

Every Jupyter message carries its send time, and the time of the message it answers, as
ISO 8601 text. jupyter_client's ``Session.deserialize`` turns both into ``datetime``
objects with ``extract_dates``, which parses each with dateutil's ``isoparse``: about
35 µs a stamp, two stamps a message, some hundred messages per notebook, paid twice (by
the grading thread, and by the kernel for the requests it receives).

Session writes one form only, microseconds in UTC (``2026-11-23T19:28:30.182667Z``).
For exactly that form :func:`extract_dates` builds the ``datetime`` with the standard
library, and the same UTC object dateutil attaches; any other text goes to
jupyter_client's own ``parse_date``, and so does a stamp the standard library refuses,
so that the error raised is stock's.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dateutil import tz
from jupyter_client.jsonutil import parse_date

from merit.grading import patches

_SESSION_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def apply() -> None:
    """Make ``Session.deserialize`` use :func:`extract_dates` in this process, if
    :mod:`merit.grading.patches` finds jupyter_client as this was written for."""
    patches.install("message-dates", lambda _stock: extract_dates)


def extract_dates(obj: Any) -> Any:
    """``jupyter_client.jsonutil.extract_dates``: the same result for every input."""
    if isinstance(obj, dict):
        return {key: _date(value) if type(value) is str else extract_dates(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [extract_dates(item) for item in obj]
    if isinstance(obj, str):
        return _date(obj)
    return obj


def _date(text: str) -> Any:
    if not text[:1].isdigit():
        return text  # parse_date's pattern starts with a digit (\d is a kind of isdigit)
    if len(text) == 27 and _SESSION_STAMP.fullmatch(text):
        try:
            return datetime.fromisoformat(text[:-1]).replace(tzinfo=tz.UTC)
        except ValueError:
            pass  # e.g. month 13: parse_date raises dateutil's error
    return parse_date(text)
