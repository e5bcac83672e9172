"""``merit hub sinkron``: the hub, nbgrader's student tables and Unix accounts follow enrolment.

One command after every change of enrolment (``merit kelas import``): it creates missing
Unix accounts, gives each course's directory to its formgrader's account, registers the
course's learners in nbgrader's student table, and, when the hub is running, brings its
``nbgrader-*``/``formgrade-*`` groups to exactly the class lists (JupyterHub's
``load_groups`` only ever adds members, so removals go through the hub's REST API).
A course that is new since the hub started needs a restart for its formgrader service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from merit.course_roles import LEARNER
from merit.hub.accounts import check_interpreter_shared, ensure_unix_user, give_to
from merit.hub.config import read_plan, sync_token
from merit.hub.options import HubOptions
from merit.hub.plan import HubPlan, grader_account
from merit.settings import Settings

GROUP_PREFIXES = ("nbgrader-", "formgrade-")


@dataclass
class SyncReport:
    accounts_created: list[str] = field(default_factory=list)
    students_registered: int = 0
    hub_running: bool = False
    members_added: int = 0
    members_removed: int = 0
    courses_needing_restart: list[str] = field(default_factory=list)


def register_students(settings: Settings, plan: HubPlan) -> int:
    """Add every learner of each course to its nbgrader gradebook, with their name."""
    from nbgrader.api import Gradebook
    from sqlalchemy import select

    from merit.grading.coursedir import nbgrader_tools_on_path
    from merit.registry.database import Registry
    from merit.registry.models import Employee

    nbgrader_tools_on_path()
    registry = Registry.open(str(settings.database_url))
    with registry.session() as session:
        names = dict(session.execute(select(Employee.nip, Employee.name).where(Employee.nip.in_(plan.users()))).all())
    registry.close()
    count = 0
    for course in plan.courses:
        folder = settings.workspace_dir / course
        folder.mkdir(parents=True, exist_ok=True)
        with Gradebook(f"sqlite:///{folder / 'gradebook.db'}", course) as gradebook:
            for nip in plan.class_lists[course].get(LEARNER, []):
                gradebook.update_or_create_student(nip, first_name=names.get(nip, ""), last_name="")
                count += 1
    return count


class HubApi:
    """The running hub's REST API, with the ``merit-sinkron`` service's token."""

    def __init__(self, settings: Settings, options: HubOptions):
        self.base = f"http://{options.ip}:{options.hub_port}/hub/api"
        self.headers = {"Authorization": f"token {sync_token(settings, options)}"}

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = requests.request(method, self.base + path, headers=self.headers, timeout=30, **kwargs)
        response.raise_for_status()
        return response

    def running(self) -> bool:
        try:
            return requests.get(self.base + "/", headers=self.headers, timeout=5).ok
        except requests.ConnectionError:
            return False


def update_hub(api: HubApi, plan: HubPlan, report: SyncReport) -> None:
    existing_users = {u["name"] for u in api.call("GET", "/users").json()}
    missing = sorted(set(plan.users()) - existing_users)
    if missing:
        api.call("POST", "/users", json={"usernames": missing})
    wanted = plan.groups()
    current = {
        g["name"]: set(g["users"]) for g in api.call("GET", "/groups").json() if g["name"].startswith(GROUP_PREFIXES)
    }
    for name in sorted(set(wanted) | set(current)):
        members, held = set(wanted.get(name, [])), current.get(name)
        if held is None:
            api.call("POST", f"/groups/{name}")
            held = set()
        if members - held:
            api.call("POST", f"/groups/{name}/users", json={"users": sorted(members - held)})
            report.members_added += len(members - held)
        if held - members:
            api.call("DELETE", f"/groups/{name}/users", json={"users": sorted(held - members)})
            report.members_removed += len(held - members)
    services = set(api.call("GET", "/services").json())
    report.courses_needing_restart = [c for c in plan.courses if c not in services]


def synchronise(settings: Settings, options: HubOptions) -> SyncReport:
    """Bring accounts, gradebooks and (when running) the hub in step with enrolment."""
    plan = read_plan(settings)
    report = SyncReport()
    if options.unix_users:
        check_interpreter_shared(options.server_python)
        for name in [*plan.users(), *(grader_account(c) for c in plan.courses)]:
            if ensure_unix_user(name):
                report.accounts_created.append(name)
    report.students_registered = register_students(settings, plan)
    if options.unix_users:
        for course in plan.courses:
            give_to(settings.workspace_dir / course, grader_account(course))
    api = HubApi(settings, options)
    report.hub_running = api.running()
    if report.hub_running:
        update_hub(api, plan, report)
    return report
