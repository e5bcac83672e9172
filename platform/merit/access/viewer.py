"""The viewer and their roles; every permission question a page asks is answered here."""

from __future__ import annotations

from dataclasses import dataclass

from merit.errors import MeritError
from merit.nip import format_nip, mask_nip

LEARNER, TRAINER, HR, ADMIN = "peserta", "widyaiswara", "kepegawaian", "admin"
ROLES = (LEARNER, TRAINER, HR, ADMIN)
ALL = "*"


class Refused(MeritError):
    """A request the viewer's roles do not allow; the message is shown to them as it is."""


@dataclass(frozen=True, order=True)
class Role:
    """``peserta``; ``widyaiswara`` of a course; ``kepegawaian`` of a unit or of all (``*``); ``admin``."""

    name: str
    scope: str = ""

    def __str__(self) -> str:
        return f"{self.name}:{self.scope}" if self.scope else self.name

    @classmethod
    def parse(cls, text: str) -> Role:
        """``peserta``, ``widyaiswara:KURSUS``, ``kepegawaian:UNIT`` / ``kepegawaian:*``, ``admin``."""
        name, _, scope = text.strip().partition(":")
        name, scope = name.strip(), scope.strip()
        if name not in ROLES:
            raise MeritError(f"Peran '{text}' tidak dikenal. Peran yang ada: {', '.join(ROLES)}.")
        if name in (TRAINER, HR) and not scope:
            what = "kode kursus" if name == TRAINER else "nama unit kerja atau *"
            raise MeritError(f"Peran {name} perlu cakupan: {name}:<{what}>.")
        if name in (LEARNER, ADMIN) and scope:
            raise MeritError(f"Peran {name} tidak memakai cakupan: tulis '{name}' saja.")
        return cls(name, scope)


@dataclass(frozen=True)
class Viewer:
    """Who is looking: an account, the roster entry it belongs to (if any), its roles."""

    username: str
    name: str
    roles: frozenset[Role]
    employee_id: int | None = None
    nip: str | None = None

    def __str__(self) -> str:
        return self.username

    @property
    def roles_text(self) -> str:
        return ", ".join(str(r) for r in sorted(self.roles)) or "-"

    def has(self, name: str) -> bool:
        return any(r.name == name for r in self.roles)

    @property
    def is_admin(self) -> bool:
        return self.has(ADMIN)

    # --- the three pages -------------------------------------------------------------

    def require_learner(self) -> int:
        """The viewer's own employee id, for the learner portal; refused without a roster entry."""
        if self.employee_id is None or not (self.has(LEARNER) or self.has(TRAINER) or self.has(HR)):
            raise Refused(
                "Portal peserta hanya untuk ASN yang terdaftar di roster. Akun ini tidak terhubung ke NIP mana pun; "
                "minta petugas kepegawaian menghubungkan akun Anda."
            )
        return self.employee_id

    def require_learner_self(self, nip: str | None) -> None:
        """A learner asks for their own data only: any other NIP is refused, whatever the URL says."""
        if nip and nip != self.nip:
            raise Refused(
                "Anda hanya dapat melihat data Anda sendiri. "
                "Permintaan data peserta lain ditolak dan tidak ditampilkan."
            )

    def trainer_courses(self, known: list[str]) -> list[str]:
        """The courses the viewer trains (admin: all); refused when none."""
        courses = known if self.is_admin else sorted(r.scope for r in self.roles if r.name == TRAINER)
        courses = [c for c in courses if c in known]
        if not courses:
            raise Refused("Halaman widyaiswara hanya untuk widyaiswara kursus ini dan admin. Akses ditolak.")
        return courses

    def require_trainer_of(self, course: str) -> None:
        if not (self.is_admin or Role(TRAINER, course) in self.roles):
            raise Refused(f"Anda bukan widyaiswara kursus {course}: data peserta kursus ini tidak ditampilkan.")

    def hr_units(self) -> set[str] | None:
        """Units the viewer may see as HR: ``None`` means every unit; refused when not HR."""
        if self.is_admin or Role(HR, ALL) in self.roles:
            return None
        units = {r.scope for r in self.roles if r.name == HR}
        if not units:
            raise Refused(
                "Halaman kepegawaian hanya untuk petugas kepegawaian (BKPSDM) dan admin. Akses ditolak; "
                "data pegawai tidak ditampilkan."
            )
        return units

    def require_unit(self, unit: str) -> None:
        units = self.hr_units()
        if units is not None and unit not in units:
            raise Refused(f"Anda tidak berwenang melihat data unit kerja {unit}.")

    # --- personal data ---------------------------------------------------------------

    @property
    def sees_full_nip(self) -> bool:
        """HR staff and admins see full NIPs; everyone else sees them masked (UU 27/2022)."""
        return self.is_admin or self.has(HR)

    def show_nip(self, nip: str) -> str:
        if nip == self.nip or self.sees_full_nip:
            return format_nip(nip)
        return mask_nip(nip)

    # --- objections (keberatan, UU 27/2022) ---------------------------------------------

    def covers_unit(self, unit: str) -> bool:
        """Admin, HR of all units, or HR of ``unit``."""
        return self.is_admin or Role(HR, ALL) in self.roles or Role(HR, unit) in self.roles

    def require_objector(self, employee_id: int, unit: str) -> None:
        """A learner objects for themselves only; HR of the unit and admins record a written one on their behalf."""
        if employee_id != self.employee_id and not self.covers_unit(unit):
            raise Refused(
                "Anda hanya dapat mengajukan keberatan atas level atau peringkat Anda sendiri. "
                "Keberatan atas nama orang lain ditolak."
            )

    def require_objection_reviewer(self, employee_id: int, unit: str, course: str | None = None) -> None:
        """HR of the employee's unit, an admin, or the assessor of the level (a trainer of its course) answers."""
        if employee_id == self.employee_id:
            raise Refused("Keberatan atas data Anda sendiri tidak dapat Anda jawab; petugas lain yang meninjaunya.")
        assessor = course is not None and Role(TRAINER, course) in self.roles
        if not (self.covers_unit(unit) or assessor):
            raise Refused(
                "Keberatan hanya dapat ditinjau dan dijawab oleh petugas kepegawaian unit kerja pegawai, "
                "asesor level itu (widyaiswara kursus asalnya), atau admin. Akses ditolak."
            )
