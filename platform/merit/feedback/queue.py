"""The instant-feedback queue: one :class:`~merit.registry.models.FeedbackJob` per submission.

The exchange adds a job in the transaction that stores the submission; the grading
service claims jobs, and finishes each in the transaction that records its feedback and
evidence. A service killed while it holds jobs leaves them ``sedang dinilai``; the next
service on that machine gives them back to the queue before it claims anything, so every
submission is finished exactly once. On PostgreSQL several services may share the queue
(``FOR UPDATE SKIP LOCKED``); on SQLite, run one.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from merit.catalog import Course
from merit.registry import models
from merit.registry.models import FeedbackJob, FeedbackSetting, utcnow

WAITING, RUNNING, DONE, FAILED, OFF, SUPERSEDED = (
    "menunggu",
    "sedang dinilai",
    "selesai",
    "gagal",
    "dimatikan",
    "digantikan",
)
STATES = (WAITING, RUNNING, DONE, FAILED, OFF, SUPERSEDED)
OPEN = (WAITING, RUNNING)


def this_worker() -> str:
    """``host:pid:start``: the process's start time (clock ticks since boot) tells this process
    from a later one that happens to get the same pid."""
    return f"{socket.gethostname()}:{os.getpid()}:{process_start(os.getpid())}"


def process_start(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


def enqueue(session: Session, submission: models.ExchangeSubmission) -> None:
    """Queue ``submission`` (flushed, so it has its id) for instant feedback."""
    session.add(
        FeedbackJob(
            submission_id=submission.id,
            course_id=submission.course_id,
            assignment=submission.assignment,
            state=WAITING,
            enqueued_at=utcnow(),
            attempts=0,
        )
    )


def recover(session: Session, host: str | None = None) -> int:
    """Give back to the queue the jobs held by services on ``host`` that are gone.

    A job's worker is ``host:pid:start``; on this host a process that no longer runs (or a
    pid now held by a process started at another time) means that service was killed, or
    the machine restarted, before it finished the job.
    """
    host = host or socket.gethostname()
    stale = []
    for job in session.scalars(select(FeedbackJob).where(FeedbackJob.state == RUNNING)):
        worker_host, _, process = (job.worker or "").partition(":")
        if worker_host == host and not _alive(process):
            stale.append(job.id)
    if stale:
        session.execute(
            update(FeedbackJob).where(FeedbackJob.id.in_(stale)).values(state=WAITING, worker=None, started_at=None)
        )
    return len(stale)


def _alive(process: str) -> bool:
    """Whether ``pid:start`` is a running process other than this one."""
    pid, _, start = process.partition(":")
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    return process_start(int(pid)) == start != "?"


def claim(session: Session, limit: int, worker: str) -> list[FeedbackJob]:
    """Up to ``limit`` waiting jobs, oldest first, now held by ``worker``."""
    if limit <= 0:
        return []
    query = (
        select(FeedbackJob)
        .where(FeedbackJob.state == WAITING)
        .order_by(FeedbackJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    jobs = list(session.scalars(query))
    now = utcnow()
    for job in jobs:
        job.state, job.worker, job.started_at = RUNNING, worker, now
        job.attempts += 1
    return jobs


def finish(session: Session, job_id: int, state: str, note: str | None = None) -> None:
    session.execute(
        update(FeedbackJob)
        .where(FeedbackJob.id == job_id)
        .values(state=state, note=note, finished_at=utcnow(), worker=None)
    )


def newer_waiting(session: Session, job: FeedbackJob, employee_id: int) -> bool:
    """Whether the same learner has submitted this assignment again since ``job``'s submission:
    only the newest is worth grading (and one learner's many submissions cannot crowd others)."""
    sub = models.ExchangeSubmission
    newer = session.scalar(
        select(func.count())
        .select_from(FeedbackJob)
        .join(sub, sub.id == FeedbackJob.submission_id)
        .where(
            FeedbackJob.id > job.id,
            FeedbackJob.state.in_(OPEN),
            sub.employee_id == employee_id,
            sub.course_id == job.course_id,
            sub.assignment == job.assignment,
        )
    )
    return bool(newer)


# trainers' switches --------------------------------------------------------------------


def enabled(session: Session, course: Course, assignment: str) -> bool:
    """Whether instant feedback is on for ``assignment`` of ``course``.

    The trainer's switch in the registry wins (module before course), then the module's
    ``umpan_balik_instan`` in ``course.yml``, then the course's (on unless set false).
    """
    switches = {
        row.assignment: row.enabled
        for row in session.scalars(select(FeedbackSetting).where(FeedbackSetting.course_id == course.id))
    }
    if assignment in switches:
        return switches[assignment]
    if "" in switches:
        return switches[""]
    module = next((m for m in course.spec.modules if m.id == assignment), None)
    if module is not None and module.umpan_balik_instan is not None:
        return module.umpan_balik_instan
    return course.spec.umpan_balik_instan


def set_enabled(session: Session, course_id: str, assignment: str, on: bool, by: str) -> None:
    """Switch instant feedback for a course (``assignment`` empty) or one module; audited."""
    from merit.registry.audit import CREATE, UPDATE, trail_of

    row = session.get(FeedbackSetting, (course_id, assignment))
    key = f"{course_id}/{assignment or '*'}"
    if row is None:
        now = utcnow()
        session.add(
            FeedbackSetting(course_id=course_id, assignment=assignment, enabled=on, changed_by=by, changed_at=now)
        )
        trail_of(session).record(CREATE, "feedback_setting", key, None, {"enabled": on})
    elif row.enabled != on:
        trail_of(session).record(UPDATE, "feedback_setting", key, {"enabled": row.enabled}, {"enabled": on})
        row.enabled, row.changed_by, row.changed_at = on, by, utcnow()


@dataclass(frozen=True)
class QueueRow:
    job_id: int
    course_id: str
    assignment: str
    nip: str
    state: str
    enqueued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    attempts: int
    note: str | None


def queue_rows(
    session: Session, course_id: str | None = None, everything: bool = False, limit: int = 200
) -> list[QueueRow]:
    """The queue as a trainer sees it: open jobs first, oldest first (``everything``: finished too, newest first)."""
    sub, emp = models.ExchangeSubmission, models.Employee
    query = (
        select(FeedbackJob, emp.nip).join(sub, sub.id == FeedbackJob.submission_id).join(emp, emp.id == sub.employee_id)
    )
    if course_id:
        query = query.where(FeedbackJob.course_id == course_id)
    if everything:
        query = query.order_by(FeedbackJob.id.desc())
    else:
        query = query.where(FeedbackJob.state.in_(OPEN)).order_by(FeedbackJob.id)
    return [
        QueueRow(
            job.id,
            job.course_id,
            job.assignment,
            nip,
            job.state,
            job.enqueued_at,
            job.started_at,
            job.finished_at,
            job.attempts,
            job.note,
        )
        for job, nip in session.execute(query.limit(limit))
    ]


def counts(session: Session, course_id: str | None = None) -> dict[str, int]:
    query = select(FeedbackJob.state, func.count()).group_by(FeedbackJob.state)
    if course_id:
        query = query.where(FeedbackJob.course_id == course_id)
    found = {state: 0 for state in STATES}
    found.update({state: int(n) for state, n in session.execute(query)})
    return found
