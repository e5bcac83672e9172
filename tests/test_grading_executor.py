"""Which executor grades on one machine: the thread pool unless ``MERIT_PELAKSANA_LOKAL`` says otherwise.

Both executors grade real cohorts elsewhere: tests/test_grading_dask.py (the thread pool
locally, then a Dask cluster, same gradebook) and the grading row of
tests/test_benchmarks.py (each executor against stock nbgrader, same gradebook).
"""

from __future__ import annotations

import pytest

from merit.errors import MeritError
from merit.grading.engine import LOCAL_EXECUTOR_VARIABLE, local_executor


def test_the_thread_pool_is_the_default_and_dask_is_one_variable_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOCAL_EXECUTOR_VARIABLE, raising=False)
    assert local_executor() == "utas"
    monkeypatch.setenv(LOCAL_EXECUTOR_VARIABLE, "dask")
    assert local_executor() == "dask"


def test_an_unknown_value_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOCAL_EXECUTOR_VARIABLE, "proses")
    with pytest.raises(MeritError, match=r"MERIT_PELAKSANA_LOKAL='proses' tidak dikenal: pilih utas atau dask"):
        local_executor()
