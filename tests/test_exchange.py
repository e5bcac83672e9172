"""Merit's private exchange behind a real JupyterHub, driven by real nbgrader commands.

The trainer releases a real module of etika-integritas; learner A fetches and submits it
twice; the trainer collects and returns feedback; A fetches it. Learner B, a learner of
another course and that course's trainer try to list, fetch, read or collect what is not
theirs, through nbgrader and through the exchange's API, and are refused each time.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import tarfile
import time

import nbformat
import pytest
import requests

from merit.exchange.archive import RejectedUpload, pack, read_members, unpack
from tests.hub_support import BIN, COURSE, MODULE, Hub, api, merit, nbgrader, ok, refused

NOTEBOOK = "kode_etik.ipynb"


@pytest.fixture(scope="module")
def flow(hub: Hub, tmp_path_factory):
    """Release, fetch, two submissions by A, one by B: the state every test below reads."""
    homes = tmp_path_factory.mktemp("homes")
    tokens = {
        name: hub.token(name) for name in (hub.learner_a, hub.learner_b, hub.trainer, hub.other_trainer, hub.outsider)
    }
    course_dir = hub.data / "nbgrader" / COURSE
    ok(nbgrader(hub, tokens[hub.trainer], course_dir, "release_assignment", MODULE, "--course", COURSE))
    for learner in (hub.learner_a, hub.learner_b):
        ok(nbgrader(hub, tokens[learner], homes / learner, "fetch_assignment", MODULE, "--course", COURSE))
    mine = homes / hub.learner_a / COURSE / MODULE / NOTEBOOK
    stamps = []
    for attempt in ("jawaban pertama", "jawaban kedua"):
        notebook = nbformat.read(mine, as_version=4)
        notebook.cells.append(nbformat.v4.new_markdown_cell(attempt))
        nbformat.write(notebook, mine)
        out = ok(nbgrader(hub, tokens[hub.learner_a], homes / hub.learner_a, "submit", MODULE, "--course", COURSE))
        stamps.append(out.split("Submitted as:")[1].split(MODULE)[1].strip().splitlines()[0])
    ok(nbgrader(hub, tokens[hub.learner_b], homes / hub.learner_b, "submit", MODULE, "--course", COURSE))
    return homes, tokens, course_dir, stamps


def test_learner_fetches_the_released_module_and_every_submission_is_kept(hub, flow):
    homes, tokens, _, stamps = flow
    fetched = homes / hub.learner_a / COURSE / MODULE
    released = hub.data / "nbgrader" / COURSE / "release" / MODULE
    assert sorted(p.name for p in fetched.iterdir()) == sorted(p.name for p in released.iterdir())
    listed = json.loads(api(hub, tokens[hub.learner_a], "GET", f"/{COURSE}/kiriman").text)
    assert [s["timestamp"] for s in listed] == stamps and stamps[0] != stamps[1]
    assert {s["student_id"] for s in listed} == {hub.learner_a}
    first = api(hub, tokens[hub.learner_a], "GET", f"/{COURSE}/kiriman/{listed[0]['id']}")
    assert first.status_code == 200
    kept = read_members(first.content, 10**8)[NOTEBOOK].decode()
    assert "jawaban pertama" in kept and "jawaban kedua" not in kept
    out = ok(nbgrader(hub, tokens[hub.learner_a], homes / hub.learner_a, "list", "--cached"))
    assert out.count(f"{COURSE} {hub.learner_a} {MODULE}") == 2


def test_store_is_private_to_the_service(hub, flow):
    store = hub.data / "exchange"
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    for path in store.rglob("*"):
        assert not path.stat().st_mode & (stat.S_IWOTH | stat.S_IROTH), path


def test_learner_b_cannot_list_fetch_or_read_a_submission_or_feedback(hub, flow):
    homes, tokens, _, _ = flow
    b = tokens[hub.learner_b]
    listed = api(hub, b, "GET", f"/{COURSE}/kiriman").json()
    assert {s["student_id"] for s in listed} == {hub.learner_b}
    a_submissions = api(hub, tokens[hub.learner_a], "GET", f"/{COURSE}/kiriman").json()
    for submission in a_submissions:
        response = api(hub, b, "GET", f"/{COURSE}/kiriman/{submission['id']}")
        assert response.status_code == 403 and response.json()["pesan"] == "Kiriman ini bukan milik Anda."
        response = api(hub, b, "GET", f"/{COURSE}/kiriman/{submission['id']}/umpan-balik/kode_etik")
        assert response.status_code == 403
    # nbgrader's own commands, as the Assignments tab runs them, show B only B's work.
    out = ok(nbgrader(hub, b, homes / hub.learner_b, "list", "--cached"))
    assert hub.learner_b in out and hub.learner_a not in out
    inbound = nbgrader(hub, b, homes / hub.learner_b, "list", "--inbound", "--course", COURSE)
    refused(inbound, f"Hanya pengajar kursus {COURSE}")
    response = api(hub, b, "GET", f"/{COURSE}/kiriman", params={"semua": "1"})
    assert response.status_code == 403
    # Asking for A's student id changes nothing: the service answers with B's own work only.
    out = ok(nbgrader(hub, b, homes / hub.learner_b, "list", "--cached", "--student", hub.learner_a))
    assert f"{COURSE} {hub.learner_a} {MODULE}" not in out
    # The hub API does not hand B's token A's data either.
    response = requests.get(f"{hub.api}/users/{hub.learner_a}", headers={"Authorization": f"token {b}"}, timeout=30)
    assert response.status_code in (403, 404)


def test_outsiders_are_refused(hub, flow, tmp_path):
    _, tokens, course_dir, _ = flow
    refused(
        nbgrader(hub, tokens[hub.outsider], tmp_path / "c", "fetch_assignment", MODULE, "--course", COURSE),
        f"Anda tidak terdaftar pada kursus {COURSE}.",
    )
    assert not (tmp_path / "c" / COURSE).exists()
    refused(
        nbgrader(hub, tokens[hub.other_trainer], tmp_path / "u", "collect", MODULE, "--course", COURSE),
        f"Hanya pengajar kursus {COURSE} yang boleh melakukan ini.",
    )
    refused(
        nbgrader(hub, tokens[hub.learner_a], course_dir, "release_assignment", MODULE, "--course", COURSE, "--force"),
        f"Hanya pengajar kursus {COURSE}",
    )
    assert api(hub, "bukan-token", "GET", "").status_code == 403
    # A token of a real learner without the exchange scope is refused too.
    narrow = hub.token(hub.learner_a, scopes=["read:users:name!user"])
    response = api(hub, narrow, "GET", f"/{COURSE}/tugas")
    assert response.status_code == 403 and "Token hub" in response.json()["pesan"]


def test_merit_grade_collects_through_the_exchange_before_grading(hub, flow):
    """``merit grade --kumpulkan`` as a trainer runs it in their server on the hub: nbgrader's
    collect with Merit's exchange (the trainer's token), then grading what it collected."""
    _, tokens, course_dir, stamps = flow
    env = {**hub.env, "JUPYTERHUB_API_TOKEN": tokens[hub.trainer], "MERIT_EXCHANGE_URL": hub.exchange_url}
    env["COLUMNS"] = "200"
    out = merit(env, "grade", COURSE, MODULE, "--kumpulkan", "--tanpa-registri", "--oleh", "pelatih-uji")
    assert "Dikumpulkan dari exchange: " in out and "Dikumpulkan dari exchange: 0" not in out, out
    collected = course_dir / "submitted" / hub.learner_a / MODULE
    assert (collected / "timestamp.txt").read_text() == stamps[-1]
    assert (course_dir / "autograded" / hub.learner_a / MODULE / NOTEBOOK).is_file()
    # A learner's token collects nothing: the exchange refuses, in Indonesian.
    learner = {**env, "JUPYTERHUB_API_TOKEN": tokens[hub.learner_b]}
    result = subprocess.run(
        [str(BIN / "merit"), "grade", COURSE, MODULE, "--kumpulkan", "--tanpa-registri", "--oleh", "x"],
        env=learner, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode != 0 and "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert "Hanya pengajar kursus etika-integritas yang boleh melakukan ini." in result.stdout + result.stderr


def test_trainer_collects_newest_and_feedback_reaches_only_its_learner(hub, flow):
    homes, tokens, course_dir, stamps = flow
    ok(nbgrader(hub, tokens[hub.trainer], course_dir, "collect", MODULE, "--course", COURSE))
    collected = course_dir / "submitted" / hub.learner_a / MODULE
    assert (collected / "timestamp.txt").read_text() == stamps[-1]
    assert "jawaban kedua" in (collected / NOTEBOOK).read_text()
    assert (course_dir / "submitted" / hub.learner_b / MODULE / NOTEBOOK).exists()
    # Feedback as `nbgrader generate_feedback` leaves it: HTML and the submission's timestamp.
    feedback = course_dir / "feedback" / hub.learner_a / MODULE
    feedback.mkdir(parents=True)
    (feedback / "kode_etik.html").write_text("<p>Umpan balik untuk A</p>")
    (feedback / "timestamp.txt").write_text(stamps[-1])
    ok(nbgrader(hub, tokens[hub.trainer], course_dir, "release_feedback", MODULE, "--course", COURSE))
    ok(nbgrader(hub, tokens[hub.learner_a], homes / hub.learner_a, "fetch_feedback", MODULE, "--course", COURSE))
    fetched = homes / hub.learner_a / COURSE / MODULE / "feedback" / stamps[-1] / "kode_etik.html"
    assert fetched.read_text() == "<p>Umpan balik untuk A</p>"
    ok(nbgrader(hub, tokens[hub.learner_b], homes / hub.learner_b, "fetch_feedback", MODULE, "--course", COURSE))
    assert not (homes / hub.learner_b / COURSE / MODULE / "feedback").exists()
    newest = api(hub, tokens[hub.learner_a], "GET", f"/{COURSE}/kiriman").json()[-1]
    response = api(hub, tokens[hub.learner_b], "GET", f"/{COURSE}/kiriman/{newest['id']}/umpan-balik/kode_etik")
    assert response.status_code == 403
    out = ok(nbgrader(hub, tokens[hub.learner_a], homes / hub.learner_a, "list", "--cached"))
    assert out.count(f"{COURSE} {hub.learner_a} {MODULE}") == 2


def test_too_large_or_broken_submissions_are_refused_in_indonesian(hub, flow):
    homes, tokens, _, _ = flow
    mine = homes / hub.learner_a / COURSE / MODULE
    before = len(api(hub, tokens[hub.learner_a], "GET", f"/{COURSE}/kiriman").json())
    (mine / "besar.bin").write_bytes(os.urandom(2 * 1024 * 1024))
    result = nbgrader(hub, tokens[hub.learner_a], homes / hub.learner_a, "submit", MODULE, "--course", COURSE)
    refused(result, "Kiriman terlalu besar")
    (mine / "besar.bin").unlink()
    good = (mine / NOTEBOOK).read_text()
    (mine / NOTEBOOK).write_text(good[: len(good) // 2])
    result = nbgrader(hub, tokens[hub.learner_a], homes / hub.learner_a, "submit", MODULE, "--course", COURSE)
    refused(result, f"Berkas {NOTEBOOK} bukan notebook Jupyter yang sah")
    (mine / NOTEBOOK).rename(mine / "lain.ipynb")
    result = nbgrader(
        hub, tokens[hub.learner_a], homes / hub.learner_a, "submit", MODULE, "--course", COURSE, "--strict"
    )
    refused(result, f"Tugas {MODULE} tidak dikirim: notebook {NOTEBOOK} tidak ada.")
    (mine / "lain.ipynb").rename(mine / NOTEBOOK)
    (mine / NOTEBOOK).write_text(good)
    assert len(api(hub, tokens[hub.learner_a], "GET", f"/{COURSE}/kiriman").json()) == before


def test_assignments_tab_of_a_learners_server_lists_through_the_exchange(hub, flow):
    """nbgrader's Assignments tab calls its server extension, which builds its exchange from
    the nbgrader configuration Merit writes for every server: A's real server answers it."""
    homes, tokens, _, stamps = flow
    a = hub.learner_a
    assert hub.admin("POST", f"/users/{a}/server").status_code in (201, 202)
    deadline = time.monotonic() + 240
    while not hub.admin("GET", f"/users/{a}").json()["servers"].get("", {}).get("ready"):
        assert time.monotonic() < deadline, "A's server did not start"
        time.sleep(1)
    token = hub.token(a, scopes=["access:servers!user"])
    try:
        response = requests.get(
            f"{hub.url}/user/{a}/assignments",
            params={"course_id": COURSE},
            headers={"Authorization": f"token {token}"},
            timeout=120,
        )
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["success"], answer
        released = [x for x in answer["value"] if x.get("status") == "released"]
        assert [x["assignment_id"] for x in released] == [MODULE]
        submitted = [x for x in answer["value"] if x.get("status") == "submitted"]
        assert [(x["student_id"], [s["timestamp"] for s in x["submissions"]]) for x in submitted] == [(a, stamps)]
    finally:
        hub.admin("DELETE", f"/users/{a}/server")


def test_formgrader_of_a_course_opens_for_its_trainers_only(hub, flow):
    status = f"{hub.url}/services/{COURSE}/api/status"
    scope = [f"access:services!service={COURSE}"]
    trainer = hub.token(hub.trainer, scopes=scope)
    response = requests.get(status, headers={"Authorization": f"token {trainer}"}, timeout=60)
    assert response.status_code == 200, response.text
    # Another course's trainer does not hold the scope; a token of theirs cannot reach it.
    response = hub.admin("POST", f"/users/{hub.other_trainer}/tokens", json={"scopes": scope})
    assert response.status_code == 400 and "not held" in response.text
    other = hub.token(hub.other_trainer, scopes=[])
    response = requests.get(status, headers={"Authorization": f"token {other}"}, timeout=60, allow_redirects=False)
    assert response.status_code in (302, 403)


def test_one_command_brings_groups_gradebook_and_exchange_in_step_with_enrolment(hub, flow):
    """`merit kelas import` without B, then `merit hub sinkron`: B leaves the hub group and the
    exchange refuses B at once; B's submission stays stored."""
    from nbgrader.api import Gradebook

    course_dir = hub.data / "nbgrader" / COURSE
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", COURSE) as gradebook:
        students = {s.id: s.first_name for s in gradebook.students}
    assert {hub.learner_a, hub.learner_b} <= set(students) and all(students[s] for s in students)
    _, tokens, _, _ = flow
    try:
        hub.write_classes([row for row in hub.classes if row[0] != hub.learner_b])
        members = hub.admin("GET", f"/groups/nbgrader-{COURSE}").json()["users"]
        assert hub.learner_b not in members and hub.learner_a in members
        response = api(hub, tokens[hub.learner_b], "GET", f"/{COURSE}/tugas")
        assert response.status_code == 403
    finally:
        hub.write_classes(hub.classes)
    assert hub.learner_b in hub.admin("GET", f"/groups/nbgrader-{COURSE}").json()["users"]
    assert len(api(hub, tokens[hub.learner_b], "GET", f"/{COURSE}/kiriman").json()) == 1


@pytest.mark.parametrize("kind", ["keluar", "tautan"])
def test_unpacking_writes_plain_files_inside_the_folder_only(tmp_path, kind):
    """What a learner's server receives is unpacked member by member (Debian 12's Python has no
    tarfile filters): a name escaping the folder, or a link, is refused and nothing is written."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.addfile(tarfile.TarInfo("tugas/catatan.txt"), io.BytesIO(b""))
        bad = tarfile.TarInfo("../luar.txt" if kind == "keluar" else "tugas/rumah")
        if kind == "tautan":
            bad.type, bad.linkname = tarfile.SYMTYPE, "/etc"
        archive.addfile(bad, io.BytesIO(b""))
    target = tmp_path / "dalam"
    with pytest.raises(RejectedUpload, match=f"Berkas '{bad.name}' dalam kiriman tidak diizinkan"):
        unpack(buffer.getvalue(), target)
    assert not (tmp_path / "luar.txt").exists() and not (target / "tugas" / "rumah").exists()
    unpack(pack(target), tmp_path / "lagi")  # what pack makes comes back
    assert (tmp_path / "lagi" / "tugas" / "catatan.txt").read_bytes() == b""
