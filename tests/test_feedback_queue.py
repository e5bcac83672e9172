"""The instant-feedback queue and the trainers' switches on SQLite and PostgreSQL (no hub needed)."""

from __future__ import annotations

import dataclasses
import socket
import subprocess

from sqlalchemy import select

from merit.catalog import load_courses
from merit.demo.roster import synthetic_roster
from merit.exchange.archive import pack
from merit.exchange.store import BlobFolder, ExchangeStore
from merit.feedback import queue
from merit.feedback.queue import process_start
from merit.people.roster import register_roster
from merit.registry.models import AuditEntry, Employee, FeedbackJob
from tests.conftest import ROOT, load_framework

COURSE, MODULE = "etika-integritas", "m01-kode-etik"


def test_switches_module_before_course_before_course_yml(registry):
    course = load_courses(ROOT / "courses", load_framework(ROOT / "assessments"))[COURSE]
    exam = dataclasses.replace(
        course,
        spec=course.spec.model_copy(
            update={
                "modules": [
                    m.model_copy(update={"umpan_balik_instan": False}) if m.id == MODULE else m
                    for m in course.spec.modules
                ]
            }
        ),
    )
    other = course.spec.modules[1].id
    with registry.session() as session:
        assert queue.enabled(session, course, MODULE)
        assert not queue.enabled(session, exam, MODULE) and queue.enabled(session, exam, other)
    with registry.session("pelatih", "ujian: tanpa umpan balik instan") as session:
        queue.set_enabled(session, COURSE, "", False, "pelatih")
    with registry.session("pelatih", "modul latihan: dengan umpan balik") as session:
        queue.set_enabled(session, COURSE, other, True, "pelatih")
    with registry.session() as session:
        assert not queue.enabled(session, course, MODULE)  # the course switch beats course.yml's default
        assert queue.enabled(session, exam, other)  # the module switch beats the course switch
        audited = session.scalars(select(AuditEntry.entity_key).where(AuditEntry.entity == "feedback_setting"))
        assert sorted(audited) == [f"{COURSE}/*", f"{COURSE}/{other}"]


def test_submissions_are_queued_claimed_once_and_a_dead_services_jobs_come_back(registry, tmp_path):
    release = tmp_path / "rilis"
    release.mkdir()
    (release / "kode_etik.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    store = ExchangeStore(BlobFolder(tmp_path / "exchange"), 10**6)
    with registry.session("pytest", "roster uji") as session:
        register_roster(session, synthetic_roster(3, seed=5))
    with registry.session() as session:
        for employee in session.scalars(select(Employee)):
            store.submit(session, COURSE, MODULE, employee.id, pack(release))
    with registry.session() as session:
        assert [j.state for j in session.scalars(select(FeedbackJob))] == [queue.WAITING] * 3
        first = [j.id for j in queue.claim(session, 2, "mesin-lain:1:1")]
    host = socket.gethostname()
    alive = subprocess.Popen(["sleep", "60"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    try:
        with registry.session() as session:
            assert [j.id for j in queue.claim(session, 5, f"{host}:{alive.pid}:{process_start(alive.pid)}")] == [3]
            # A service of this host that is gone gives its jobs back, one still running keeps
            # its own, and another host's are left to that host.
            session.get(FeedbackJob, first[0]).worker = f"{host}:{dead.pid}:1"
        with registry.session() as session:
            assert queue.recover(session) == 1
        with registry.session() as session:
            states = {j.id: j.state for j in session.scalars(select(FeedbackJob))}
        assert states == {first[0]: queue.WAITING, first[1]: queue.RUNNING, 3: queue.RUNNING}
    finally:
        alive.kill()
        alive.wait()
