"""The append-only audit trail: who changed what, when, why, before and after.

Every create, update and delete of roster records, SKP ratings, evidence, competency
levels and overrides is appended here in the same transaction as the change itself.
Each entry carries ``prev_hash`` (the previous entry's hash) and its own ``hash``, an
HMAC-SHA256 over its content keyed by a secret kept *outside* the database
(``MERIT_AUDIT_KEY`` or a key file in the data directory). Someone who can write to the
database but not read the key cannot edit, remove, insert or reorder entries without
:func:`verify` pointing at the first one touched; ``audit_head`` records the newest
entry so that cutting off the end of the log is detected too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from merit.errors import MeritError
from merit.registry.models import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64
CREATE, UPDATE, DELETE = "create", "update", "delete"


def _json(value: dict[str, Any] | None) -> str | None:
    """Canonical JSON (sorted keys, ISO dates): the same values always give the same text."""
    if value is None:
        return None
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def entry_hash(
    key: bytes,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    reason: str,
    before: str | None,
    after: str | None,
    prev_hash: str,
) -> str:
    """HMAC of one entry's content and its predecessor's hash."""
    content = orjson.dumps([seq, at.isoformat(), actor, action, entity, entity_key, reason, before, after, prev_hash])
    return hmac.new(key, content, hashlib.sha256).hexdigest()


@dataclass
class AuditTrail:
    """The changes of one transaction, appended to the chain when it commits."""

    key: bytes
    actor: str
    reason: str
    clock: Callable[[], dt.datetime] = utcnow
    pending: list[tuple[str, str, str, str | None, str | None]] = field(default_factory=list)

    def record(
        self, action: str, entity: str, entity_key: str, before: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> None:
        self.pending.append((action, entity, entity_key, _json(before), _json(after)))

    def write(self, session: Session) -> int:
        """Append the pending entries after the current head; returns how many."""
        if not self.pending:
            return 0
        head = session.get(AuditHead, 1, with_for_update=True)
        seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
        at = self.clock()
        rows = []
        for action, entity, entity_key, before, after in self.pending:
            seq += 1
            digest = entry_hash(
                self.key, seq, at, self.actor, action, entity, entity_key, self.reason, before, after, prev
            )
            rows.append(
                dict(
                    seq=seq,
                    at=at,
                    actor=self.actor,
                    action=action,
                    entity=entity,
                    entity_key=entity_key,
                    reason=self.reason,
                    before=before,
                    after=after,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        session.connection().execute(insert(AuditEntry), rows)  # Core executemany on the connection: no ORM per row
        if head is None:
            session.add(AuditHead(id=1, seq=seq, hash=prev))
        else:
            head.seq, head.hash = seq, prev
        count = len(self.pending)
        self.pending.clear()
        return count


def trail_of(session: Session) -> AuditTrail:
    """The audit trail of a writing session; writing without one is a programming error."""
    trail = session.info.get("audit")
    if trail is None:
        raise MeritError("Perubahan registri harus dicatat: buka sesi dengan pelaku (actor) dan alasan (reason).")
    return trail


@dataclass(frozen=True)
class Verdict:
    """Result of :func:`verify`: ``first_bad`` is the sequence number of the first bad entry."""

    checked: int
    first_bad: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def verify(session: Session, key: bytes) -> Verdict:
    """Walk the chain from the start and report the first entry that does not hold."""
    expected, prev = 1, GENESIS
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=10_000))
    for (entry,) in rows:
        if entry.seq != expected:
            return Verdict(expected - 1, expected, "entri hilang atau urutannya diubah (nomor urut melompat)")
        if entry.prev_hash != prev:
            return Verdict(
                expected - 1, expected, "rantai hash putus: entri sebelumnya dihapus, disisipkan, atau dipindah"
            )
        digest = entry_hash(
            key,
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_key,
            entry.reason,
            entry.before,
            entry.after,
            entry.prev_hash,
        )
        if not hmac.compare_digest(digest, entry.hash):
            return Verdict(expected - 1, expected, "isi entri diubah atau entri dipalsukan")
        prev = entry.hash
        expected += 1
    last = expected - 1
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != last or head_hash != prev:
        return Verdict(
            last, last + 1, f"log terpotong: catatan kepala menyebut entri {head_seq}, log berakhir di {last}"
        )
    return Verdict(last)
