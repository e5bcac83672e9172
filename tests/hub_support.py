"""A real JupyterHub for the test session: `merit hub mulai` with its proxy and services.

Started once (session fixture ``hub``) on free loopback ports, on a data directory with a
synthetic roster, one built course and a class list synchronised by `merit hub sinkron`,
which creates the class lists' Unix users: each learner's server and each formgrader runs as
its own user, from an environment those users can start (tests/unix_support.py). The users
and their homes are removed when the hub stops (and left-overs of a crashed run before use).
Tokens for hub users come from the hub's REST API through a test-only service added with ``MERIT_HUB_EXTRA_CONFIG``.
"""

from __future__ import annotations

import csv
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from merit.demo.roster import synthetic_roster
from merit.exchange.client import NBGRADER_CONFIG
from merit.hub.plan import grader_account
from tests.unix_support import remove_accounts, require_root, shared_environment

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COURSE, OTHER_COURSE = "etika-integritas", "literasi-digital"
MODULE = "m01-kode-etik"
HR_ACCOUNT = "bkpsdm-uji"
# What a learner's server token holds: merit.hub.plan.SERVER_TOKEN_SCOPES as narrowed to
# the learner's own permissions (a token made through the API may not ask for more).
LEARNER_SERVER_SCOPES = [
    "users:activity!user",
    "read:users:name!user",
    "read:users:groups!user",
    "list:services",
    "read:services",
    "access:services!service=merit-exchange",
]
ADMIN_TOKEN = "pytest-" + os.urandom(16).hex()
EXTRA_CONFIG = f"""
c = get_config()  # noqa: F821
c.JupyterHub.services.append({{"name": "pytest", "api_token": {ADMIN_TOKEN!r}}})
c.Spawner.http_timeout = 180  # a shared, loaded test machine
c.Spawner.start_timeout = 180
c.JupyterHub.load_roles.append(
    {{"name": "pytest", "services": ["pytest"],
      "scopes": ["admin:users", "admin:servers", "tokens", "admin:groups", "list:services", "read:services"]}}
)
"""


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def merit(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(BIN / "merit"), *args], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@dataclass
class Hub:
    """The running hub: its URLs, environment, and the people of the test classes."""

    env: dict[str, str]
    data: Path
    url: str
    api: str
    exchange_url: str
    learner_a: str
    learner_b: str
    trainer: str
    other_trainer: str
    outsider: str  # a learner of the other course only
    hr: str = HR_ACCOUNT  # a Merit account with the HR role of all units, in no course
    accounts: set[str] = field(default_factory=set)  # Unix users made for the class lists, removed at the end

    @property
    def classes(self) -> list[tuple[str, str, str]]:
        return [
            (self.learner_a, COURSE, "peserta"),
            (self.learner_b, COURSE, "peserta"),
            (self.trainer, COURSE, "pengajar"),
            (self.other_trainer, OTHER_COURSE, "pengajar"),
            (self.outsider, OTHER_COURSE, "peserta"),
        ]

    def admin(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(
            method, self.api + path, headers={"Authorization": f"token {ADMIN_TOKEN}"}, timeout=30, **kwargs
        )

    def token(self, name: str, scopes: list[str] | None = None) -> str:
        """A token for hub user ``name`` with the scopes a learner's server token holds."""
        wanted = scopes if scopes is not None else LEARNER_SERVER_SCOPES
        response = self.admin("POST", f"/users/{name}/tokens", json={"scopes": wanted, "expires_in": 3600})
        assert response.status_code == 201, response.text
        return response.json()["token"]

    def home(self, name: str) -> Path:
        """The home folder of hub user ``name``'s Unix account, where their server runs."""
        return Path(pwd.getpwnam(name).pw_dir)

    def write_classes(self, rows: list[tuple[str, str, str]]) -> None:
        """Enrol exactly ``rows``; `merit hub sinkron` creates the Unix users, each with a fresh
        home: one left by a crashed run is removed first."""
        # Merit's accounts (HR) sign in at the hub too: sinkron gives them Unix users as well.
        new = {nip for nip, _, _ in rows} | {grader_account(course) for _, course, _ in rows} | {self.hr}
        remove_accounts(new - self.accounts)
        self.accounts |= new
        path = self.data / "kelas.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["nip", "kursus", "peran"])
            writer.writerows(rows)
        merit(self.env, "kelas", "import", str(path), "--oleh", "pytest")
        merit(self.env, "hub", "sinkron")


def wait_for_start(process: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    """Until the hub says it runs: every managed service is up by then, and SIGTERM is handled."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the hub stopped:\n{log.read_text()[-4000:]}"
        if "JupyterHub is now running" in log.read_text():
            return
        time.sleep(0.3)
    raise AssertionError(f"the hub did not start in {seconds} s:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop the hub as an administrator would (SIGTERM: it stops its services and proxy first)."""
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def running_hub() -> Iterator[Hub]:
    """`merit hub mulai` on a fresh data directory, stopped and removed on leaving (the benchmarks use it too)."""
    require_root("The test hub")
    data = Path(tempfile.mkdtemp(prefix="merit-hub-"))
    environment = Path(tempfile.mkdtemp(prefix="merit-hub-env-"))
    port, hub_port, proxy_api, exchange, formgrader = free_ports(5)
    env = {
        **os.environ,
        "MERIT_ROOT": str(ROOT),
        "MERIT_DATA_DIR": str(data),
        "MERIT_HUB_PORT": str(port),
        "MERIT_HUB_HUB_PORT": str(hub_port),
        "MERIT_HUB_PROXY_API_PORT": str(proxy_api),
        "MERIT_HUB_EXCHANGE_PORT": str(exchange),
        "MERIT_HUB_FORMGRADER_PORT": str(formgrader),
        "MERIT_HUB_AUTHENTICATOR": "dummy",
        "MERIT_HUB_DUMMY_PASSWORD": "kata-sandi-uji",
        "MERIT_HUB_EXCHANGE_LIMIT_MB": "1",
        # Learners' servers and formgraders as their own Unix users, from a Python they can start.
        "MERIT_HUB_UNIX_USERS": "true",
        "MERIT_HUB_SERVER_BIN": str(shared_environment(environment)),
        "MERIT_HUB_EXTRA_CONFIG": str(data / "pytest_hub_config.py"),
        # The instant-feedback service is started by tests/test_feedback.py itself (to kill it).
        "MERIT_HUB_UMPAN_BALIK": "false",
    }
    env.pop("MERIT_DATABASE_URL", None)
    (data / "pytest_hub_config.py").write_text(EXTRA_CONFIG)
    people = synthetic_roster(5)
    roster = data / "roster.csv"
    with roster.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["nip", "nama", "unit_kerja", "jabatan", "golongan", "email"])
        writer.writerows([p.nip, p.name, p.unit, p.position_code, p.golongan, p.email] for p in people)
    a, b, trainer, other_trainer, outsider = (p.nip for p in people)
    hub = Hub(
        env,
        data,
        f"http://127.0.0.1:{port}",
        f"http://127.0.0.1:{hub_port}/hub/api",
        f"http://127.0.0.1:{exchange}/services/merit-exchange/",
        a,
        b,
        trainer,
        other_trainer,
        outsider,
    )
    log = data / "hub.log"
    process = None
    try:
        merit(env, "roster", "import", str(roster), "--oleh", "pytest")
        merit(
            env,
            "akun",
            "buat",
            "--nama-pengguna",
            HR_ACCOUNT,
            "--nama",
            "Petugas BKPSDM Uji",
            "--peran",
            "kepegawaian:*",
            "--oleh",
            "pytest",
        )
        merit(env, "course", "build", COURSE)
        hub.write_classes(hub.classes)
        with log.open("w") as output:
            process = subprocess.Popen(
                [str(BIN / "merit"), "hub", "mulai"],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_start(process, log)
        yield hub
    finally:
        if process is not None:
            stop(process)
            shutil.copy(log, Path(tempfile.gettempdir()) / "merit-hub-last.log")  # for a failure's post-mortem
        shutil.rmtree(data)
        shutil.rmtree(environment)
        remove_accounts(hub.accounts)  # after the hub: it stopped their servers


@pytest.fixture(scope="session")
def hub() -> Iterator[Hub]:
    with running_hub() as started:
        yield started


TIMEOUT_MS = 180_000  # Playwright's waits on a shared, loaded test machine


def log_in(chromium: Any, hub: Hub, name: str, next_path: str) -> Any:
    """A new browser context (own cookies) logged in to the hub as ``name``; its page."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login?next={next_path}")
    page.fill("#username_input", name)
    page.fill("#password_input", hub.env["MERIT_HUB_DUMMY_PASSWORD"])
    page.click("#login_submit")
    return page


FLAGS = [f"--{key}={value}" for key, value in NBGRADER_CONFIG.items()] + ["--Exchange.path_includes_course=True"]


def nbgrader(hub: Hub, token: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """A real nbgrader command as it runs in a learner's or trainer's server."""
    cwd.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "JUPYTERHUB_API_TOKEN": token, "MERIT_EXCHANGE_URL": hub.exchange_url}
    return subprocess.run(
        [str(BIN / "nbgrader"), *args, *FLAGS], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def refused(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode != 0, result.stdout + result.stderr
    assert message in result.stdout + result.stderr


def api(hub: Hub, token: str, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(
        method,
        hub.exchange_url + "api/kursus" + path,
        headers={"Authorization": f"token {token}"},
        timeout=30,
        **kwargs,
    )
