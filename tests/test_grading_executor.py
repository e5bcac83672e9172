"""Which executor grades on one machine: Dask's LocalCluster unless ``MERIT_PELAKSANA_LOKAL`` says otherwise.

Both executors grade real cohorts elsewhere: tests/test_grading_dask.py (the default
locally, then a Dask cluster of processes, same gradebook) and the grading row of
tests/test_benchmarks.py (each executor against stock nbgrader, same gradebook).
"""

from __future__ import annotations

import pytest

from merit.errors import MeritError
from merit.grading.engine import LOCAL_EXECUTOR_VARIABLE, local_executor


def test_dask_is_the_default_and_the_thread_pool_is_one_variable_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOCAL_EXECUTOR_VARIABLE, raising=False)
    assert local_executor() == "dask"
    monkeypatch.setenv(LOCAL_EXECUTOR_VARIABLE, "utas")
    assert local_executor() == "utas"


def test_an_unknown_value_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOCAL_EXECUTOR_VARIABLE, "proses")
    with pytest.raises(MeritError, match=r"MERIT_PELAKSANA_LOKAL='proses' tidak dikenal: pilih dask atau utas"):
        local_executor()
