"""Accounts for Merit's own login (``merit serve``), kept in the registry.

HR creates an account from the roster (the NIP links it to the employee) or, for staff
without a roster entry, by name. Changes to accounts and roles go through the audit
trail; password hashes never do (the trail only says that a password was changed).
A signed-in browser holds a random token; the registry keeps its SHA-256 only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from merit.access.passwords import hash_password, needs_rehash, verify_password
from merit.access.viewer import LEARNER, Refused, Role, Viewer
from merit.errors import MeritError
from merit.registry import models
from merit.registry.audit import UPDATE, trail_of
from merit.registry.upsert import assign_changed, create_row, delete_row

SESSION_HOURS = 8
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
WRONG_LOGIN = "Nama pengguna atau kata sandi salah, atau akun tidak aktif."


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def account_named(session: Session, username: str) -> models.Account | None:
    return session.scalars(select(models.Account).where(models.Account.username == username)).one_or_none()


def find_account(session: Session, username: str) -> models.Account:
    account = account_named(session, username)
    if account is None:
        raise MeritError(f"Akun '{username}' tidak ada. Lihat daftar akun dengan `merit akun daftar`.")
    return account


def roles_of(session: Session, account_id: int) -> frozenset[Role]:
    rows = session.execute(
        select(models.AccountRole.role, models.AccountRole.scope).where(models.AccountRole.account_id == account_id)
    )
    return frozenset(Role(name, scope) for name, scope in rows)


def viewer_of(session: Session, account: models.Account) -> Viewer:
    employee = session.get(models.Employee, account.employee_id) if account.employee_id is not None else None
    nip = employee.nip if employee is not None else None
    return Viewer(account.username, account.name, roles_of(session, account.id), account.employee_id, nip)


def viewer_by_username(session: Session, username: str) -> Viewer:
    """The viewer an active account stands for: how the CLI says on whose behalf it acts."""
    account = find_account(session, username.strip().lower())
    if not account.active:
        raise Refused(f"Akun '{account.username}' tidak aktif.")
    return viewer_of(session, account)


def _record_password_change(session: Session, username: str) -> None:
    trail_of(session).record(UPDATE, "account", username, None, {"kata_sandi": "diubah"})


def create_account(
    session: Session,
    password: str,
    roles: Iterable[Role],
    *,
    nip: str | None = None,
    username: str | None = None,
    name: str | None = None,
) -> models.Account:
    """A new active account: from the roster by ``nip`` (username = NIP, name from the roster) or by name."""
    employee = None
    if nip is not None:
        employee = session.scalars(select(models.Employee).where(models.Employee.nip == nip)).one_or_none()
        if employee is None:
            raise MeritError(f"NIP {nip} tidak ada di roster. Impor roster dulu (`merit roster import`).")
        taken = session.scalars(select(models.Account).where(models.Account.employee_id == employee.id)).first()
        if taken is not None:
            raise MeritError(f"NIP {nip} sudah punya akun '{taken.username}'.")
    username = (username or nip or "").strip().lower()
    if not USERNAME.match(username):
        raise MeritError(
            f"Nama pengguna '{username}' tidak sah: 3-64 karakter huruf kecil, angka, titik, garis bawah atau strip."
        )
    if session.scalars(select(models.Account.id).where(models.Account.username == username)).first() is not None:
        raise MeritError(f"Nama pengguna '{username}' sudah dipakai.")
    display = name or (employee.name if employee is not None else None)
    if not display:
        raise MeritError("Nama akun wajib diisi (--nama) bila akun tidak dibuat dari NIP roster.")
    roles = set(roles) or {Role(LEARNER)}
    if Role(LEARNER) in roles and employee is None:
        raise MeritError("Peran peserta memerlukan NIP dari roster: buat akun dengan --nip.")
    hashed = hash_password(password)
    account = create_row(
        session,
        models.Account,
        {"username": username},
        {"name": display, "employee_id": employee.id if employee else None, "active": True},
    )
    account.password_hash = hashed  # set apart from the audited values: the trail never holds it
    account.created_at = models.utcnow()
    session.flush()
    _record_password_change(session, username)
    for role in sorted(roles):
        create_row(session, models.AccountRole, {"account_id": account.id, "role": role.name, "scope": role.scope}, {})
    return account


def set_active(session: Session, username: str, active: bool) -> bool:
    """Enable or disable an account; disabling also ends its open sessions. Returns whether it changed."""
    account = find_account(session, username)
    changed = assign_changed(session, account, {"username": username}, {"active": active})
    if not active:
        session.execute(delete(models.LoginSession).where(models.LoginSession.account_id == account.id))
    return changed


def set_password(session: Session, username: str, password: str) -> None:
    """A new password; every open session of the account ends."""
    account = find_account(session, username)
    account.password_hash = hash_password(password)
    _record_password_change(session, username)
    session.execute(delete(models.LoginSession).where(models.LoginSession.account_id == account.id))


def change_roles(session: Session, username: str, add: Iterable[Role], remove: Iterable[Role]) -> frozenset[Role]:
    account = find_account(session, username)
    held = roles_of(session, account.id)
    for role in sorted(set(add) - held):
        if role.name == LEARNER and account.employee_id is None:
            raise MeritError("Peran peserta memerlukan akun yang terhubung ke NIP roster.")
        create_row(session, models.AccountRole, {"account_id": account.id, "role": role.name, "scope": role.scope}, {})
    for role in sorted(set(remove) & held):
        key = {"account_id": account.id, "role": role.name, "scope": role.scope}
        row = session.get(models.AccountRole, tuple(key.values()))
        if row is not None:  # held a moment ago, in this transaction
            delete_row(session, row, key)
    session.flush()
    return roles_of(session, account.id)


@dataclass(frozen=True)
class AccountLine:
    username: str
    name: str
    nip: str | None
    roles: str
    active: bool


def list_accounts(session: Session) -> list[AccountLine]:
    lines = []
    for account in session.scalars(select(models.Account).order_by(models.Account.username)):
        viewer = viewer_of(session, account)
        lines.append(AccountLine(account.username, account.name, viewer.nip, viewer.roles_text, account.active))
    return lines


def sign_in(session: Session, username: str, password: str, now: dt.datetime | None = None) -> str:
    """Check the password and open a session; returns the token for the browser's cookie."""
    now = now or models.utcnow()
    account = session.scalars(
        select(models.Account).where(models.Account.username == username.strip().lower())
    ).one_or_none()
    stored = account.password_hash if account is not None else None
    if not verify_password(stored, password) or account is None or not account.active:
        raise Refused(WRONG_LOGIN)
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    session.execute(delete(models.LoginSession).where(models.LoginSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        models.LoginSession(
            token_sha256=token_digest(token),
            account_id=account.id,
            created_at=now,
            expires_at=now + dt.timedelta(hours=SESSION_HOURS),
        )
    )
    return token


def viewer_for_token(session: Session, token: str | None, now: dt.datetime | None = None) -> Viewer | None:
    """The viewer a session token belongs to, or None (unknown, expired, or account disabled)."""
    if not token:
        return None
    now = now or models.utcnow()
    row = session.get(models.LoginSession, token_digest(token))
    if row is None or row.expires_at <= now:
        return None
    account = session.get(models.Account, row.account_id)
    if account is None or not account.active:
        return None
    return viewer_of(session, account)


def sign_out(session: Session, token: str) -> None:
    session.execute(delete(models.LoginSession).where(models.LoginSession.token_sha256 == token_digest(token)))
