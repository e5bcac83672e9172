"""The Merit exchange as a JupyterHub service: a small tornado app over :class:`ExchangeStore`.

Every request carries a hub API token (the learner's server has ``JUPYTERHUB_API_TOKEN``);
the hub says whose it is, the registry says what that account may do. A learner sees
only the courses they are enrolled in and only their own submissions and feedback; a
trainer (``pengajar``) releases, collects and returns feedback only in their own course.
Every read of another person's submission or feedback is logged.

Routes, under the service prefix (``/services/merit-exchange/``)::

    GET    api/kursus                                   the caller's courses and roles
    GET    api/kursus/C/tugas                           released assignments
    GET    api/kursus/C/tugas/A                         fetch (archive)
    PUT    api/kursus/C/tugas/A                         release (trainer)
    DELETE api/kursus/C/tugas/A                         withdraw (trainer)
    POST   api/kursus/C/tugas/A/kiriman                 submit (learner)
    GET    api/kursus/C/kiriman[?tugas=A]               list the caller's own submissions
    GET    api/kursus/C/kiriman?semua=1[&tugas=A]       list every learner's submissions (trainer)
    GET    api/kursus/C/kiriman/ID                      one submission (archive)
    GET    api/kursus/C/kiriman/ID/umpan-balik/NB       feedback HTML
    PUT    api/kursus/C/kiriman/ID/umpan-balik/NB       release feedback (trainer)
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubAuth, HubAuthenticated, UserNotAllowed
from sqlalchemy.orm import Session
from tornado import ioloop, web

from merit.exchange.access import Caller, caller_for
from merit.exchange.archive import MEBIBYTE, RejectedUpload, TooLarge
from merit.exchange.store import BlobFolder, ExchangeStore, exchange_folder
from merit.registry.database import Registry
from merit.registry.models import Employee, ExchangeSubmission

log = logging.getLogger("merit.exchange")

DEFAULT_LIMIT_MB = 20
NAME = r"([A-Za-z0-9][A-Za-z0-9_.-]{0,63})"


class Refused(web.HTTPError):
    """A request the exchange refuses, with the reason shown to the user (Indonesian)."""

    def __init__(self, status: int, message: str):
        super().__init__(status, reason=None, log_message=message)
        self.message = message


class ApiHandler(HubAuthenticated, web.RequestHandler):
    """Identifies the caller through the hub before any handler method runs."""

    caller: Caller

    @property
    def registry(self) -> Registry:
        return self.settings["registry"]

    @property
    def store(self) -> ExchangeStore:
        return self.settings["store"]

    @property
    def hub_auth(self) -> HubAuth:
        return self.settings["hub_auth"]

    async def prepare(self) -> None:
        model = await self.hub_auth.get_user(self, sync=False)
        try:
            model = self.check_hub_user(model) if model else None
        except UserNotAllowed:
            model = None
        if not model or model.get("kind") != "user":
            raise Refused(403, "Token hub tidak sah atau tidak berhak memakai layanan pertukaran tugas.")
        with self.registry.session() as session:
            self.caller = caller_for(session, model["name"])

    def check_xsrf_cookie(self) -> None:
        """Token-authenticated API: no cookies, so no cross-site request forgery."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None))[1]
        message = error.message if isinstance(error, Refused) else "Terjadi galat pada layanan pertukaran tugas."
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"pesan": message}))

    def send_json(self, value: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(value))

    def send_archive(self, data: bytes) -> None:
        self.set_header("Content-Type", "application/gzip")
        self.finish(data)

    def require_member(self, course: str) -> None:
        if not (self.caller.learns(course) or self.caller.teaches(course)):
            raise Refused(403, f"Anda tidak terdaftar pada kursus {course}.")

    def require_trainer(self, course: str) -> None:
        if not self.caller.teaches(course):
            raise Refused(403, f"Hanya pengajar kursus {course} yang boleh melakukan ini.")

    def require_learner(self, course: str) -> int:
        if not self.caller.learns(course) or self.caller.employee_id is None:
            raise Refused(403, f"Anda tidak terdaftar sebagai peserta kursus {course}.")
        return self.caller.employee_id

    def upload(self, store_call: Any) -> Any:
        try:
            return store_call()
        except RejectedUpload as exc:
            raise Refused(413 if isinstance(exc, TooLarge) else 422, str(exc)) from None

    def own_or_taught(self, session: Session, course: str, submission_id: str) -> ExchangeSubmission:
        """A submission the caller may read: their own, or any in a course they teach."""
        submission = session.get(ExchangeSubmission, int(submission_id))
        if submission is None or submission.course_id != course:
            raise Refused(404, "Kiriman tidak ditemukan.")
        if self.caller.teaches(course):
            log.info(
                "access: %s read submission %s of employee %s", self.caller.name, submission.id, submission.employee_id
            )
            return submission
        if submission.employee_id != self.caller.employee_id:
            log.warning("refused: %s asked for submission %s of another learner", self.caller.name, submission.id)
            raise Refused(403, "Kiriman ini bukan milik Anda.")
        return submission


class CoursesHandler(ApiHandler):
    def get(self) -> None:
        self.send_json({"nama": self.caller.name, "kursus": self.caller.roles})


class ReleasedHandler(ApiHandler):
    def get(self, course: str) -> None:
        self.require_member(course)
        with self.registry.session() as session:
            released = self.store.released(session, course)
        self.send_json([{"assignment_id": r.assignment, "notebooks": r.notebooks} for r in released])


class AssignmentHandler(ApiHandler):
    def get(self, course: str, assignment: str) -> None:
        self.require_member(course)
        with self.registry.session() as session:
            data = self.store.release_archive(session, course, assignment)
        if data is None:
            raise Refused(404, f"Tugas {assignment} belum dirilis pada kursus {course}.")
        self.send_archive(data)

    def put(self, course: str, assignment: str) -> None:
        self.require_trainer(course)
        with self.registry.session() as session:
            self.upload(lambda: self.store.release(session, course, assignment, self.request.body, self.caller.name))
        log.info("release: %s released %s/%s", self.caller.name, course, assignment)
        self.send_json({"dirilis": assignment})

    def delete(self, course: str, assignment: str) -> None:
        self.require_trainer(course)
        with self.registry.session() as session:
            if not self.store.withdraw(session, course, assignment, self.caller.name):
                raise Refused(404, f"Tugas {assignment} tidak sedang dirilis pada kursus {course}.")
        self.send_json({"ditarik": assignment})


class SubmitHandler(ApiHandler):
    def post(self, course: str, assignment: str) -> None:
        employee_id = self.require_learner(course)
        with self.registry.session() as session:
            if self.store.release_archive(session, course, assignment) is None:
                raise Refused(404, f"Tugas {assignment} tidak dirilis pada kursus {course}.")
            timestamp = self.upload(
                lambda: self.store.submit(session, course, assignment, employee_id, self.request.body)
            )
        log.info("submit: %s submitted %s/%s at %s", self.caller.name, course, assignment, timestamp)
        self.send_json({"timestamp": timestamp})


class SubmissionsHandler(ApiHandler):
    def get(self, course: str) -> None:
        if self.get_query_argument("semua", None):
            self.require_trainer(course)
            employee_id = None
            log.info("access: %s listed the submissions of %s", self.caller.name, course)
        else:
            employee_id = self.require_learner(course)
        assignment = self.get_query_argument("tugas", None)
        with self.registry.session() as session:
            submissions = self.store.submissions(session, course, assignment, employee_id)
            feedback = self.store.feedback(session, submissions)
            nips = dict(
                session.query(Employee.id, Employee.nip).filter(Employee.id.in_({s.employee_id for s in submissions}))
            )
        self.send_json(
            [
                {
                    "id": s.id,
                    "course_id": s.course_id,
                    "assignment_id": s.assignment,
                    "student_id": nips[s.employee_id],
                    "timestamp": s.timestamp,
                    "notebooks": [Path(n).stem for n in json.loads(s.notebooks)],
                    "feedback": feedback[s.id],
                }
                for s in submissions
            ]
        )


class SubmissionHandler(ApiHandler):
    def get(self, course: str, submission_id: str) -> None:
        with self.registry.session() as session:
            submission = self.own_or_taught(session, course, submission_id)
            data = self.store.submission_archive(submission)
        self.send_archive(data)


class FeedbackHandler(ApiHandler):
    def get(self, course: str, submission_id: str, notebook: str) -> None:
        with self.registry.session() as session:
            submission = self.own_or_taught(session, course, submission_id)
            digest = self.store.feedback(session, [submission])[submission.id].get(notebook)
        if digest is None:
            raise Refused(404, f"Belum ada umpan balik untuk {notebook}.")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.store.blobs.get(digest))

    def put(self, course: str, submission_id: str, notebook: str) -> None:
        self.require_trainer(course)
        with self.registry.session() as session:
            submission = self.own_or_taught(session, course, submission_id)
            self.upload(
                lambda: self.store.add_feedback(session, submission, notebook, self.request.body, self.caller.name)
            )
        self.send_json({"umpan_balik": notebook})


def make_app(prefix: str, registry: Registry, store: ExchangeStore, hub_auth: HubAuth) -> web.Application:
    api = prefix.rstrip("/") + "/api/kursus"
    routes = [
        (api, CoursesHandler),
        (rf"{api}/{NAME}/tugas", ReleasedHandler),
        (rf"{api}/{NAME}/tugas/{NAME}", AssignmentHandler),
        (rf"{api}/{NAME}/tugas/{NAME}/kiriman", SubmitHandler),
        (rf"{api}/{NAME}/kiriman", SubmissionsHandler),
        (rf"{api}/{NAME}/kiriman/(\d+)", SubmissionHandler),
        (rf"{api}/{NAME}/kiriman/(\d+)/umpan-balik/{NAME}", FeedbackHandler),
    ]
    return web.Application(routes, registry=registry, store=store, hub_auth=hub_auth)


def main() -> None:
    """Run as a hub-managed service: the hub sets ``JUPYTERHUB_*``; Merit's settings name the registry.

    ``MERIT_EXCHANGE_DIR`` holds the blobs (default ``<data dir>/exchange``) and
    ``MERIT_EXCHANGE_LIMIT_MB`` bounds one upload (default 20 MiB).
    """
    from merit.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings()
    limit = int(float(os.environ.get("MERIT_EXCHANGE_LIMIT_MB", DEFAULT_LIMIT_MB)) * MEBIBYTE)
    folder = exchange_folder(settings)
    registry = Registry.open(str(settings.database_url))
    store = ExchangeStore(BlobFolder(folder), limit)
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/merit-exchange/")
    app = make_app(prefix, registry, store, HubAuth(cache_max_age=60))
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    # Bodies up to four times the limit are read so that a too-large upload is answered
    # with a clear message instead of a dropped connection.
    # MERIT_EXCHANGE_BIND_IP: where to listen when the hub reaches the service by another
    # name (on Kubernetes: 0.0.0.0 inside the hub pod, reached as http://hub:PORT).
    address = os.environ.get("MERIT_EXCHANGE_BIND_IP") or url.hostname or "127.0.0.1"
    app.listen(url.port or 80, address, max_body_size=4 * limit + MEBIBYTE)
    log.info("Merit exchange at %s%s, store %s, limit %.1f MiB", url.geturl(), prefix, folder, limit / MEBIBYTE)
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:  # the hub stops its services with SIGINT
        log.info("Merit exchange stopped")


if __name__ == "__main__":
    main()
