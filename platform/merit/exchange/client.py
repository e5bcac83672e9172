"""nbgrader's exchange classes, speaking HTTP to the Merit exchange service.

Configured through nbgrader's ``ExchangeFactory`` (see :data:`NBGRADER_CONFIG`), these
classes replace the shared exchange folder in every nbgrader command and in the learner's
Assignments tab, whose server extension builds its exchange through the same factory. They
keep nbgrader's local conventions: fetched assignments in ``assignment_dir[/course]/A``,
feedback in ``.../A/feedback/<timestamp>/<notebook>.html``, collected submissions in
``submitted/<student>/A`` with ``timestamp.txt``. What is kept where, and who may see it,
is the service's business; these classes hold no secret but the caller's hub token.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
import tempfile
from collections import defaultdict
from glob import glob
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from nbgrader.exchange import abc
from nbgrader.utils import parse_utc
from traitlets import Bool, Float, Unicode, default

from merit.course_roles import LEARNER, TRAINER
from merit.exchange.archive import pack, unpack

SUBMITTED = "submitted"

NBGRADER_CONFIG = {
    f"ExchangeFactory.{trait}": f"merit.exchange.client.{cls}"
    for trait, cls in {
        "exchange": "MeritExchange",
        "fetch_assignment": "MeritFetchAssignment",
        "fetch_feedback": "MeritFetchFeedback",
        "release_assignment": "MeritReleaseAssignment",
        "release_feedback": "MeritReleaseFeedback",
        "list": "MeritList",
        "submit": "MeritSubmit",
        "collect": "MeritCollect",
    }.items()
}


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class MeritExchange(abc.Exchange):
    """What every Merit exchange operation shares: the service URL, the token, the paths."""

    url = Unicode(help="URL of the Merit exchange service (default: $MERIT_EXCHANGE_URL).").tag(config=True)
    token = Unicode(help="Hub API token sent to the service (default: $JUPYTERHUB_API_TOKEN).").tag(config=True)
    timeout = Float(120.0, help="Seconds to wait for the exchange service.").tag(config=True)
    path_includes_course = Bool(
        False, help="Fetch into ./COURSE/ASSIGNMENT instead of ./ASSIGNMENT (many courses on one hub)."
    ).tag(config=True)

    @default("url")
    def _default_url(self) -> str:
        return os.environ.get("MERIT_EXCHANGE_URL", "")

    @default("token")
    def _default_token(self) -> str:
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request to the service; a refusal fails the operation with the service's message."""
        if not self.url:
            self.fail("Alamat layanan pertukaran tugas belum diatur (MERIT_EXCHANGE_URL).")
        url = f"{self.url.rstrip('/')}/api/kursus{path}"
        try:
            response = requests.request(
                method, url, headers={"Authorization": f"token {self.token}"}, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            self.fail(f"Layanan pertukaran tugas tidak dapat dihubungi: {exc}")
        if response.status_code >= 400:
            try:
                message = response.json()["pesan"]
            except (ValueError, KeyError, TypeError):
                message = f"Layanan pertukaran tugas menjawab {response.status_code}."
            self.fail(message)
        return response

    def course_path(self, course: str) -> str:
        return "/" + quote(course, safe="")

    def assignment_path(self, course: str, assignment: str) -> str:
        return f"{self.course_path(course)}/tugas/{quote(assignment, safe='')}"

    def require_course(self) -> str:
        if not self.coursedir.course_id:
            self.fail("Kursus belum disebut: jalankan ulang dengan --course.")
        return self.coursedir.course_id

    def local_dir(self, course: str, assignment: str) -> str:
        """Where a learner's copy of an assignment lives."""
        parts = (course, assignment) if self.path_includes_course else (assignment,)
        return os.path.abspath(os.path.join(self.assignment_dir, *parts))

    def my_courses(self) -> dict[str, str]:
        return self.call("GET", "").json()["kursus"]

    def submissions(self, course: str, assignment: str | None = None, everyone: bool = False) -> list[dict[str, Any]]:
        """The caller's own submissions, or with ``everyone`` (trainers) all of the course's."""
        params = {"tugas": assignment} if assignment else {}
        if everyone:
            params["semua"] = "1"
        return self.call("GET", f"{self.course_path(course)}/kiriman", params=params).json()

    def skip(self, relative: Path) -> bool:
        """nbgrader's ignore globs (checkpoints, caches, the feedback folder) on any path part."""
        return any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in self.coursedir.ignore)

    # nbgrader's abstract steps: each operation does its work in copy_files.
    def init_src(self) -> None:
        pass

    def init_dest(self) -> None:
        pass


class MeritReleaseAssignment(MeritExchange, abc.ExchangeReleaseAssignment):
    def copy_files(self) -> None:
        course, assignment = self.require_course(), self.coursedir.assignment_id
        source = self.coursedir.format_path(self.coursedir.release_directory, ".", assignment)
        if not os.path.isdir(source):
            self.fail(f"Tugas {assignment} tidak ada di {source}: jalankan generate_assignment dahulu.")
        released = {a["assignment_id"] for a in self.call("GET", f"{self.course_path(course)}/tugas").json()}
        if assignment in released and not self.force:
            self.fail(f"Tugas {assignment} sudah dirilis; tambahkan --force untuk merilis versi baru.")
        self.call("PUT", self.assignment_path(course, assignment), data=pack(Path(source), self.skip))
        self.log.info("Released as: %s %s", course, assignment)


class MeritFetchAssignment(MeritExchange, abc.ExchangeFetchAssignment):
    def copy_files(self) -> None:
        course, assignment = self.require_course(), self.coursedir.assignment_id
        dest = self.local_dir(course, assignment)
        if os.path.isdir(dest) and not self.replace_missing_files:
            self.fail(f"Anda sudah punya salinan tugas ini: {dest}")
        data = self.call("GET", self.assignment_path(course, assignment)).content
        with tempfile.TemporaryDirectory() as scratch:
            unpack(data, Path(scratch))
            for path in sorted(Path(scratch).rglob("*")):
                target = Path(dest) / path.relative_to(scratch)
                if path.is_file() and not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
        self.log.info("Fetched as: %s %s", course, assignment)


class MeritSubmit(MeritExchange, abc.ExchangeSubmit):
    def check_notebooks(self, course: str, assignment: str, source: str) -> None:
        """As nbgrader's submit: warn about missing or extra notebooks; ``--strict`` refuses missing ones."""
        released = {
            f"{name}.ipynb"
            for item in self.call("GET", f"{self.course_path(course)}/tugas").json()
            if item["assignment_id"] == assignment
            for name in item["notebooks"]
        }
        local = {Path(p).name for p in glob(os.path.join(source, "*.ipynb"))}
        missing, extra = sorted(released - local), sorted(local - released)
        if missing and self.strict:
            self.fail(f"Tugas {assignment} tidak dikirim: notebook {', '.join(missing)} tidak ada.")
        if missing or extra:
            self.log.warning("Missing notebooks: %s; extra notebooks: %s", missing or "-", extra or "-")

    def copy_files(self) -> None:
        course, assignment = self.require_course(), self.coursedir.assignment_id
        source = self.local_dir(course, assignment)
        if not os.path.isdir(source):
            self.fail(f"Folder tugas {source} tidak ditemukan.")
        self.check_notebooks(course, assignment, source)
        data = pack(Path(source), self.skip)
        timestamp = self.call("POST", f"{self.assignment_path(course, assignment)}/kiriman", data=data).json()[
            "timestamp"
        ]
        self.log.info("Submitted as: %s %s %s", course, assignment, timestamp)


class MeritCollect(MeritExchange, abc.ExchangeCollect):
    """Collects each learner's newest submission (or newest before the due date)."""

    def duedate(self) -> Any:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gradebook:
            try:
                return gradebook.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                return None

    def chosen(self, submissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_student: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for submission in submissions:
            by_student[submission["student_id"]].append(submission)
        duedate = self.duedate() if self.before_duedate else None
        chosen = []
        for versions in by_student.values():
            versions.sort(key=lambda s: parse_utc(s["timestamp"]), reverse=True)
            on_time = [s for s in versions if duedate is None or parse_utc(s["timestamp"]) <= duedate]
            chosen.append((on_time or versions)[0])
        return chosen

    def copy_files(self) -> None:
        course, assignment = self.require_course(), self.coursedir.assignment_id
        submissions = self.submissions(course, assignment, everyone=True)
        if self.coursedir.student_id not in ("", "*"):
            submissions = [s for s in submissions if s["student_id"] == self.coursedir.student_id]
        chosen = self.chosen(submissions)
        if not chosen:
            self.log.warning("No submissions of '%s' for course '%s' to collect", assignment, course)
        for submission in chosen:
            student = submission["student_id"]
            dest = self.coursedir.format_path(self.coursedir.submitted_directory, student, assignment)
            if os.path.isdir(dest):
                existing = self.coursedir.get_existing_timestamp(dest)
                newer = existing is None or parse_utc(submission["timestamp"]) > existing
                if not ((self.update and newer) or (self.before_duedate and newer)):
                    self.log.info("Submission already exists, use --update to update: %s %s", student, assignment)
                    continue
                shutil.rmtree(dest)
            data = self.call("GET", f"{self.course_path(course)}/kiriman/{submission['id']}").content
            unpack(data, Path(dest))
            Path(dest, "timestamp.txt").write_text(submission["timestamp"])
            self.log.info("Collecting submission: %s %s", student, assignment)


class MeritReleaseFeedback(MeritExchange, abc.ExchangeReleaseFeedback):
    """Sends each generated feedback file to the submission it was made from (by timestamp)."""

    def copy_files(self) -> None:
        course, assignment = self.require_course(), self.coursedir.assignment_id
        student = self.coursedir.student_id or "*"
        excluded = set(filter(None, self.coursedir.student_id_exclude.split(",")))
        by_key = {(s["student_id"], s["timestamp"]): s for s in self.submissions(course, assignment, everyone=True)}
        pattern = self.coursedir.format_path(self.coursedir.feedback_directory, student, assignment)
        for folder in sorted(glob(pattern)):
            student_id = self.student_of(folder)
            if student_id in excluded:
                continue
            stamp_file = Path(folder, "timestamp.txt")
            if not stamp_file.exists():
                self.log.warning("No timestamp.txt in %s; skipped", folder)
                continue
            submission = by_key.get((student_id, stamp_file.read_text().strip()))
            if submission is None:
                self.log.warning("No submission in the exchange matches %s; skipped", folder)
                continue
            for html in sorted(Path(folder).glob("*.html")):
                path = f"{self.course_path(course)}/kiriman/{submission['id']}/umpan-balik/{quote(html.stem, safe='')}"
                self.call("PUT", path, data=html.read_bytes())
                self.log.info(
                    "Releasing feedback for student '%s' on assignment '%s/%s/%s'",
                    student_id,
                    course,
                    assignment,
                    html.stem,
                )

    def student_of(self, folder: str) -> str:
        """The student id in a feedback folder path (``feedback/{student_id}/{assignment_id}``)."""
        template = self.coursedir.format_path(self.coursedir.feedback_directory, "\0", self.coursedir.assignment_id)
        before, _, after = template.partition("\0")
        return folder[len(before) : len(folder) - len(after)]


class MeritFetchFeedback(MeritExchange, abc.ExchangeFetchFeedback):
    def copy_files(self) -> None:
        course, assignment = self.require_course(), self.coursedir.assignment_id
        dest = os.path.join(self.local_dir(course, assignment), "feedback")
        for submission in self.submissions(course, assignment):
            for notebook in submission["feedback"]:
                path = f"{self.course_path(course)}/kiriman/{submission['id']}/umpan-balik/{quote(notebook, safe='')}"
                html = self.call("GET", path).content
                target = Path(dest, submission["timestamp"], f"{notebook}.html")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(html)
                self.log.info("Fetched feedback: %s", target)


class MeritList(MeritExchange, abc.ExchangeList):
    """Lists in the shape nbgrader's Assignments tab reads (see nbgrader's default ExchangeList)."""

    def courses(self, role: str | None = None) -> list[str]:
        """The course asked for, or every course of the caller (in ``role``, when given)."""
        if self.coursedir.course_id:
            return [self.coursedir.course_id]
        return sorted(course for course, held in self.my_courses().items() if role in (None, held))

    def released(self) -> list[dict[str, Any]]:
        found = []
        for course in self.courses():
            for item in self.call("GET", f"{self.course_path(course)}/tugas").json():
                assignment = item["assignment_id"]
                if self.coursedir.assignment_id and assignment != self.coursedir.assignment_id:
                    continue
                local = self.local_dir(course, assignment)
                info: dict[str, Any] = {"course_id": course, "assignment_id": assignment}
                if os.path.isdir(local):
                    info.update(status="fetched", path=local)
                    notebooks = [
                        (Path(p).stem, os.path.abspath(p)) for p in sorted(glob(os.path.join(local, "*.ipynb")))
                    ]
                else:
                    info.update(status="released", path=assignment)
                    notebooks = [(name, f"{name}.ipynb") for name in item["notebooks"]]
                info["notebooks"] = [{"notebook_id": name, "path": path} for name, path in notebooks]
                found.append(info)
        return found

    def submission_info(self, submission: dict[str, Any]) -> dict[str, Any]:
        course, assignment, timestamp = submission["course_id"], submission["assignment_id"], submission["timestamp"]
        feedback_dir = os.path.join(self.local_dir(course, assignment), "feedback", timestamp)
        notebooks = []
        for name in submission["notebooks"]:
            local = os.path.join(feedback_dir, f"{name}.html")
            has_local = os.path.isfile(local)
            remote = submission["feedback"].get(name)
            notebooks.append(
                {
                    "notebook_id": name,
                    "path": f"{name}.ipynb",
                    "has_local_feedback": has_local,
                    "has_exchange_feedback": remote is not None,
                    "local_feedback_path": local if has_local else None,
                    "feedback_updated": bool(has_local and remote and _sha256(local) != remote),
                }
            )
        has_local = bool(notebooks) and all(n["has_local_feedback"] for n in notebooks)
        return {
            "course_id": course,
            "student_id": submission["student_id"],
            "assignment_id": assignment,
            "timestamp": timestamp,
            "status": "submitted",
            "path": f"{course}/{assignment}/{timestamp}",
            "notebooks": notebooks,
            "has_local_feedback": has_local,
            "has_exchange_feedback": bool(notebooks) and all(n["has_exchange_feedback"] for n in notebooks),
            "feedback_updated": any(n["feedback_updated"] for n in notebooks),
            "local_feedback_path": feedback_dir if has_local else None,
        }

    def submitted(self) -> list[dict[str, Any]]:
        grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for course in self.courses(TRAINER if self.inbound else LEARNER):
            for submission in self.submissions(course, self.coursedir.assignment_id or None, everyone=self.inbound):
                if self.coursedir.student_id not in ("", "*") and submission["student_id"] != self.coursedir.student_id:
                    continue
                info = self.submission_info(submission)
                grouped[(course, info["student_id"], info["assignment_id"])].append(info)
        return [
            {
                "course_id": course,
                "student_id": student,
                "assignment_id": assignment,
                "status": SUBMITTED,
                "submissions": sorted(versions, key=lambda v: v["timestamp"]),
            }
            for (course, student, assignment), versions in sorted(grouped.items())
        ]

    def list_files(self) -> list[dict[str, Any]]:
        if self.inbound or self.cached:
            found = self.submitted()
            self.log.info("Submitted assignments:")
            for assignment in found:
                for info in assignment["submissions"]:
                    self.log.info(
                        "%s %s %s %s", info["course_id"], info["student_id"], info["assignment_id"], info["timestamp"]
                    )
            return found
        found = self.released()
        self.log.info("Released assignments:")
        for info in found:
            self.log.info(
                "%s %s%s",
                info["course_id"],
                info["assignment_id"],
                " (already downloaded)" if info["status"] == "fetched" else "",
            )
        return found

    def remove_files(self) -> list[dict[str, Any]]:
        """Withdraws released assignments; submissions are never removed."""
        if self.inbound or self.cached:
            self.fail("Kiriman peserta tidak pernah dihapus dari pertukaran tugas.")
        found = self.released()
        for info in found:
            self.call("DELETE", self.assignment_path(info["course_id"], info["assignment_id"]))
            info["status"] = "removed"
        return found

    def copy_files(self) -> None:
        pass
