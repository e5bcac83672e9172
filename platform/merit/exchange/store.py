"""The exchange's storage: blobs in a private folder, their metadata in the registry.

Unlike nbgrader's default exchange there is no shared, world-writable folder: only the
exchange service reads and writes ``folder`` (mode 0700). Archives are stored under
their SHA-256 and never rewritten; every release, submission and feedback is a new row,
so a learner's earlier submissions all stay readable and nothing is overwritten.
Who may do what is decided from the registry's enrolment (:mod:`merit.exchange.access`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from merit.exchange.archive import RejectedUpload, check_notebooks, read_members
from merit.feedback import queue as feedback_queue
from merit.registry.models import ExchangeFeedback, ExchangeRelease, ExchangeSubmission, utcnow
from merit.settings import Settings

# nbgrader's own timestamp format (Exchange.timestamp_format), always in UTC here.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


@dataclass(frozen=True)
class Released:
    course_id: str
    assignment: str
    notebooks: list[str]
    released_at: dt.datetime


class BlobFolder:
    """Content-addressed files under one private folder."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        self.folder = folder

    def path(self, digest: str) -> Path:
        return self.folder / digest[:2] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(mode=0o700, exist_ok=True)
            partial = target.with_suffix(".partial")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(partial, target)  # readers never see half a blob
        return digest

    def get(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()


def exchange_folder(settings: Settings) -> Path:
    """Where the exchange keeps its blobs: ``MERIT_EXCHANGE_DIR``, else ``<data dir>/exchange``."""
    return Path(os.environ.get("MERIT_EXCHANGE_DIR") or settings.data_dir / "exchange")


def _notebook_names(notebooks: str) -> list[str]:
    return [Path(name).stem for name in json.loads(notebooks)]


class ExchangeStore:
    """Release, submit, collect and feedback on one registry and one blob folder."""

    def __init__(self, blobs: BlobFolder, limit: int):
        self.blobs = blobs
        self.limit = limit

    # releases ---------------------------------------------------------------------------

    def release(self, session: Session, course_id: str, assignment: str, data: bytes, by: str) -> None:
        notebooks = check_notebooks(read_members(data, self.limit))
        session.add(
            ExchangeRelease(
                course_id=course_id,
                assignment=assignment,
                notebooks=json.dumps(notebooks),
                blob=self.blobs.put(data),
                released_by=by,
                released_at=utcnow(),
            )
        )

    def _current_releases(self, session: Session, course_id: str) -> dict[str, ExchangeRelease]:
        rows = session.scalars(
            select(ExchangeRelease).where(ExchangeRelease.course_id == course_id).order_by(ExchangeRelease.id)
        )
        newest: dict[str, ExchangeRelease] = {}
        for row in rows:
            newest[row.assignment] = row
        return {name: row for name, row in newest.items() if not row.withdrawn}

    def released(self, session: Session, course_id: str) -> list[Released]:
        return [
            Released(course_id, name, _notebook_names(row.notebooks), row.released_at)
            for name, row in sorted(self._current_releases(session, course_id).items())
        ]

    def release_archive(self, session: Session, course_id: str, assignment: str) -> bytes | None:
        row = self._current_releases(session, course_id).get(assignment)
        return self.blobs.get(row.blob) if row else None

    def withdraw(self, session: Session, course_id: str, assignment: str, by: str) -> bool:
        """Stop offering an assignment; its earlier releases stay stored."""
        row = self._current_releases(session, course_id).get(assignment)
        if row is None:
            return False
        session.add(
            ExchangeRelease(
                course_id=course_id,
                assignment=assignment,
                notebooks=row.notebooks,
                blob=row.blob,
                released_by=by,
                released_at=utcnow(),
                withdrawn=True,
            )
        )
        return True

    # submissions ------------------------------------------------------------------------

    def submit(self, session: Session, course_id: str, assignment: str, employee_id: int, data: bytes) -> str:
        """Store a new submission version and return its timestamp (nbgrader's format, UTC)."""
        notebooks = check_notebooks(read_members(data, self.limit))
        now = dt.datetime.now(dt.UTC)
        timestamp = now.strftime(TIMESTAMP_FORMAT)
        submission = ExchangeSubmission(
            course_id=course_id,
            assignment=assignment,
            employee_id=employee_id,
            timestamp=timestamp,
            notebooks=json.dumps(notebooks),
            size=len(data),
            blob=self.blobs.put(data),
            submitted_at=now.replace(tzinfo=None),
        )
        session.add(submission)
        session.flush()
        feedback_queue.enqueue(session, submission)  # same transaction: nothing submitted goes unqueued
        return timestamp

    def submissions(
        self,
        session: Session,
        course_id: str,
        assignment: str | None = None,
        employee_id: int | None = None,
    ) -> list[ExchangeSubmission]:
        query = select(ExchangeSubmission).where(ExchangeSubmission.course_id == course_id)
        if assignment:
            query = query.where(ExchangeSubmission.assignment == assignment)
        if employee_id is not None:
            query = query.where(ExchangeSubmission.employee_id == employee_id)
        return list(session.scalars(query.order_by(ExchangeSubmission.id)))

    def submission_archive(self, submission: ExchangeSubmission) -> bytes:
        return self.blobs.get(submission.blob)

    # feedback ---------------------------------------------------------------------------

    def add_feedback(
        self, session: Session, submission: ExchangeSubmission, notebook: str, html: bytes, by: str
    ) -> None:
        if notebook not in _notebook_names(submission.notebooks):
            raise RejectedUpload(f"Notebook {notebook} tidak ada dalam kiriman {submission.timestamp}.")
        session.add(
            ExchangeFeedback(
                submission_id=submission.id,
                notebook=notebook,
                blob=self.blobs.put(html),
                released_by=by,
                released_at=utcnow(),
            )
        )

    def feedback(self, session: Session, submissions: list[ExchangeSubmission]) -> dict[int, dict[str, str]]:
        """For each submission id, notebook -> newest feedback blob digest."""
        ids = [s.id for s in submissions]
        found: dict[int, dict[str, str]] = {i: {} for i in ids}
        if not ids:
            return found
        rows = session.scalars(
            select(ExchangeFeedback).where(ExchangeFeedback.submission_id.in_(ids)).order_by(ExchangeFeedback.id)
        )
        for row in rows:
            found[row.submission_id][row.notebook] = row.blob
        return found
