"""The demo's four accounts for ``merit serve``, one per role, all with the same known password.

They exist so that someone trying Merit can open every page at once; a real deployment
creates accounts with ``merit akun buat`` and starts ``merit serve --tanpa-akun-demo``.
The learner account belongs to the demo learner with the most graded evidence, so the
portal has something to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from merit.access import Role
from merit.access.accounts import create_account
from merit.content import Content
from merit.registry import models
from merit.registry.database import Registry

DEMO_PASSWORD = "merit-demo-2026"
ACTOR = "merit serve"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    roles: str
    what: str


def demo_accounts(registry: Registry, content: Content) -> list[DemoAccount]:
    """Create the demo accounts that are missing; returns all four (or three without a roster)."""
    with registry.session(ACTOR, "akun demo untuk merit serve") as session:
        existing = set(session.scalars(select(models.Account.username)))
        ev = models.Evidence
        learner = session.execute(
            select(models.Employee.id, models.Employee.nip)
            .join(ev, ev.employee_id == models.Employee.id)
            .group_by(models.Employee.id, models.Employee.nip)
            .order_by(func.sum(ev.score).desc(), models.Employee.nip)
            .limit(1)
        ).first()
        wanted = []
        if learner is not None:
            owner = session.scalars(
                select(models.Account.username).where(models.Account.employee_id == learner.id)
            ).first()
            wanted.append(("peserta", [Role("peserta")], "portal peserta", learner.nip if owner is None else None))
        trainers = [Role("widyaiswara", course) for course in sorted(content.courses)]
        wanted += [
            ("widyaiswara", trainers, "halaman widyaiswara (semua kursus)", None),
            ("kepegawaian", [Role("kepegawaian", "*")], "halaman kepegawaian (semua unit)", None),
            ("admin", [Role("admin")], "semua halaman", None),
        ]
        accounts = []
        for username, roles, what, nip in wanted:
            if username not in existing:
                name = {"peserta": None, "widyaiswara": "Widyaiswara Demo", "kepegawaian": "Petugas BKPSDM Demo"}.get(
                    username, "Admin Demo"
                )
                create_account(session, DEMO_PASSWORD, roles, nip=nip, username=username, name=name)
            accounts.append(DemoAccount(username, ", ".join(str(r) for r in roles), what))
    return accounts
