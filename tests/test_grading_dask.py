"""The same grading pipeline on a Dask cluster: jobs travel to worker processes and back."""

from __future__ import annotations

import os

from distributed import LocalCluster

from merit.grading.engine import grade_assignment
from merit.grading.sandbox import Sandbox
from merit.settings import Settings
from tests.grading_support import MODULE, demo_course, gradebook_dump


def test_cohort_graded_on_a_two_worker_cluster_matches_local_run(settings: Settings) -> None:
    built, nips = demo_course(settings, size=6)
    local = grade_assignment(built, MODULE, Sandbox.detect(), force=True)
    expected = gradebook_dump(built, MODULE)
    assert len(local.graded) == len(nips)

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = grade_assignment(built, MODULE, Sandbox.detect(), scheduler=cluster.scheduler_address, force=True)

    assert sorted(r.student for r in remote.graded) == sorted(nips)
    workers = {r.worker for r in remote.results}
    assert len(workers) == 2, workers
    assert all(not w.endswith(f":{os.getpid()}") for w in workers), "jobs must run in the worker processes"
    assert gradebook_dump(built, MODULE) == expected
