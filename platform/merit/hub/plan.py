"""nbgrader's multi-course setup on JupyterHub, planned from the registry's enrolment.

nbgrader documents the setup (``demos/demo_multiple_classes``): learners of a course are
in group ``nbgrader-COURSE``, trainers in ``formgrade-COURSE``, the formgrader of each
course is a hub service named after the course, and ``JupyterHubAuthPlugin`` reads the
groups. Here it is derived, never hand-written: the same class lists also drive nbgrader's
student tables and the Unix accounts (:mod:`merit.hub.sync`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from merit.course_roles import LEARNER, TRAINER

EXCHANGE_SERVICE = "merit-exchange"
PAGES_SERVICE = "merit-halaman"
# A service without a process whose token lets `merit hub sinkron` manage groups and users.
SYNC_SERVICE = "merit-sinkron"
FEEDBACK_SERVICE = "merit-umpan-balik"  # the standing grading service (merit.feedback)

# What a learner's server token may do: nbgrader's Assignments tab and course list read the
# user's groups and the services; the exchange and each formgrader are reached with it.
SERVER_TOKEN_SCOPES = [
    "users:activity!user",
    "access:servers!server",
    "read:users:name!user",
    "read:users:groups!user",
    "list:services",
    "read:services",
    "access:services",
]


LEARNERS_GROUP_PREFIX = "nbgrader-"


def learners_group(course: str) -> str:
    return f"{LEARNERS_GROUP_PREFIX}{course}"


def trainers_group(course: str) -> str:
    return f"formgrade-{course}"


def grader_account(course: str) -> str:
    """The Unix account a course's formgrader runs as (it owns the course directory)."""
    return f"grader-{course}"


@dataclass(frozen=True)
class HubPlan:
    """Who is in which course, as the hub needs it: course -> role -> hub user names (NIPs);
    and the active accounts of Merit's pages (HR, trainers, admins), who sign in at the hub too."""

    class_lists: dict[str, dict[str, list[str]]]
    accounts: tuple[str, ...] = ()

    @property
    def courses(self) -> list[str]:
        return sorted(self.class_lists)

    def course_users(self) -> set[str]:
        return {name for roles in self.class_lists.values() for names in roles.values() for name in names}

    def users(self) -> list[str]:
        return sorted(self.course_users() | set(self.accounts))

    def groups(self) -> dict[str, list[str]]:
        """Group -> members. Trainers are in the learners' group too, as in nbgrader's demo,
        so that they see the course's assignments as their learners do."""
        groups: dict[str, list[str]] = {}
        for course, roles in sorted(self.class_lists.items()):
            trainers = sorted(roles.get(TRAINER, []))
            groups[learners_group(course)] = sorted(set(roles.get(LEARNER, [])) | set(trainers))
            groups[trainers_group(course)] = trainers
        return groups

    def roles(self, pages: bool) -> list[dict[str, Any]]:
        """The hub roles: every user may use the exchange (it checks enrolment itself) and
        the pages; a course's trainers may open its formgrader."""
        everyone = ["self", f"access:services!service={EXCHANGE_SERVICE}", "list:services", "read:services"]
        if pages:
            everyone.append(f"access:services!service={PAGES_SERVICE}")
        roles: list[dict[str, Any]] = [{"name": "user", "scopes": everyone}]
        for course in self.courses:
            roles.append(
                {
                    "name": trainers_group(course),
                    "groups": [trainers_group(course)],
                    "scopes": [f"access:services!service={course}"],
                }
            )
            roles.append(
                {
                    "name": f"formgrader-{course}",
                    "services": [course],
                    # JupyterHubAuthPlugin in the formgrader reads who is in the course.
                    "scopes": ["read:users:groups", "read:groups", "list:users"],
                }
            )
        roles.append(
            {
                "name": SYNC_SERVICE,
                "services": [SYNC_SERVICE],
                "scopes": ["admin:users", "admin:groups", "list:services"],
            }
        )
        return roles
