"""``merit hub mulai --demo``: the hub on one machine after ``make demo``, to try it out.

Not for a real site: everyone signs in with one known password (JupyterHub's dummy
authenticator) and every server runs as the hub's own Unix user. It puts six people of the
demo roster in one course's class (five learners, one trainer) unless that course already has
a class, and creates the demo accounts of ``merit serve`` (HR, trainer, admin, a learner), who
reach Merit's pages through the hub.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from merit.content import load_content, register_content
from merit.course_roles import LEARNER, TRAINER
from merit.demo.accounts import DEMO_PASSWORD, DemoAccount, demo_accounts
from merit.errors import MeritError
from merit.people.enrolment import Enrolled, class_lists, register_enrolment
from merit.registry import models
from merit.registry.database import open_registry
from merit.registry.sync import employee_ids
from merit.settings import Settings

DEMO_COURSE = "etika-integritas"
LEARNERS = 5
ACTOR = "merit hub mulai --demo"
# What `merit hub mulai --demo` sets before the hub reads its options (merit.hub.options).
ENVIRONMENT = {
    "MERIT_HUB_AUTHENTICATOR": "dummy",
    "MERIT_HUB_DUMMY_PASSWORD": DEMO_PASSWORD,
    "MERIT_HUB_UNIX_USERS": "false",
}


@dataclass(frozen=True)
class DemoClass:
    course: str
    learners: list[str]
    trainers: list[str]
    accounts: list[DemoAccount]


def prepare_demo(settings: Settings) -> DemoClass:
    """The demo course's class (made once, from the demo roster) and the demo accounts."""
    content = load_content(settings)
    if DEMO_COURSE not in content.courses:
        raise MeritError(f"Kursus {DEMO_COURSE} tidak ada di courses/: hub demo memakainya.")
    registry = open_registry(settings)
    try:
        with registry.session(ACTOR, "hub demo: kelas contoh dari roster demo") as session:
            nips = list(session.scalars(select(models.Employee.nip).order_by(models.Employee.nip).limit(LEARNERS + 1)))
            if len(nips) <= LEARNERS:
                raise MeritError("Roster demo belum ada di registri: jalankan `make demo` dulu, lalu ulangi.")
            if DEMO_COURSE not in class_lists(session):
                register_content(session, content)
                entries = [Enrolled(nip, DEMO_COURSE, LEARNER) for nip in nips[:LEARNERS]]
                entries.append(Enrolled(nips[LEARNERS], DEMO_COURSE, TRAINER))
                register_enrolment(session, entries, employee_ids(session, nips))
            roles = class_lists(session)[DEMO_COURSE]
        accounts = demo_accounts(registry, content)
    finally:
        registry.close()
    return DemoClass(DEMO_COURSE, roles[LEARNER], roles[TRAINER], accounts)
