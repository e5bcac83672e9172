"""Instant feedback behind a real JupyterHub: learners submit through Merit's exchange and the
standing grading service (`merit umpan-balik layani`, real sandbox, real kernels) grades at once.

One service process for the module, restarted only by the SIGKILL test. Learners are extra
roster entries enrolled in the hub's course for this module. The tests run in file order:
feedback at once (exchange API, nbgrader's fetch_feedback, the learner portal), fairness in
a burst with a runaway submission, the trainer's switch and queue, SIGKILL mid-queue, and
last a trainer's batch run and manual grade superseding the service's results.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from sqlalchemy import create_engine, text

from merit.catalog import Course
from merit.content import load_content
from merit.dashboards.learner import WAITING, module_statuses
from merit.exchange.archive import pack
from merit.people import gradebooks
from merit.registry.database import Registry
from merit.settings import Settings
from tests.feedback_support import ServiceProcess, enrol_learners, submission_archive
from tests.hub_support import COURSE, MODULE, Hub, api, merit, nbgrader, ok

LEARNERS = 8
WALL = 30  # --batas-notebook of the module's service: the runaway's slot is held this long
NOTEBOOK = "kode_etik"


@dataclass
class Instant:
    hub: Hub
    service: ServiceProcess
    settings: Settings
    learners: list[str]
    tokens: dict[str, str]
    trainer_token: str
    release: Path
    course: Course

    def submit(self, nip: str, variant: str = "right", extra_code: str | None = None) -> str:
        data = submission_archive(self.course, self.release, MODULE, nip, variant, extra_code)
        response = api(self.hub, self.tokens[nip], "POST", f"/{COURSE}/tugas/{MODULE}/kiriman", data=data)
        assert response.status_code == 200, response.text
        return response.json()["timestamp"]

    def mine(self, nip: str) -> list[dict]:
        return api(self.hub, self.tokens[nip], "GET", f"/{COURSE}/kiriman", params={"tugas": MODULE}).json()

    def wait_feedback(self, nip: str, stamp: str, seconds: float = 120) -> float:
        """Seconds until the learner's submission ``stamp`` lists feedback (polled as a browser would)."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            found = [s for s in self.mine(nip) if s["timestamp"] == stamp]
            if found and found[0]["feedback"]:
                return time.monotonic() - started
            time.sleep(0.2)
        raise AssertionError(f"no feedback for {stamp} in {seconds} s:\n{self.service.log.read_text()[-3000:]}")

    def query(self, sql: str, **params: object) -> list[tuple]:
        engine = create_engine(self.settings.database_url)
        try:
            with engine.connect() as db:
                return [tuple(row) for row in db.execute(text(sql), params)]
        finally:
            engine.dispose()

    def jobs(self) -> dict[str, list[tuple]]:
        """timestamp -> (state, attempts, note) of every job of this module's learners."""
        rows = self.query(
            "SELECT e.nip, s.timestamp, j.state, j.attempts, j.note FROM feedback_job j "
            "JOIN exchange_submission s ON s.id = j.submission_id JOIN employee e ON e.id = s.employee_id"
        )
        return {stamp: [state, attempts, note] for nip, stamp, state, attempts, note in rows if nip in self.learners}


@pytest.fixture(scope="module")
def instant(hub: Hub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instant]:
    folder = tmp_path_factory.mktemp("umpan-balik")
    learners = enrol_learners(hub, folder, LEARNERS)
    settings = Settings(root=Path(hub.env["MERIT_ROOT"]), data_dir=hub.data)
    release = hub.data / "nbgrader" / COURSE / "release" / MODULE
    trainer = hub.token(hub.trainer)
    assert api(hub, trainer, "PUT", f"/{COURSE}/tugas/{MODULE}", data=pack(release)).status_code == 200
    service = ServiceProcess(
        {**hub.env, "COLUMNS": "200"}, folder / "layanan.log", "--pekerja", "2", "--batas-notebook", str(WALL)
    )
    try:
        service.start()
        tokens = {n: hub.token(n) for n in learners}
        yield Instant(
            hub, service, settings, learners, tokens, trainer, release, load_content(settings).courses[COURSE]
        )
    finally:
        service.stop()
        hub.write_classes(hub.classes)


def test_the_hub_runs_the_service_unless_told_not_to(tmp_path: Path):
    from merit.hub.config import services
    from merit.hub.options import HubOptions
    from merit.hub.plan import HubPlan

    settings = Settings(root=Path(__file__).resolve().parents[1], data_dir=tmp_path)
    plan = HubPlan({COURSE: {"peserta": [], "pengajar": []}})
    found = {s["name"]: s for s in services(settings, HubOptions(umpan_balik_pekerja=3), plan, tmp_path)}
    service = found["merit-umpan-balik"]
    assert service["command"][1:] == ["-m", "merit.feedback"] and "url" not in service
    assert service["environment"]["MERIT_UMPAN_BALIK_PEKERJA"] == "3"
    assert service["environment"]["MERIT_EXCHANGE_DIR"] == found["merit-exchange"]["environment"]["MERIT_EXCHANGE_DIR"]
    off = services(settings, HubOptions(umpan_balik=False), plan, tmp_path)
    assert "merit-umpan-balik" not in {s["name"] for s in off}


def test_a_submission_is_graded_at_once_and_the_learner_sees_each_item(instant: Instant, tmp_path: Path):
    nip = instant.learners[0]
    stamp = instant.submit(nip, "right")
    waited = instant.wait_feedback(nip, stamp)
    assert waited < 60, waited  # the target (< 3 s on an idle machine) is benchmarks/feedback.py's
    # nbgrader's own fetch_feedback, as the Assignments tab runs it, through Merit's exchange.
    home = tmp_path / "home"
    ok(nbgrader(instant.hub, instant.tokens[nip], home, "fetch_feedback", MODULE, "--course", COURSE))
    page = (home / COURSE / MODULE / "feedback" / stamp / f"{NOTEBOOK}.html").read_text()
    assert "<td><code>nilai_nilai_dasar</code></td><td>3 / 3</td><td>benar</td>" in page, page
    assert "26 dari 26 poin dinilai otomatis" in page
    assert "<td><code>rubrik_kesepakatan</code></td><td>- / 4</td><td>menunggu penilaian widyaiswara</td>" in page
    # The registry: evidence and level changes audited under the service's name, and the
    # learner portal shows the module as waiting for the trainer, item by item.
    evidence = instant.query(
        "SELECT v.cell, v.score, v.needs_manual_grade FROM evidence v JOIN employee e ON e.id = v.employee_id "
        "WHERE e.nip = :nip AND v.assignment = :module",
        nip=nip,
        module=MODULE,
    )
    assert len(evidence) == 9 and sum(score for _, score, _ in evidence) == 26
    audited = instant.query(
        "SELECT count(*) FROM audit_entry WHERE actor = 'umpan-balik-instan' AND entity = 'evidence' "
        "AND entity_key LIKE :key",
        key=f"%/{COURSE}/{MODULE}/%",
    )
    assert audited[0][0] >= 9
    registry = Registry(instant.settings.database_url)
    try:
        with registry.session() as session:
            employee_id = session.execute(text("SELECT id FROM employee WHERE nip = :n"), {"n": nip}).scalar_one()
            statuses = module_statuses(session, instant.course, instant.settings.workspace_dir, employee_id, nip)
    finally:
        registry.close()
    status = next(s for s in statuses if s.module == MODULE)
    assert (status.status, status.score, status.pending) == (WAITING, 26, 1)
    cells = {c.cell: c for c in gradebooks.feedback(instant.settings.workspace_dir, COURSE, nip, MODULE)}
    assert cells["nilai_nilai_dasar"].score == 3 and cells["rubrik_kesepakatan"].needs_manual_grade


def test_a_runaway_submission_holds_only_its_own_slot(instant: Instant):
    """Five learners at once, one of them looping forever: the four others get their feedback
    while the runaway still holds its slot, and the runaway is told it hit the wall limit."""
    runaway, *others = instant.learners[1:6]
    started = time.monotonic()
    loop = instant.submit(runaway, "right", extra_code="while True:\n    pass")
    stamps = {nip: instant.submit(nip, "wrong") for nip in others}
    for nip, stamp in stamps.items():
        instant.wait_feedback(nip, stamp)
    honest = time.monotonic() - started
    state = instant.jobs()[loop]
    assert state[0] == "sedang dinilai", (state, honest)  # still in its own slot
    instant.wait_feedback(runaway, loop)
    state = instant.jobs()[loop]
    assert state[0] == "gagal" and f"batas waktu nyata {WALL} detik" in state[2], state
    submission = [s for s in instant.mine(runaway) if s["timestamp"] == loop][0]
    page = api(
        instant.hub, instant.tokens[runaway], "GET", f"/{COURSE}/kiriman/{submission['id']}/umpan-balik/{NOTEBOOK}"
    ).text
    assert "Kiriman tidak dapat dinilai" in page and f"batas waktu nyata {WALL} detik" in page


def test_a_trainer_switches_instant_feedback_off_for_a_module_and_sees_the_queue(instant: Instant):
    hub, nip = instant.hub, instant.learners[6]
    env = {**hub.env, "COLUMNS": "200"}
    out = merit(env, "umpan-balik", "matikan", COURSE, MODULE, "--oleh", "pelatih-uji")
    assert f"Umpan balik instan dimatikan untuk {COURSE}/{MODULE}" in out
    try:
        stamp = instant.submit(nip, "right")
        deadline = time.monotonic() + 60
        while instant.jobs()[stamp][0] == "menunggu":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert instant.jobs()[stamp][0] == "dimatikan"
        assert not [s for s in instant.mine(nip) if s["timestamp"] == stamp][0]["feedback"]
        queue = merit(env, "umpan-balik", "antrean", COURSE, "--semua")
        assert "dimatikan" in queue and "selesai" in queue and nip not in queue  # NIPs masked
    finally:
        merit(env, "umpan-balik", "nyalakan", COURSE, MODULE, "--oleh", "pelatih-uji")
    audit = instant.query("SELECT actor FROM audit_entry WHERE entity = 'feedback_setting'")
    assert ("pelatih-uji",) in audit
    stamp = instant.submit(nip, "right")
    instant.wait_feedback(nip, stamp)


def test_sigkill_mid_queue_then_restart_grades_every_submission_exactly_once(instant: Instant):
    slow = "import time\ntime.sleep(2)"
    stamps = [instant.submit(nip, "right", extra_code=slow) for nip in instant.learners[:6]]
    deadline = time.monotonic() + 120
    while not any(instant.jobs()[s][0] == "selesai" for s in stamps):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    instant.service.kill()
    states = [instant.jobs()[s][0] for s in stamps]
    assert "sedang dinilai" in states and "menunggu" in states, states  # killed mid-queue
    instant.service.start()
    for nip, stamp in zip(instant.learners[:6], stamps, strict=True):
        instant.wait_feedback(nip, stamp)
    jobs = instant.jobs()
    assert all(jobs[s][0] == "selesai" for s in stamps), jobs
    assert any(jobs[s][1] == 2 for s in stamps)  # a job held at the kill was graded again
    # Exactly once: one feedback page per submission, one evidence row per learner and cell.
    pages = instant.query(
        "SELECT s.timestamp, count(*) FROM exchange_feedback f JOIN exchange_submission s ON s.id = f.submission_id "
        "WHERE f.released_by = 'umpan-balik-instan' GROUP BY s.timestamp"
    )
    assert all(dict(pages)[s] == 1 for s in stamps), pages
    duplicates = instant.query(
        "SELECT employee_id, course_id, assignment, notebook, cell, count(*) FROM evidence "
        "GROUP BY employee_id, course_id, assignment, notebook, cell HAVING count(*) > 1"
    )
    assert duplicates == []


def _registry_state(instant: Instant) -> tuple[list[tuple], ...]:
    evidence = instant.query(
        "SELECT e.nip, v.competency_code, v.notebook, v.cell, v.score, v.max_score, v.needs_manual_grade, "
        "v.submitted_at FROM evidence v JOIN employee e ON e.id = v.employee_id WHERE v.course_id = :c",
        c=COURSE,
    )
    levels = instant.query(
        "SELECT e.nip, l.competency_code, l.level FROM competency_level l JOIN employee e ON e.id = l.employee_id"
    )
    matches = instant.query("SELECT * FROM position_match")
    return sorted(evidence), sorted(levels), sorted(map(str, matches))


def test_a_trainers_batch_run_and_manual_grade_supersede_cleanly(instant: Instant):
    """`merit grade` after the service finds nothing to change; regrading everything ends in
    the same registry state; a manual grade then changes only its own evidence."""
    instant.service.stop()  # nothing waits; the trainer's run owns the course directory now
    before = _registry_state(instant)
    env = {**instant.hub.env, "COLUMNS": "200", "JUPYTERHUB_API_TOKEN": instant.trainer_token}
    env["MERIT_EXCHANGE_URL"] = instant.hub.exchange_url
    out = merit(env, "grade", COURSE, MODULE, "--kumpulkan", "--oleh", "pelatih-uji")
    assert "Dinilai: 0 " in out and "bukti 0 baru, 0 diperbarui" in out, out
    assert _registry_state(instant) == before
    out = merit(env, "grade", COURSE, MODULE, "--ulang", "--oleh", "pelatih-uji")
    assert "bukti 0 baru, 0 diperbarui" in out, out
    assert _registry_state(instant) == before
    # A manual grade (as formgrader writes it), then the trainer's sync: one row changes.
    nip = instant.learners[0]
    with Gradebook(f"sqlite:///{instant.settings.workspace_dir / COURSE / 'gradebook.db'}", COURSE) as gradebook:
        grade = gradebook.find_grade("rubrik_kesepakatan", NOTEBOOK, MODULE, nip)
        grade.manual_score = 3
        gradebook.db.commit()
    out = merit(env, "grade", COURSE, MODULE, "--oleh", "pelatih-uji")
    assert "bukti 0 baru, 1 diperbarui" in out, out
    after = _registry_state(instant)
    changed = sorted(set(after[0]) ^ set(before[0]))
    assert [row[3] for row in changed] == ["rubrik_kesepakatan", "rubrik_kesepakatan"], changed
